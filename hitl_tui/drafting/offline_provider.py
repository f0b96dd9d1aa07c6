"""The built-in offline drafter, served through litellm's custom-provider mechanism.

`hitl-offline/drafter` streams at a realistic pace (~40 tokens/s); `hitl-offline/fast` streams without delay
(tests, benchmarks). It goes through `litellm.acompletion` exactly like a real provider.
"""

from __future__ import annotations

import asyncio
import re
from types import ModuleType

from ..offline_copy import compose, prompt_text

PROVIDER = "hitl-offline"
DELAYS = {"drafter": 0.025, "fast": 0.0}


def _tokens(text: str) -> list[str]:
    # Word-ish pieces with their trailing spaces/newlines, like a tokenizer's output.
    return re.findall(r"\S+\s*|\s+", text)


def register_offline(litellm: ModuleType) -> None:
    from litellm import CustomLLM
    from litellm.types.utils import GenericStreamingChunk

    class OfflineDrafter(CustomLLM):
        async def astreaming(self, model: str, messages: list, *args, **kwargs):  # type: ignore[override]
            prompt = prompt_text(messages)  # the system message too: it carries the brand voice guide
            pieces = _tokens(compose(prompt))
            delay = DELAYS.get(model.split("/")[-1], DELAYS["drafter"])
            prompt_tokens = len(_tokens(prompt))
            for i, piece in enumerate(pieces):
                if delay:
                    await asyncio.sleep(delay)
                elif i % 64 == 0:
                    await asyncio.sleep(0)  # stay cooperative even at full speed
                yield GenericStreamingChunk(text=piece, is_finished=False, finish_reason="", usage=None, index=0,
                                            tool_use=None)
            yield GenericStreamingChunk(
                text="", is_finished=True, finish_reason="stop", index=0, tool_use=None,
                usage={"prompt_tokens": prompt_tokens, "completion_tokens": len(pieces),
                       "total_tokens": prompt_tokens + len(pieces)})

        async def acompletion(self, *args, **kwargs):  # pragma: no cover - the app always streams
            raise NotImplementedError("the offline drafter only streams")

    handler = OfflineDrafter()
    existing = [p for p in (litellm.custom_provider_map or []) if p.get("provider") != PROVIDER]
    litellm.custom_provider_map = existing + [{"provider": PROVIDER, "custom_handler": handler}]
    from litellm.utils import custom_llm_setup

    custom_llm_setup()
    # Known to litellm's cost map at zero cost, so cost shows as $0.00 rather than unknown. Every price is given,
    # cache reads and writes included: a model registered with only input/output prices and no built-in entry
    # makes litellm log a warning about defaulted cache prices to hitl.log at every start.
    free = {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "cache_creation_input_token_cost": 0.0,
            "cache_read_input_token_cost": 0.0}
    litellm.register_model({f"{PROVIDER}/{name}": {**free, "litellm_provider": PROVIDER, "mode": "chat",
                                                   "max_tokens": 4096} for name in DELAYS})

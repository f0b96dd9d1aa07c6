"""Loading litellm: lazily, offline-safe, silent.

`import litellm` costs ~2.5 s and ~200 MB, reaches for the internet unless told not to, prints banners and has
its own stderr log handler. Everything that needs litellm calls `load_litellm()`; nothing imports it at top level.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from types import ModuleType

from ..redaction import RedactingFormatter

_lock = threading.Lock()
_litellm: ModuleType | None = None
_LOGGERS = ("LiteLLM", "LiteLLM Proxy", "LiteLLM Router", "litellm", "httpx", "openai", "httpcore", "hitl")


def _quiet_env() -> None:
    # Must be set before the first import: the cost map fetch and log level are read at import time.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    os.environ.setdefault("LITELLM_TELEMETRY", "False")


def route_logs(log_file: Path | None) -> None:
    """Send litellm's (and its HTTP stack's, and the engine's) log records to a file, never to the terminal,
    with every API key redacted: some providers repeat the key in their error messages."""
    handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.NullHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.WARNING)


def load_litellm(log_file: Path | None = None) -> ModuleType:
    """Import and configure litellm once (thread-safe: the UI calls this from a thread worker)."""
    global _litellm
    with _lock:
        if _litellm is None:
            _quiet_env()
            import litellm

            route_logs(log_file)  # before anything below can log to litellm's own stderr handler
            litellm.suppress_debug_info = True
            litellm.set_verbose = False
            litellm.drop_params = True  # providers that lack e.g. stream_options still work
            from .offline_provider import register_offline

            register_offline(litellm)
            # litellm estimates prompt tokens with tiktoken to price a stream before it starts: +110 MB and
            # ~0.1 s on the event loop at the first call. Tokens and cost come from the usage the provider
            # reports at the end of the stream (stream_options.include_usage), so the estimate is not needed.
            litellm.disable_token_counter = True
            _defer_encoding()
            _warm_first_call()
            _litellm = litellm
        route_logs(log_file)
        return _litellm


# What litellm's first streamed `acompletion` imports, up to its stream's end: 57 modules, ~0.15 s (litellm 1.110.2,
# the offline provider and an OpenAI-compatible one): its callback manager, proxy types, anyio's asyncio back end.
# They are imported here, in the thread that loads litellm, before the first request arrives, so the first draft
# does not pay for them. A name a later litellm lacks is skipped: then only the time changes.
_FIRST_CALL_IMPORTS = (
    "litellm.litellm_core_utils.logging_callback_manager", "litellm.integrations.generic_api.generic_api_callback",
    "litellm.proxy._types", "litellm.proxy.openai_files_endpoints.common_utils", "litellm.proxy.mcp_server.stdio_gate",
    "litellm.proxy.guardrails.exception_utils", "litellm.llms.github_copilot.authenticator",
    "litellm.llms.github_copilot.github_host", "litellm.llms.github_copilot.per_user_auth",
    "litellm.llms.bedrock.chat.invoke_transformations.amazon_ai21_transformation",
    "litellm.llms.openai.chat.gpt_audio_transformation", "litellm._service_logger",
    "litellm.integrations.prometheus_services", "anyio._backends._asyncio", "anyio.streams.memory",
    "anyio.streams.stapled", "anyio.streams.tls", "litellm.proxy.spend_tracking.savings",
    "litellm.types.litellm_core_utils.streaming_chunk_builder_utils",
)


def _warm_first_call() -> None:
    from importlib import import_module

    for name in _FIRST_CALL_IMPORTS:
        try:
            import_module(name)
        except Exception:  # not in this version (ImportError), or it fails to import: the first call will say so
            pass


class _EncodingOnFirstUse:
    """Stands in for litellm's default tiktoken encoding until something really reads it, then loads it."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str):
        # The module's own lazy attribute loads the encoding and puts it in the cache in place of this stand-in.
        return getattr(getattr(self._module, "encoding"), name)


def _defer_encoding() -> None:
    """litellm hands every provider call its cl100k tiktoken encoding, loaded on the first call (~0.4 s of the first
    draft, and memory), only for token estimates, which are switched off above. Until something reads it, a
    stand-in takes its place. Needs litellm.main's `_encoding_cache` (1.93 to 1.110 at least); without it, nothing
    changes but the time."""
    import sys

    main = sys.modules.get("litellm.main")
    if main is not None and "encoding" not in vars(main) and getattr(main, "_encoding_cache", False) is None:
        main._encoding_cache = _EncodingOnFirstUse(main)

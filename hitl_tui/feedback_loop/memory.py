"""The voice memory a new draft or revision is given: up to K approved pieces of the brief's channel and voice
(best by score, and by published performance once results exist) and the learned lines, within the token budget
of `[learning]` (`learning/voice_memory.py` chooses; this reads the candidates from the log)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..learning.rules_file import prompt_lines
from ..learning.voice_memory import VoiceMemory, build_memory

if TYPE_CHECKING:
    from ..briefs import Brief
    from ..config import Config
    from ..learning.rules_file import LearnedRule
    from ..store import Store


async def voice_memory(store: Store, config: Config, rules: Iterable[LearnedRule], brief: Brief) -> VoiceMemory:
    """Examples are left out when `[learning] examples = 0`; the learned lines are sent whenever rules apply (they
    are gates the draft must pass)."""
    settings = config.learning
    channel, voice = brief.channel or "", brief.voice or ""
    pieces = await store.approved_pieces(channel) if settings.examples > 0 else []
    return build_memory(pieces, prompt_lines(rules, channel, voice), brief_name=brief.name, channel=channel,
                        voice=voice, settings=settings)

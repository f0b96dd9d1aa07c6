"""Prompt building: brief + voice guide + channel template (+ reviewer feedback for a revision).

Core module: imports neither textual nor litellm. Templates carry a version that is logged with every draft.
The brief section uses one "Field: value" line per field; the offline drafter reads the same lines.

A revision is sent feedback items (`learning.feedback.FeedbackItem`, rendered by `render_feedback`); the older
`Feedback` summary still works for callers that have not moved to items. Draft and revise prompts may carry a
voice memory (`learning.voice_memory.VoiceMemory`: learned rules and approved examples) where a template has
`{memory}`, or at the end of a custom template that lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from .briefs import Brief
from .config import Config

if TYPE_CHECKING:  # annotations only: the offline drafter's worker imports this module at start and needs neither
    from .learning.feedback import FeedbackItem
    from .learning.voice_memory import VoiceMemory

DEFAULT_SYSTEM = (
    "You are a senior marketing copywriter. Write copy that a human editor will review and publish. "
    "Follow the brief exactly: keep to the limits, include what must be included, never use banned words, "
    "and never invent facts, numbers or guarantees that the brief does not give. "
    "Reply with the copy only: no preamble, no notes."
)
DEFAULT_DRAFT = (
    "Write {channel_article} {channel} draft.\n\n## Brief\n{brief_block}\n\n## Channel guidance\n{channel_guide}\n\n"
    "## Angle for this variant\nAngle: {angle}\n{memory}"
)
DEFAULT_REVISE = (
    "Revise the draft below for the same brief. Keep what works; fix everything the reviewer flagged.\n\n"
    "## Brief\n{brief_block}\n\n## Channel guidance\n{channel_guide}\n\n## Previous draft\n{previous}\n\n"
    "## Reviewer feedback\n{feedback}\n{memory}"
)

CHANNEL_GUIDES = {
    "email": "Start with 'Subject: ...' on its own line, then a greeting, two or three short paragraphs, "
             "one clear call to action, and a sign-off.",
    "sms": "One or two sentences, at most 160 characters including the call to action. No emoji walls.",
    "x": "One post, at most 280 characters, one hashtag at most.",
    "linkedin": "A hook line, two to four short paragraphs with line breaks, a question or CTA at the end.",
    "landing": "A headline, a one-sentence subheadline, three benefit bullets, and a button label CTA.",
    "blog": "A title line, an intro paragraph, two or three sections with short headings, and a closing CTA.",
    "ad": "A headline of at most 30 characters, a description of at most 90 characters, and a CTA.",
    "push": "One line, at most 120 characters, that makes the reader tap.",
}
DEFAULT_GUIDE = "Clear, scannable copy with one call to action."
ANGLES = [
    "Lead with the main benefit for the audience.",
    "Lead with the audience's problem, then the fix.",
    "Lead with a concrete, everyday scenario.",
    "Lead with a direct question to the reader.",
    "Lead with what changes after they act.",
    "Lead with urgency grounded in the brief's facts.",
    "Lead with a short, bold statement.",
    "Lead with social proof only if the brief gives it; otherwise with the offer.",
]


@dataclass
class Feedback:
    """What a reviewer sends back with a revision request, as one summary (before feedback items existed)."""
    note: str = ""
    failed_gates: list[str] = field(default_factory=list)
    low_scores: dict[str, int] = field(default_factory=dict)
    edited: bool = False

    def render(self) -> str:
        lines = []
        if self.note.strip():
            lines.append(f"Note from the reviewer: {self.note.strip()}")
        for gate in self.failed_gates:
            lines.append(f"Failed check: {gate}")
        for dim, score in self.low_scores.items():
            lines.append(f"Low score: {dim} {score}/5")
        if self.edited:
            lines.append("The reviewer edited the previous draft by hand; keep their changes.")
        return "\n".join(f"- {line}" for line in lines) or "- Make it sharper and closer to the brief."

    def to_dict(self) -> dict:
        return {"note": self.note, "failed_gates": self.failed_gates, "low_scores": self.low_scores,
                "edited": self.edited}


def brief_block(brief: Brief) -> str:
    rows = [("Title", brief.title), ("Channel", brief.channel), ("Audience", brief.audience),
            ("Goal", brief.goal), ("CTA", brief.cta), ("Must include", "; ".join(brief.must_include)),
            ("Avoid", "; ".join(brief.banned)), ("Min words", brief.min_words), ("Max words", brief.max_words),
            ("Max characters", brief.max_chars), ("Notes", brief.notes)]
    lines = [f"{k}: {v}" for k, v in rows if v]
    lines.append(f"Brief: {brief.brief}")
    return "\n".join(lines)


def voice_guide(brief: Brief, config: Config) -> str:
    return config.voices.get(brief.voice or "default") or brief.voice or config.voices.get("default", "")


def _render(template: str, values: dict) -> str:
    class _Keep(dict):
        def __missing__(self, key: str) -> str:  # unknown {fields} in a user template stay as written
            return "{" + key + "}"

    return template.format_map(_Keep(values))


def _common(brief: Brief, config: Config) -> dict:
    channel = brief.channel or "marketing"
    return {"brief_block": brief_block(brief), "channel": channel,
            "channel_article": "an" if channel[:1].lower() in "aeiou" else "a",
            "channel_guide": CHANNEL_GUIDES.get(channel.lower(), DEFAULT_GUIDE), "title": brief.title}


def _system(brief: Brief, config: Config) -> str:
    system = config.prompts.system or DEFAULT_SYSTEM
    guide = voice_guide(brief, config)
    return f"{system}\n\nBrand voice guide:\n{guide}" if guide else system


def _with_memory(template: str, values: dict, memory: VoiceMemory | None) -> str:
    section = memory.render() if memory else ""
    user = _render(template, values | {"memory": f"\n{section}\n" if section else ""})
    if section and "{memory}" not in template:  # a custom template without the field still gets the memory
        user = f"{user.rstrip()}\n\n{section}\n"
    return user


def build_draft_messages(brief: Brief, config: Config, variant: int, memory: VoiceMemory | None = None
                         ) -> list[dict]:
    values = _common(brief, config) | {"angle": ANGLES[variant % len(ANGLES)], "variant": variant + 1}
    user = _with_memory(config.prompts.draft or DEFAULT_DRAFT, values, memory)
    return [{"role": "system", "content": _system(brief, config)}, {"role": "user", "content": user}]


def build_revision_messages(brief: Brief, config: Config, previous: str,
                            feedback: Feedback | Sequence[FeedbackItem], memory: VoiceMemory | None = None
                            ) -> list[dict]:
    if isinstance(feedback, Feedback):
        rendered = feedback.render()
    else:
        from .learning.feedback import render_feedback

        rendered = render_feedback(feedback)
    values = _common(brief, config) | {"previous": previous, "feedback": rendered}
    user = _with_memory(config.prompts.revise or DEFAULT_REVISE, values, memory)
    return [{"role": "system", "content": _system(brief, config)}, {"role": "user", "content": user}]


def variant_temperature(base: float, variant: int) -> float:
    """Spread variants a little around the configured temperature so they differ."""
    return round(min(1.5, max(0.0, base + (variant % 4 - 1.5) * 0.1)), 2)


def prompt_version(config: Config) -> str:
    return config.prompts.version

"""The defaults every workspace starts from: rubric, keys, voice, the offline model and the starter hitl.toml.

Core module: imports neither textual nor litellm.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from .keymap import ACTIONS

OFFLINE_MODEL = "hitl-offline/drafter"

DEFAULT_RUBRIC: dict[str, dict[str, str]] = {
    "voice": {"one": "Off-brand: wrong tone, generic, could be anyone's",
              "five": "Unmistakably ours: tone, vocabulary and attitude match the voice guide"},
    "accuracy": {"one": "Wrong or unsupported claims, misstates the offer",
                 "five": "Every fact matches the brief; nothing invented"},
    "clarity": {"one": "Hard to follow; the point is buried",
                "five": "One clear idea, easy to scan, no filler"},
    "cta": {"one": "No call to action, or a vague one",
            "five": "One specific, compelling next step the reader can take now"},
    "channel_fit": {"one": "Wrong length or format for the channel",
                    "five": "Native to the channel: length, structure and conventions"},
}

DEFAULT_KEYS: dict[str, str] = {a.id: a.key for a in ACTIONS}  # every remappable action (keymap.py)

DEFAULT_VOICE = (
    "Confident, warm and plain-spoken. Short sentences. Concrete benefits over adjectives. "
    "No hype words, no exclamation marks, no jargon the audience would not use."
)


def default_reviewer() -> str:
    """The login name (getpass reads LOGNAME, USER, LNAME, USERNAME, then the password database)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER", "reviewer")


def starter_config() -> dict[str, Any]:
    """Every team setting with its default, for `hitl init` (tomli-w cannot write None, so unset values are left
    out). No reviewer: hitl.toml is shared, and each person's name is their own (see userconfig.py)."""
    from .config import SETTING_SECTIONS  # the declarations (settings.py): each default is written there once
    from .settings import starter_section

    sections = {name: starter_section(cls) for name, cls in SETTING_SECTIONS.items()}
    sections["drafting"] = {"models": [OFFLINE_MODEL], **sections["drafting"]}
    return {
        **sections,
        "keys": dict(DEFAULT_KEYS),
        "rubric": {k: dict(v) for k, v in DEFAULT_RUBRIC.items()},
        "voices": {"default": {"guide": DEFAULT_VOICE}},
        "checklists": {
            "default": {
                "advisory": ["reading_grade", "claims"],
                "rules": [{"name": "no exclamation pile-ups", "must_not": "!{2,}", "required": True}],
                "items": [
                    {"id": "facts", "text": "Facts and numbers checked against the source", "required": True},
                    {"id": "legal", "text": "Legal/compliance wording reviewed", "required": False},
                ],
            },
            "sms": {"max_chars": 160, "items": [{"id": "optout", "text": "Opt-out wording present",
                                                 "required": True}]},
            "email": {"reading_grade_max": 9.0},
        },
    }

"""Every key of the station, each with an id so `[keys]` in hitl.toml can remap it (App.set_keymap).

No action relies on ctrl+enter or ctrl+shift combinations: they do not reach a program over SSH or inside tmux.
"""

from __future__ import annotations

from textual.binding import Binding

from ..config import DEFAULT_KEYS

# (id, action, description, show in footer)
ACTIONS: list[tuple[str, str, str, bool]] = [
    ("next_brief", "next_brief", "Next brief", True),
    ("prev_brief", "prev_brief", "Prev brief", False),
    ("next_variant", "next_variant", "Next variant", False),
    ("prev_variant", "prev_variant", "Prev variant", False),
    ("edit", "edit", "Edit", True),
    ("diff", "diff", "Diff", False),
    ("checklist", "checklist", "Checklist", False),
    ("approve", "approve", "Approve", True),
    ("approve_override", "approve_override", "Approve anyway", False),
    ("reject", "reject", "Reject", True),
    ("revise", "revise", "Revise", True),
    ("regenerate", "regenerate", "Regenerate", False),
    ("undo", "undo", "Undo my last action on this brief", False),
    ("copy", "copy", "Copy", False),
    ("blind", "blind", "Blind", False),
    ("stats", "stats", "Stats", False),
    ("note", "note", "Note", False),
    ("history", "history", "History", False),
    ("filter", "filter", "Filter", False),
    ("zoom", "zoom", "Zoom variant", False),
    ("leave", "leave", "Leave editor (saved) / zoom / back to queue", False),
    ("help", "help", "Help", True),
    ("quit", "quit", "Quit", True),
]
SCORE_HELP = [("1-5", "score the current rubric dimension, then move to the next"),
              ("backspace", "back to the previous dimension"), ("space", "tick the highlighted checklist item"),
              ("ctrl+p", "command palette with every action")]


def app_bindings() -> list[Binding]:
    bindings = [Binding(DEFAULT_KEYS[bid], action, desc, show=show, id=bid,
                        priority=bid in ("next_variant", "prev_variant"))
                for bid, action, desc, show in ACTIONS]
    bindings += [Binding(str(n), f"score({n})", f"Score {n}", show=False, id=f"score_{n}") for n in range(1, 6)]
    bindings.append(Binding("backspace", "score_back", "Previous dimension", show=False, id="score_back"))
    return bindings


def keymap_from_config(keys: dict[str, str]) -> dict[str, str]:
    """Only the remapped ones: Textual's keymap overrides by binding id."""
    return {bid: key for bid, key in keys.items() if DEFAULT_KEYS.get(bid) != key}


def describe(action_id: str, keys: dict[str, str]) -> str:
    return keys.get(action_id, DEFAULT_KEYS.get(action_id, ""))

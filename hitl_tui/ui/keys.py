"""Bindings, help rows and palette commands for a screen, all from the action table (`hitl_tui/keymap.py`).

A screen declares `ACTION_SCREEN = "<name>"` and `BINDINGS = bindings_for("<name>")`; its `action_<id>` methods do
the work. The palette (ctrl+p) and the help screen list the actions of the screen they were opened from. Remapping under `[keys]` goes through Textual's keymap (by binding id), set once by the App.
"""

from __future__ import annotations

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..keymap import FIXED_HELP, RESHOW, REVIEW, actions_for


def bindings_for(screen: str) -> list[Binding]:
    bindings = [Binding(a.key, a.id, a.description, show=a.show, id=a.id, priority=a.priority)
                for a in actions_for(screen)]
    if screen in (REVIEW, RESHOW):  # scores: fixed keys, not remappable (in keymap.FIXED_KEYS for the clash check)
        prefix = "" if screen == REVIEW else f"{screen}_"
        bindings += [Binding(str(n), f"score({n})", f"Score {n}", show=False, id=f"{prefix}score_{n}")
                     for n in range(1, 6)]
        bindings.append(Binding("backspace", "score_back", "Previous dimension", show=False, id=f"{prefix}score_back"))
    return bindings


def keymap_from_config(keys: dict[str, str]) -> dict[str, str]:
    """Only the remapped ones: Textual's keymap overrides by binding id."""
    from ..defaults import DEFAULT_KEYS

    return {bid: key for bid, key in keys.items() if DEFAULT_KEYS.get(bid) != key}


def help_rows(screen: str, keys: dict[str, str]) -> list[tuple[str, str, str]]:
    """(key, what it does, action id) for the help screen: the screen's actions, then its fixed keys."""
    rows = [(keys.get(a.id, a.key), a.description, a.id) for a in actions_for(screen)]
    rows += [(key, what, "") for key, what in FIXED_HELP.get(screen, ())]
    return rows


def palette_commands(screen: Screen, keys: dict[str, str]) -> list[SystemCommand]:
    """The command palette's entries for the screen under it: each of its actions by description and key."""
    name = getattr(screen, "ACTION_SCREEN", None)
    if name is None:
        return []
    return [SystemCommand(a.description, f"{a.id} ({keys.get(a.id, a.key)})",
                          lambda a=a.id: screen.run_action(a)) for a in actions_for(name)]


def key_label(keys: dict[str, str], action_id: str) -> str:
    """The first key of an action as a person types it ('esc', '?', 'k'), after `[keys]`: for hints on screen."""
    from ..keymap import BY_ID, split_keys

    first = (split_keys(keys.get(action_id, BY_ID[action_id].key)) or ["?"])[0]
    return {"escape": "esc", "question_mark": "?", "slash": "/", "enter": "⏎", "left": "←", "right": "→",
            "pagedown": "pgdn", "pageup": "pgup"}.get(first, first)

"""Diffs and revision history: AI text vs the current text, and revision N vs N+1 with the feedback sent."""

from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...keymap import DIFF
from ...store.rows import Revision
from ..keys import bindings_for, key_label
from ..text import plain
from ..widgets.feedback_items import learning_text

if TYPE_CHECKING:
    from ...store.report_rows import RevisionHistory


_TOKENS = re.compile(r"\s+|\S+")


def _chunks(old: str, new: str) -> list[tuple[bool, str, str]]:
    """(changed, old, new) runs of a word diff. A change separated from the next only by spaces or one or two
    short words is folded into it, so a rewritten sentence reads as one replacement, not word-by-word confetti."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[tuple[bool, str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        runs.append((op != "equal", "".join(a[i1:i2]), "".join(b[j1:j2])))
    merged: list[tuple[bool, str, str]] = []
    for i, (changed, o, n) in enumerate(runs):
        between = 0 < i < len(runs) - 1 and runs[i + 1][0] and merged and merged[-1][0]
        small = not changed and (not o.strip() or (len(o.split()) <= 2 and len(o) <= 12 and "\n" not in o))
        if merged and merged[-1][0] and (changed or (between and small)):
            _, mo, mn = merged.pop()
            merged.append((True, mo + o, mn + n))
        else:
            merged.append((changed, o, n))
    return merged


def _split_space(o: str, n: str) -> tuple[str, str, str, str]:
    """Whitespace both sides share at the ends stays outside the markers (a paragraph break is not a change)."""
    lead = 0
    while lead < min(len(o), len(n)) and o[lead] == n[lead] and o[lead].isspace():
        lead += 1
    trail = 0
    while trail < min(len(o), len(n)) - lead and o[-1 - trail] == n[-1 - trail] and o[-1 - trail].isspace():
        trail += 1
    return o[:lead], o[lead:len(o) - trail], n[lead:len(n) - trail], o[len(o) - trail:]


def word_diff(old: str, new: str) -> Text:
    """Inline word diff, marked [-removed-] and {+added+} so it reads without colour (NO_COLOR, 16 colours),
    and struck through in red / bold green where there is colour. Whitespace and line breaks are kept."""
    out = Text()
    for changed, o, n in _chunks(old, new):
        if not changed:
            out.append(plain(o))
            continue
        lead, o_core, n_core, trail = _split_space(o, n)
        out.append(plain(lead))
        if o_core:
            out.append("[-" + plain(o_core) + "-]", style="strike red")
        if n_core:
            out.append("{+" + plain(n_core) + "+}", style="bold green")
        out.append(plain(trail))
    return out


def describe_revision(rev: Revision) -> str:
    who = "AI" if rev.kind == "ai" else "human edit"
    return f"r{rev.number} {who} · {rev.status}"


class DiffScreen(ModalScreen[None]):
    """Steps through a draft's revisions: each shows its diff from the one before, and the feedback sent."""

    ACTION_SCREEN = DIFF
    BINDINGS = bindings_for(DIFF)  # keys, palette and [keys] remapping from hitl_tui/keymap.py

    def __init__(self, revisions: list[Revision], start: int | None = None, title: str = "Diff",
                 details: dict[int, RevisionHistory] | None = None) -> None:
        """`details`: revision id -> that revision as `Store.brief_history` gives it (feedback items with their
        marks, the examples and learned lines it was given); without it, the feedback summary stored with it."""
        super().__init__()
        self.revisions = revisions
        self.details = details or {}
        self.index = len(revisions) - 1 if start is None else start
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog diff"):
            yield Label("", id="diff-title")
            yield Static("", id="diff-feedback")
            yield Static("", id="diff-body")
            k = lambda a: key_label(self.app.config.keys, a)  # noqa: E731 (after [keys])
            yield Label(Text(f"{k('diff_older')}/{k('diff_newer')} older/newer revision · {k('diff_close')} closes",
                             style="dim"))

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        rev = self.revisions[self.index]
        before = self.revisions[self.index - 1] if self.index > 0 else None
        title = f"{self.title_text}: {describe_revision(rev)}"
        title += f"  vs  {describe_revision(before)}" if before else "  (first revision)"
        self.query_one("#diff-title", Label).update(Text(title, style="bold"))
        feedback = json.loads(rev.feedback or "null") if rev.kind == "ai" else None
        fb = Text()
        if rev.id in self.details:
            fb = learning_text(self.details[rev.id])
            fb.append("\n")  # a blank line before the text
        elif feedback:
            fb.append("Feedback sent: ", style="bold")
            parts = [feedback.get("note") or ""] + [f"failed {g}" for g in feedback.get("failed_gates", [])]
            parts += [f"{d} {s}/5" for d, s in (feedback.get("low_scores") or {}).items()]
            fb.append(plain("; ".join(p for p in parts if p) or "(none)"))
        self.query_one("#diff-feedback", Static).update(fb)
        body = word_diff(before.text, rev.text) if before else Text(plain(rev.text))
        self.query_one("#diff-body", Static).update(body)

    def action_diff_older(self) -> None:
        self._step(-1)

    def action_diff_newer(self) -> None:
        self._step(1)

    def _step(self, step: int) -> None:
        self.index = max(0, min(len(self.revisions) - 1, self.index + step))
        self._show()

    def action_diff_close(self) -> None:
        self.dismiss(None)

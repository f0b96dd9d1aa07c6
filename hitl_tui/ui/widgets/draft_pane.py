"""One variant: its label, live status, gate badges and text (with gate evidence highlighted), or an editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...gates import FAIL, PASS, WARN, GateResult
from ..text import plain
from .draft_text import DraftText

if TYPE_CHECKING:
    from textual.widgets import TextArea

STATUS_STYLE = {"pending": "dim", "streaming": "yellow", "done": "green", "failed": "bold red",
                "interrupted": "red", "retrying": "yellow"}
# Underlined as well as coloured, so evidence still shows with 16 colours or NO_COLOR.
EVIDENCE_STYLE = {FAIL: Style.parse("bold underline white on red"), WARN: Style.parse("underline black on yellow")}


@dataclass
class PaneState:
    draft_id: int
    label: str
    status: str = "pending"
    text: str = ""
    tokens: int = 0
    cost: float | None = None
    error: str | None = None
    revision: int = 1
    revision_id: int | None = None  # the AI revision shown; a start event with another id is revision N+1
    edited: bool = False
    decision: str | None = None
    gates: list[GateResult] = field(default_factory=list)


def header_text(state: PaneState, current: bool) -> Text:
    """Two lines: who wrote it (and which revision), then its live status."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append("▶ " if current else "  ", style="bold")
    t.append(plain(state.label), style="bold")
    t.append(f"  r{state.revision}{' ✎ edited' if state.edited else ''}", style="dim")
    if state.decision:
        t.append(f"  {state.decision.upper()}", style="bold green" if state.decision != "reject" else "bold red")
    t.append("\n  ")
    t.append(state.status, style=STATUS_STYLE.get(state.status, ""))
    if state.tokens:
        t.append(f" · {state.tokens} tok", style="dim")
    if state.cost:  # unknown (None) or free (the offline drafter) shows nothing
        t.append(f" · ${state.cost:.4f}", style="dim")
    return t


def badges_text(results: list[GateResult]) -> Text:
    """Failures and warnings by name (they need attention), passes as a count."""
    t = Text(no_wrap=True, overflow="ellipsis")
    passed = sum(r.status == PASS for r in results)
    t.append(f"✓{passed} ", style="green")
    for r in results:
        if r.status == FAIL:
            t.append(f"✗{r.id} ", style="bold red")
        elif r.status == WARN:
            t.append(f"!{r.id} ", style="yellow")
    return t


def error_text(state: PaneState, retry_key: str = "g") -> Text:
    """The provider's message, and what to do about it (the partial text stays above)."""
    if not state.error:
        return Text()
    t = Text(plain(state.error), style="red")
    if state.status in ("failed", "interrupted"):
        t.append(f"  {retry_key} retries", style="bold")
    return t


def _set(widget: Static, text: Text, layout: bool = True) -> None:
    if widget.content != text:
        widget.update(text, layout=layout)


def evidence_spans(results: list[GateResult]) -> list[tuple[int, int, Style]]:
    """Where failing (and warning) gates found their evidence, as styled character spans of the text."""
    return [(s, e, EVIDENCE_STYLE[r.status]) for r in results if r.status in EVIDENCE_STYLE for s, e in r.evidence]


class DraftPane(Vertical):
    DEFAULT_CLASSES = "draft-pane"
    ALLOW_MAXIMIZE = True  # zoom (z) fills the screen with one variant

    def __init__(self, state: PaneState, retry_key: str = "g", **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.retry_key = retry_key
        self.current = False
        self.editing = False
        # Made here, not in compose, so a stream flush that arrives before compose has somewhere to go.
        self.header = Static(header_text(state, False), classes="pane-header")
        self.badges = Static(badges_text(state.gates), classes="pane-gates")
        self.body = DraftText(state.text, evidence_spans(state.gates), self._placeholder(), classes="pane-body")
        self._gates_shown = state.gates
        self.error = Static(error_text(state, retry_key), classes="pane-error")
        self.error.display = bool(state.error)

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.badges
        yield self.body
        yield self.error

    def _placeholder(self) -> str:
        return "…waiting for tokens" if self.state.status in ("pending", "streaming", "retrying") else ""

    def refresh_state(self, state: PaneState | None = None) -> None:
        """Show the state. Called ~10 times a second while streaming, so each part is redrawn only if it changed."""
        if state is not None:
            self.state = state
        _set(self.header, header_text(self.state, self.current), layout=False)  # fixed height
        _set(self.badges, badges_text(self.state.gates), layout=False)  # one line, cut with an ellipsis
        if self.state.error or self.error.display:
            _set(self.error, error_text(self.state, self.retry_key))
            self.error.display = bool(self.state.error)
        if not self.editing:
            self.body.placeholder = self._placeholder()
            gates_changed = self.state.gates is not self._gates_shown
            self._gates_shown = self.state.gates
            self.body.update(self.state.text, evidence_spans(self.state.gates) if gates_changed else None)

    def set_current(self, current: bool) -> None:
        self.current = current
        self.set_class(current, "-current")
        _set(self.header, header_text(self.state, current), layout=False)

    # ---------------------------------------------------------------- editing

    async def start_edit(self) -> TextArea:
        from textual.widgets import TextArea  # the editor's code loads when someone first edits

        self.editing = True
        self.body.display = False
        editor = TextArea(self.state.text, soft_wrap=True, classes="pane-editor", id=f"editor-{self.state.draft_id}")
        await self.mount(editor, before=self.error)
        editor.focus()
        self.app.refresh_bindings()
        return editor

    @property
    def editor(self) -> TextArea | None:
        found = self.query(".pane-editor")
        return found.first() if found else None

    async def end_edit(self) -> str | None:
        editor = self.editor
        if editor is None:
            return None
        text = editor.text
        await editor.remove()
        self.editing = False
        self.body.display = True
        self.state.text = text
        self.refresh_state()
        self.app.refresh_bindings()
        return text

"""One variant: its label, live status, gate badges and text (with gate evidence highlighted), or an editor."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TextArea

from ...gates import FAIL, PASS, WARN, GateResult
from ..text import highlight, plain

STATUS_STYLE = {"pending": "dim", "streaming": "yellow", "done": "green", "failed": "bold red",
                "interrupted": "red", "retrying": "yellow"}
EVIDENCE_STYLE = {FAIL: "bold white on red", WARN: "black on yellow"}


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
    if state.cost is not None:
        t.append(f" · ${state.cost:.4f}", style="dim")
    return t


def badges_text(results: list[GateResult]) -> Text:
    """Failures and warnings by name (they need attention), passes as a count."""
    t = Text(no_wrap=False)
    passed = sum(r.status == PASS for r in results)
    t.append(f"✓{passed} ", style="green")
    for r in results:
        if r.status == FAIL:
            t.append(f"✗{r.id} ", style="bold red")
        elif r.status == WARN:
            t.append(f"!{r.id} ", style="yellow")
    return t


class DraftPane(Vertical):
    DEFAULT_CLASSES = "draft-pane"

    def __init__(self, state: PaneState, **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.current = False
        self.editing = False

    def compose(self) -> ComposeResult:
        yield Static(header_text(self.state, False), classes="pane-header")
        yield Static(badges_text(self.state.gates), classes="pane-gates")
        with VerticalScroll(classes="pane-body"):
            yield Static(self._body(), classes="pane-text")
        yield Static("", classes="pane-error")

    def _body(self) -> Text:
        if not self.state.text:
            return Text("…waiting for the first tokens" if self.state.status in ("pending", "streaming") else "",
                        style="dim italic")
        spans = [(s, e, EVIDENCE_STYLE[r.status]) for r in self.state.gates if r.status in EVIDENCE_STYLE
                 for s, e in r.evidence]
        return highlight(self.state.text, spans)

    def refresh_state(self, state: PaneState | None = None, text_changed: bool = True) -> None:
        if state is not None:
            self.state = state
        self.query_one(".pane-header", Static).update(header_text(self.state, self.current))
        self.query_one(".pane-gates", Static).update(badges_text(self.state.gates))
        error = self.query_one(".pane-error", Static)
        error.update(Text(plain(self.state.error), style="red") if self.state.error else "")
        error.display = bool(self.state.error)
        if text_changed and not self.editing:
            body = self.query_one(".pane-body", VerticalScroll)
            # Follow the end only if the reader is already there; never yank someone reading above.
            at_end = body.max_scroll_y == 0 or body.scroll_y >= body.max_scroll_y - 1
            self.query_one(".pane-text", Static).update(self._body())
            if at_end:
                body.call_after_refresh(body.scroll_end, animate=False)

    def set_current(self, current: bool) -> None:
        self.current = current
        self.set_class(current, "-current")
        self.query_one(".pane-header", Static).update(header_text(self.state, current))

    # ---------------------------------------------------------------- editing

    async def start_edit(self) -> TextArea:
        self.editing = True
        self.query_one(".pane-body").display = False
        editor = TextArea(self.state.text, soft_wrap=True, classes="pane-editor", id=f"editor-{self.state.draft_id}")
        await self.mount(editor, before=self.query_one(".pane-error"))
        editor.focus()
        self.app.refresh_bindings()
        return editor

    @property
    def editor(self) -> TextArea | None:
        found = self.query(".pane-editor")
        return found.first(TextArea) if found else None

    async def end_edit(self) -> str | None:
        editor = self.editor
        if editor is None:
            return None
        text = editor.text
        await editor.remove()
        self.editing = False
        self.query_one(".pane-body").display = True
        self.state.text = text
        self.refresh_state()
        self.app.refresh_bindings()
        return text

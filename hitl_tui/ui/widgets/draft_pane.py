"""One variant: its label, live status, gate badges and text (with gate evidence highlighted), or an editor.

The pane takes the keys while its variant is being read (arrows scroll the text); the editor only while it is open
and on screen. Leaving the editor always hands the keys back to the pane.

Attributes down, messages up: the screen gives the pane a `PaneState`; the pane owns its editor, re-checks the
gates as the reviewer types, and says so with messages (`GatesChanged`, `EditPaused` for the autosave,
`EditorLeft`) that the screen turns into store writes and detail updates. The pane never touches the store.
"""

from __future__ import annotations

import os
from dataclasses import field
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Static

from ...gate_status import FAIL, PASS, WARN
from ...records import record
from ..text import plain
from .draft_text import DraftText

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widgets import TextArea

    from ...gates import GateResult, GateSpec

AUTOSAVE_SECONDS = 0.5  # an edit is saved this long after the last keystroke, so a crash never eats one
STATUS_STYLE = {"pending": "dim", "streaming": "yellow", "done": "green", "failed": "bold red",
                "interrupted": "red", "retrying": "yellow"}
# Underlined as well as coloured, so evidence still shows with 16 colours or NO_COLOR.
EVIDENCE_STYLE = {FAIL: Style.parse("bold underline white on red"), WARN: Style.parse("underline black on yellow")}


@record
class PaneState:
    """What a draft pane shows of one variant: its text, status and counts."""
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
    save_error: str = ""  # why the last edit is not in hitl.db yet (it is kept in memory and retried)
    spec: GateSpec | None = None  # the open brief's gates
    claims: dict = field(default_factory=dict)  # its claims register (claim id -> ClaimRecord): sourced claims pass

    def check(self, text: str) -> list[GateResult]:
        """The gate results for `text` under this brief's spec: the one place the station computes gates. The
        claims gate is the register's verdict (approval.claims): a claim with a source, or in the brief, passes."""
        from ...approval.claims import gates_with_register

        return gates_with_register(text, self.spec, self.claims) if self.spec is not None else []

    def set_text(self, text: str, gates: bool = True) -> None:
        """The variant's text now, and its gate results. `gates=False` keeps the old results (a stream re-checks
        them only as its text grows; see review/streams.py)."""
        self.text = text
        if gates:
            self.gates = self.check(text)


def header_text(state: PaneState, current: bool) -> Text:
    """Two lines: who wrote it (and which revision), then its live status."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append("▶ " if current else "  ", style="bold")
    t.append(plain(state.label), style="bold")
    t.append(f"  r{state.revision}{' ✎ edited' if state.edited else ''}", style="dim")
    if state.decision:
        t.append(f"  {state.decision.upper()}", style="bold green" if state.decision != "reject" else "bold red")
    t.append("\n  ")
    if state.save_error:  # the reviewer's words are not safe yet: that comes before anything else
        t.append(f"⚠ {state.save_error}", style="bold red")
        return t
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


_editor_class = None


def editor_class():
    """The inline editor: a TextArea that draws nothing once it has been removed.

    Textual drops a removed widget's component styles at once, but draws from the last layout until the next one:
    a station whose panes were reloaded while a dialog was open (its see-through backdrop is the station as last
    laid out) ended with KeyError "No 'text-area--gutter' key in COMPONENT_CLASSES". Made on first use, so the
    editor's code loads when someone first edits.
    """
    global _editor_class
    if _editor_class is None:
        from textual.widgets import TextArea

        class PaneEditor(TextArea):
            def render_lines(self, crop: Region) -> list[Strip]:
                if not self.is_attached:
                    return [Strip.blank(crop.width)] * crop.height
                return super().render_lines(crop)

        _editor_class = PaneEditor
    return _editor_class


class DraftPane(Vertical, can_focus=True):
    """A variant. Posts `GatesChanged` while its text is edited, `EditPaused` when an edit is due to be saved, and
    `EditorLeft` when the keys left its open editor (a click elsewhere); the screen saves and closes it."""

    @record
    class GatesChanged(Message):
        """The reviewer typed: `pane.state.gates` were re-checked for `text` (the editor's text now)."""

        pane: DraftPane
        text: str

    @record
    class EditPaused(Message):
        """The reviewer stopped typing for AUTOSAVE_SECONDS: save `text` as part of edit `session`."""

        pane: DraftPane
        text: str
        session: str

    @record
    class EditorLeft(Message):
        """The keys left the open editor by a path that is not a key of ours (a click elsewhere): close it, saved."""

        pane: DraftPane

    DEFAULT_CLASSES = "draft-pane"
    ALLOW_MAXIMIZE = True  # zoom (z) fills the screen with one variant
    BINDINGS = [Binding("up", "scroll_text(-1)", show=False), Binding("down", "scroll_text(1)", show=False),
                Binding("pageup", "page_text(-1)", show=False), Binding("pagedown", "page_text(1)", show=False)]

    def __init__(self, state: PaneState, retry_key: str = "g", **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.retry_key = retry_key
        self.current = False
        self.editing = False
        self.edit_session: str | None = None  # one id per opening of the editor: its autosaves are one edit
        self._autosave: Timer | None = None
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

    def action_scroll_text(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)

    def action_page_text(self, pages: int) -> None:
        self.body.scroll_relative(y=pages * max(1, self.body.size.height - 1), animate=False)

    async def start_edit(self) -> TextArea:
        self.editing = True
        self.edit_session = os.urandom(6).hex()
        self.body.display = False
        editor = editor_class()(self.state.text, soft_wrap=True, classes="pane-editor",
                                id=f"editor-{self.state.draft_id}")
        await self.mount(editor, before=self.error)
        editor.focus()
        self.app.refresh_bindings()
        return editor

    @property
    def editor(self) -> TextArea | None:
        found = self.query(".pane-editor")
        return found.first() if found else None

    async def end_edit(self) -> str | None:
        """Close the editor and show its text; the keys come back to this pane if they were in the editor."""
        editor = self.editor
        if editor is None:
            return None
        text = editor.text
        had_keys = editor.has_focus
        self.editing = False  # at once: nothing may type into (or save from) an editor on its way out
        self._stop_autosave()
        await editor.remove()
        self.body.display = True
        self.state.set_text(text)
        self.refresh_state()
        if had_keys and self.is_attached:
            self.focus()
        self.app.refresh_bindings()
        return text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if not self.editing or event.text_area is not self.editor:
            return
        text = event.text_area.text
        self.state.gates = self.state.check(text)  # the saved text stays state.text until the save goes through
        self.refresh_state()
        self.post_message(self.GatesChanged(self, text))
        self._stop_autosave()
        self._autosave = self.set_timer(AUTOSAVE_SECONDS, self._autosave_due)

    def _autosave_due(self) -> None:
        editor = self.editor
        if self.editing and editor is not None and self.edit_session:
            self.post_message(self.EditPaused(self, editor.text, self.edit_session))

    def _stop_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None

    def on_descendant_blur(self, event) -> None:
        if event.widget.has_class("pane-editor"):
            self.call_after_refresh(self._editor_blurred)

    def _editor_blurred(self) -> None:
        editor = self.editor
        if self.editing and editor is not None and self.is_attached and self.screen.focused is not editor:
            self.post_message(self.EditorLeft(self))

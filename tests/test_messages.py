"""Widgets own their behaviour and say what happened with messages; the screen turns those into store writes.

Each widget here runs alone in a small Textual app (no store, no screen of ours) that records the messages that
reach it: what the review screen receives is exactly this.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from hitl_tui.config import ManualItem, parse_config
from hitl_tui.defaults import starter_config
from hitl_tui.gates import FAIL, gate_spec
from hitl_tui.keymap import ACTIONS, key_clashes
from hitl_tui.store import BriefRow
from hitl_tui.ui.widgets.draft_pane import AUTOSAVE_SECONDS, DraftPane, PaneState
from hitl_tui.ui.widgets.queue import BriefQueue
from hitl_tui.ui.widgets.review_panel import Checklist
from waiting import wait_until


class Recorder(App):
    """Hosts one widget and keeps every message from our widgets that bubbles up to it."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget
        self.seen: list = []

    def compose(self) -> ComposeResult:
        yield self.widget
        yield Static("elsewhere", id="elsewhere")

    def on_draft_pane_gates_changed(self, message: DraftPane.GatesChanged) -> None:
        self.seen.append(message)

    def on_draft_pane_edit_paused(self, message: DraftPane.EditPaused) -> None:
        self.seen.append(message)

    def on_draft_pane_editor_left(self, message: DraftPane.EditorLeft) -> None:
        self.seen.append(message)

    def on_checklist_toggled(self, message: Checklist.Toggled) -> None:
        self.seen.append(message)

    def on_brief_queue_highlighted(self, message: BriefQueue.Highlighted) -> None:
        self.seen.append(message)

    def of(self, kind) -> list:
        return [m for m in self.seen if isinstance(m, kind)]


def pane_state(text: str) -> PaneState:
    config = parse_config(starter_config())  # its default checklist: "no exclamation pile-ups", required
    state = PaneState(1, "model-a", status="done", spec=gate_spec(config, None))
    state.set_text(text)
    return state


async def test_typing_in_a_pane_rechecks_its_gates_and_asks_for_one_save_when_the_reviewer_pauses():
    state = pane_state("A calm line.")
    pane = DraftPane(state, id="pane-1")
    app = Recorder(pane)
    async with app.run_test(size=(80, 20)) as pilot:
        editor = await pane.start_edit()
        session = pane.edit_session
        assert session and not app.seen
        await pilot.press("end", "!", "!", "!")  # the starter checklist's rule: no exclamation pile-ups
        await wait_until(lambda: app.of(DraftPane.EditPaused), what="an EditPaused after the pause")
        changed = app.of(DraftPane.GatesChanged)
        assert changed and changed[-1].pane is pane and changed[-1].text == editor.text
        assert any(r.status == FAIL for r in pane.state.gates)  # re-checked on the new text: the !!! rule fails
        paused = app.of(DraftPane.EditPaused)
        # One save for the burst of keys (the timer restarts on each), of the text as typed, in the edit's session.
        assert len(paused) == 1 and paused[0].text == editor.text and paused[0].session == session
        assert pane.state.text == "A calm line."  # the pane's saved text changes only once the screen saved it
        await pilot.pause(AUTOSAVE_SECONDS * 2)
        assert len(app.of(DraftPane.EditPaused)) == 1  # nothing new typed: no second save


async def test_a_pane_says_when_the_keys_leave_its_open_editor():
    pane = DraftPane(pane_state("Some copy."), id="pane-1")
    app = Recorder(pane)
    async with app.run_test(size=(80, 20)) as pilot:
        await pane.start_edit()
        await pilot.pause()
        app.set_focus(None)  # a click on something that takes no focus, or a screen change
        await wait_until(lambda: app.of(DraftPane.EditorLeft), what="EditorLeft")
        assert app.of(DraftPane.EditorLeft)[0].pane is pane
        text = await pane.end_edit()  # what the screen does with it: close (it saves the text first)
        assert text == "Some copy." and not pane.editing and pane.editor is None


async def test_ticking_the_checklist_posts_the_item_and_its_new_state():
    checklist = Checklist(id="checklist")
    app = Recorder(checklist)
    async with app.run_test(size=(80, 20)) as pilot:
        checklist.show([ManualItem("facts", "Facts checked", True), ManualItem("legal", "Legal read", False)], {})
        checklist.focus()
        checklist.highlighted = 1
        await pilot.press("space")
        await pilot.press("space")
        toggles = [(m.item, m.checked) for m in app.of(Checklist.Toggled)]
        assert toggles == [("legal", True), ("legal", False)]


async def test_moving_in_the_queue_posts_the_highlighted_brief():
    queue = BriefQueue(id="queue")
    app = Recorder(queue)
    rows = [BriefRow(i, n, n.title(), "email", drafts=2, done=2, status="ready")
            for i, n in enumerate(("a.toml", "b.toml"))]
    async with app.run_test(size=(80, 20)) as pilot:
        queue.set_rows(rows)
        queue.focus()
        await pilot.pause()
        await pilot.press("down")
        names = [m.name for m in app.of(BriefQueue.Highlighted)]
        assert names == ["a.toml", "b.toml"]


def test_a_key_clash_names_both_actions_and_the_key():
    keys = {a.id: a.key for a in ACTIONS}
    assert key_clashes(keys) == []
    keys["approve"] = "x"  # reject's key
    warnings = key_clashes(keys)
    assert len(warnings) == 1 and "approve" in warnings[0] and "reject" in warnings[0] and "'x'" in warnings[0]
    keys = {a.id: a.key for a in ACTIONS}
    keys["note"] = "3"  # a score key
    assert "note and score 3 (fixed)" in key_clashes(keys)[0]

"""Inline editing: keys change copy only while the editor is visibly open, leaving it by any path saves and gives
the keys back to the pane, a pane reload never draws a removed editor, and a full disk loses nothing typed."""

from __future__ import annotations

import asyncio

from stations import settle, station, toasts
from test_ui import drop, make_workspace, observed, panes_done
from textual.widgets import TextArea

from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.widgets.draft_pane import DraftPane



async def test_zoom_edit_escape_then_reject_types_the_reason_into_the_dialog(tmp_path, llm_server):
    async with station(tmp_path, llm_server) as (ws, app, pilot):
        state = app.review.current_state
        before = state.text
        await pilot.press("z", "e")
        assert app.review.current_pane.editing and isinstance(app.focused, TextArea)
        await pilot.press("escape")
        assert not app.review.current_pane.editing and app.review.current_pane.editor is None
        assert app.focused is app.review.current_pane  # the keys go to the pane, not to a hidden editor
        await pilot.press("x")
        await settle(lambda: app.screen.is_modal)
        await pilot.press(*"off brand", "enter")
        async with observed(ws) as store:
            decisions = await settle(lambda: store.decisions(state.draft_id))
            assert [(d.kind, d.reason) for d in decisions] == [("reject", "off brand")]
            assert [r.kind for r in await store.revisions(state.draft_id)] == ["ai"]  # no edit was saved
        assert app.review.current_state.text == before and "off brand" not in "".join(app.review.current_pane.body.lines_text())


async def test_every_way_out_of_the_editor_saves_and_returns_keys_to_the_pane(tmp_path, llm_server):
    async with station(tmp_path, llm_server) as (ws, app, pilot):
        async with observed(ws) as store:
            # tab: the next variant; the edit is saved and the editor closed
            first = app.review.current_state.draft_id
            await pilot.press("e", "H", "i", "tab")
            assert app.review.pane_index == 1 and not any(p.editing for p in app.query(DraftPane))
            assert app.focused is app.review.current_pane
            assert (await store.revisions(first))[-1].text.startswith("Hi")
            # a dialog (help): closed and saved before it opens
            second = app.review.current_state.draft_id
            await pilot.press("e", "Y", "o", "f1")
            assert type(app.screen).__name__ == "HelpScreen"
            assert not app.query_one(f"#pane-{second}", DraftPane).editing
            assert (await store.revisions(second))[-1].text.startswith("Yo")
            await pilot.press("escape")
            assert app.focused is app.review.current_pane
            # the panes reload (a new version of the brief, a colleague's change): closed, saved, keys to the pane
            await pilot.press("e", "!")
            await app.review.open_brief(app.review.current_name, force=True)
            await pilot.pause()
            assert not any(p.editing for p in app.query(DraftPane)) and not app.query(TextArea)
            assert (await store.revisions(second))[-1].text.startswith("!Yo")
            assert app.focused is app.review.current_pane
            await pilot.press("x")  # a key after the reload is a command again, not text
            await settle(lambda: app.screen.is_modal)
            await pilot.press("escape")


async def test_a_pane_reload_under_a_dialog_never_draws_the_removed_editor(tmp_path, llm_server):
    """Seen in the field: KeyError "No 'text-area--gutter' key in COMPONENT_CLASSES" ended a station. The editor was
    removed (its panes reloaded) while a dialog was on top; the dialog's see-through backdrop draws the station as
    last laid out, and until that re-layout the removed editor, whose styles Textual has already dropped, is in it.
    Here the screen is drawn at every turn of the event loop while the panes reload, as a busy terminal might."""
    async with station(tmp_path, llm_server) as (ws, app, pilot):
        await pilot.press("e", "H", "i")
        await app.push_screen(_Backdrop())
        await pilot.pause()
        painting = True
        drawn = 0

        async def paint():
            nonlocal drawn
            while painting:
                app.screen.refresh()
                app.export_screenshot()
                drawn += 1
                await asyncio.sleep(0)

        painter = asyncio.ensure_future(paint())
        try:
            await app.review.open_brief(app.review.current_name, force=True)
            for _ in range(20):
                await asyncio.sleep(0)
        finally:
            painting = False
            await painter
        await pilot.pause()
        assert drawn > 0 and app.is_running and app._exception is None
        async with observed(ws) as store:
            assert (await store.revisions(app.review.current_state.draft_id))[-1].text.startswith("Hi")


def _Backdrop():
    from textual.screen import ModalScreen
    from textual.widgets import Static

    class Backdrop(ModalScreen):
        """A dialog with the station showing through (any of the station's dialogs does this)."""

        def compose(self):
            yield Static("a dialog")

    return Backdrop()


# ---------------------------------------------------------------------------------------------------- a full disk

async def fill_database(app: HitlApp) -> None:
    """A real SQLITE_FULL, no mocks: the database may not grow past the pages it has now."""
    pages = (await app.store.fetchone("PRAGMA page_count"))["page_count"]
    await app.store.db.execute(f"PRAGMA max_page_count = {pages}")


async def free_space(app: HitlApp) -> None:
    await app.store.db.execute("PRAGMA max_page_count = 1073741823")


LONG_TEXT = "Typed while the disk was full. " * 400  # ~12 KB: needs new pages in hitl.db


async def test_a_full_disk_while_editing_keeps_the_text_retries_and_saves_when_space_returns(tmp_path, llm_server):
    async with station(tmp_path, llm_server) as (ws, app, pilot):
        state = app.review.current_state
        await pilot.press("e")
        await fill_database(app)
        editor = app.review.current_pane.editor
        editor.replace(LONG_TEXT, (0, 0), editor.document.end)
        header = app.review.current_pane.header
        await settle(lambda: "not saved: disk full — retrying" in str(header.render()))
        assert app.is_running
        await settle(lambda: "not saved yet" in str(app.query_one("#keys").content))  # escape no longer says saved
        await pilot.press("escape")  # leaving the editor keeps the text on screen and in memory
        assert app.is_running and not app.review.current_pane.editing and app.review.current_state.text == LONG_TEXT
        assert "not saved: disk full — retrying" in str(header.render())
        # Any other write the log refuses says so and the station stays (a score: small enough to fit in a page
        # that has room, so refused here by making the connection read-only, a real SQLite refusal too).
        await app.store.db.execute("PRAGMA query_only = ON")
        await pilot.press("4")
        await settle(lambda: any("Could not write to hitl.db (the log is read-only)" in t for t in toasts(app)))
        await app.store.db.execute("PRAGMA query_only = OFF")
        assert app.is_running
        async with observed(ws) as store:
            assert [r.kind for r in await store.revisions(state.draft_id)] == ["ai"]
            await free_space(app)  # space returns: the retry saves it, and the warning goes
            await settle(lambda: store.revisions(state.draft_id))
            revisions = await settle(lambda: _last_text_is(store, state.draft_id, LONG_TEXT))
            assert revisions
        await settle(lambda: "not saved" not in str(header.render()))
        assert any("Saved" in t for t in toasts(app))


async def _last_text_is(store, draft_id: int, text: str) -> bool:
    return (await store.revisions(draft_id))[-1].text == text


async def test_quitting_while_the_disk_is_full_exits_cleanly_and_keeps_the_text_in_a_recovery_file(
        tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server)
    drop(ws)
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(app))
        await pilot.press("e")
        await fill_database(app)
        editor = app.review.current_pane.editor
        editor.replace(LONG_TEXT, (0, 0), editor.document.end)
        await pilot.press("escape", "q")  # (in the editor, q is a letter)
    assert app.return_code in (0, None) and app._exception is None
    notes = "\n".join(app.exit_notes)
    recovered = [p for p in ws.root.iterdir() if p.name.startswith("unsaved-edits")]
    assert len(recovered) == 1 and LONG_TEXT in recovered[0].read_text()
    assert "could not be saved" in notes and str(recovered[0]) in notes

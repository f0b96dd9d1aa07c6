"""Keys typed before a dialog is on screen (a fast typist, a paste, an SSH link that delivers keys in bunches) are
the dialog's, never station keys; and when no dialog comes, they are not run as station keys either."""

from __future__ import annotations

from textual import events
from test_ui import observed, reviewing
from waiting import wait_until

from hitl_tui.ui.screens.modals import TextPrompt

NAMES = {" ": "space", ",": "comma", "\r": "enter"}


def type_at_once(app, keys: str) -> None:
    """Every key queued at once, as a terminal delivers a bunch: none waits for the one before to be handled."""
    for char in keys:
        app.post_message(events.Key(NAMES.get(char, char), char))


async def test_a_reject_reason_typed_at_once_is_the_reason_and_runs_no_station_key(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        opened = app.review.current_name
        type_at_once(app, "xtoo long, regenerate nothing\r")  # n: next brief, g: regenerate, o: note, l: claims
        async with observed(ws) as store:
            decisions = await wait_until(lambda: store.fetchall("SELECT kind, reason FROM decisions"))
            assert [(d["kind"], d["reason"]) for d in decisions] == [("reject", "too long, regenerate nothing")]
        assert app.review.current_name == opened and not isinstance(app.screen, TextPrompt)
        assert all(s.revision == 1 for s in app.review.states.values())  # nothing regenerated


async def test_keys_typed_for_a_dialog_that_does_not_open_are_not_station_keys(tmp_path, llm_server):
    """r on a variant that is still streaming says why not; the instruction typed after it is dropped, not run."""
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        state = app.review.current_state
        state.status = "streaming"  # as if its revision were streaming: r is refused with a reason
        type_at_once(app, "ra new angle")  # a: approve, n: next brief, g: regenerate
        await wait_until(lambda: any("finish streaming" in str(n.message) for n in app._notifications))
        await wait_until(lambda: not app.held_keys.holding)
        await pilot.pause()
        async with observed(ws) as store:
            assert not await store.fetchall("SELECT 1 FROM decisions")
        assert not list(ws.outbox.iterdir()) and app.review.current_state is state


async def test_station_keys_typed_at_once_still_act(tmp_path, llm_server):
    """Holding is only for a dialog's keys: scores typed at once all land, each on the next dimension."""
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        type_at_once(app, "453")
        dims = list(app.config.rubric)[:3]
        async def saved():
            rows = await store.fetchall("SELECT dimension, value FROM scores WHERE draft_id = ? ORDER BY id",
                                        (draft_id,))
            return rows if len(rows) == 3 else None

        async with observed(ws) as store:
            rows = await wait_until(saved, what="three scores in hitl.db")
            await wait_until(lambda: len(app.review.scores) == 3)
        assert app.review.scores == dict(zip(dims, (4, 5, 3)))
        assert [(r["dimension"], r["value"]) for r in rows] == list(zip(dims, (4, 5, 3)))


async def test_a_remapped_reject_key_holds_what_is_typed_after_it(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server, keys={"reject": "X"}) as (ws, app, pilot):
        type_at_once(app, "Xnot now\r")
        async with observed(ws) as store:
            decisions = await wait_until(lambda: store.fetchall("SELECT kind, reason FROM decisions"))
            assert [(d["kind"], d["reason"]) for d in decisions] == [("reject", "not now")]

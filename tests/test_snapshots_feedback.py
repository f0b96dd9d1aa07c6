"""Snapshots of issue 12's views at 120×40 and 80×24: the revise list (r), a revision's feedback with its marks (f)
and the learned-rules review list (L). The offline drafter keeps them deterministic (see test_snapshots.py).
Update after an intended visual change with `pytest tests/test_snapshots_feedback.py --snapshot-update`."""

from __future__ import annotations

import asyncio

import pytest
from learned_history import craft
from test_snapshots import drafted, station
from waiting import wait_until

from hitl_tui.store import Store
from hitl_tui.ui.screens.feedback import FeedbackScreen
from hitl_tui.ui.screens.revise import ReviseScreen
from hitl_tui.ui.screens.rules import RulesScreen

SIZES = [(120, 40), (80, 24)]


async def revise_list(pilot) -> None:
    await drafted(pilot)
    await pilot.press("1", "2")  # voice 1, clarity 2: both low
    await pilot.press("r")
    await wait_until(lambda: isinstance(pilot.app.screen, ReviseScreen))
    await pilot.press(*"lead with the saving", "tab", "down", "space")  # the second item dropped
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES)
def test_revise_list(snap_compare, tmp_path, size):
    assert snap_compare(station(tmp_path), terminal_size=size, run_before=revise_list)


def test_feedback_marks_after_a_revision(snap_compare, tmp_path):
    async def revised_and_ticked(pilot):
        app = pilot.app
        await drafted(pilot)
        draft_id = app.review.current_state.draft_id
        await pilot.press("1", "r")
        await wait_until(lambda: isinstance(app.screen, ReviseScreen))
        await pilot.press(*"lead with the saving", "enter")
        await wait_until(lambda: app.review.states[draft_id].revision == 2 and app.review.states[draft_id].status == "done")
        await wait_until(lambda: any("Revision 2:" in str(n.message) for n in app._notifications))
        app.clear_notifications()  # toasts time out on their own clock: not part of the look
        await pilot.pause(0.2)
        await pilot.press("f")
        screen = await wait_until(lambda: isinstance(app.screen, FeedbackScreen) and app.screen)
        await pilot.press("y")  # the instruction: addressed
        await wait_until(lambda: screen.ticks == 1)
        await pilot.pause(0.2)

    assert snap_compare(station(tmp_path), terminal_size=(120, 40), run_before=revised_and_ticked)


@pytest.mark.parametrize("size", SIZES)
def test_rules_review_list(snap_compare, tmp_path, size):
    app = station(tmp_path)

    async def history():
        async with Store.opened(app.ws.db_path, "tester") as store:
            await craft(store)

    asyncio.run(history())  # before the station starts: the queue shows the crafted briefs from its first frame

    async def rules(pilot):
        await drafted(pilot)
        await pilot.press("L")
        await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=rules)

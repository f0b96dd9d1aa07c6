"""Claims (leases) across sessions: the same person gets their brief back after a crash, a colleague waits for the
lease, and two live sessions of one person do not fight over a brief. Two stations under Pilot on one workspace
(tests/test_recovery.py kills a real station and restarts it)."""

from __future__ import annotations

from test_ui import drop, make_workspace
from waiting import wait_until

from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.workspace import Workspace


async def test_a_colleague_still_waits_for_a_crashed_sessions_lease(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, drafting={"auto_draft": False})
    drop(ws)
    async with Store.opened(ws.db_path, "tester") as store:  # what a crashed session of `tester` leaves
        brief_id = (await store.sync_brief(_brief(ws))).brief_id
        assert (await store.claim(brief_id, "dead-session"))[0]
    ws.config.reviewer = "colleague"
    app = HitlApp(ws, watch=False)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: app.review.shown_name)
        assert app.review.claimed_id is None and "In review by tester" in app.review.notice


async def test_the_same_person_in_two_sessions_does_not_fight_over_a_brief(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, drafting={"auto_draft": False})
    drop(ws)
    first = HitlApp(ws, watch=False)
    async with first.run_test(size=(120, 40)):
        await wait_until(lambda: first.review.claimed_id is not None)
        second = HitlApp(Workspace.load(ws.root, reviewer="tester"), watch=False)  # the same person
        async with second.run_test(size=(120, 40)):
            await wait_until(lambda: second.review.shown_name)
            assert second.review.claimed_id is not None  # the person's newest session has it
            # The old session's renewals (its own timer's job, run on its own screen: a screen's `app` is the app
            # whose task runs it, so not from this test's context, which is the second app's): it notices, says
            # so, and does not take it back.
            for _ in range(3):
                first.review.call_later(first.review.renew_claim)
            await wait_until(lambda: first.review.claimed_id is None and "another session" in first.review.notice)
            async with Store.opened(ws.db_path, "observer") as store:
                claims = await store.fetchall("SELECT instance FROM claims")
            assert [c["instance"] for c in claims] == [second.instance]


def _brief(ws):
    from hitl_tui.briefs import parse_brief

    return parse_brief(ws.inbox / "sale.toml", ws.inbox)

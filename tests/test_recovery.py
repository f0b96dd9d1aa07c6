"""After a crash: the same person gets their brief back at once, drafts whose writer died end as interrupted (with
their partial text and what happened), at start-up and while a station runs. Real processes are killed with
SIGKILL; the station that recovers runs under Pilot."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from station_process import StationProcess, query, wait_for_rows
from test_quit import workspace
from waiting import wait_until, wait_until_sync

from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.run import _open_log_meanwhile
from hitl_tui.workspace import Workspace


def _kill_everything(station: StationProcess) -> None:
    """A crash of the station and its worker at one instant (kill -9, the machine going down). All are stopped
    first: killed one after another, the worker outlived the station by a moment and, its pipe closed, recorded
    "the station went away" itself (1 busy CI run in 7), which is not the crash this test is about."""
    pids = list(station.descendants())
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    station.wait_exit()
    wait_until_sync(lambda: station.left_behind() == [])


@pytest.mark.parametrize("log_read", ["by the station", "meanwhile, as `hitl` does"])
def test_after_a_crash_the_next_start_ends_the_dead_drafts_and_returns_the_brief(tmp_path, llm_server, log_read):
    """kill -9 of the station and its worker, restarted within seconds by the same person. `hitl` opens the log
    and reads the queue while the UI loads (ui/run.py); the dead drafts must be ended on that path too."""
    model = "slow-300-100-crash"
    root = workspace(tmp_path / "ws", llm_server, model)
    db = root / "hitl.db"
    station = StationProcess(root)
    try:
        wait_for_rows(db, "SELECT 1 FROM revisions WHERE status='streaming' AND text LIKE '%word3%'")
        wait_for_rows(db, "SELECT 1 FROM claims")  # the brief is open for review there
        _kill_everything(station)
    finally:
        station.close()
    assert len(query(db, "SELECT 1 FROM revisions WHERE status='streaming'")) == 2  # what the crash left
    asyncio.run(_restart_as_the_same_person(root, meanwhile=log_read != "by the station"))


async def _restart_as_the_same_person(root, meanwhile: bool) -> None:
    ws = Workspace.load(root)
    ws.config.drafting.auto_draft = False
    app = HitlApp(ws, watch=False, log_opening=_open_log_meanwhile(ws) if meanwhile else None)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: app.review.shown_name)
        # At once, not after the dead session's 30 s lease or a 10 s staleness rule:
        assert app.review.claimed_id is not None and app.review.notice == "", app.review.notice
        assert len(app.review.states) == 2
        for state in app.review.states.values():
            assert state.status == "interrupted" and "drafting worker stopped" in state.error, state.error
            assert state.text.count("word") >= 3
    rows = query(root / "hitl.db", "SELECT status, error FROM revisions")
    assert all(s == "interrupted" and "cancelled by the reviewer" not in e for s, e in rows)


def test_a_running_station_ends_drafts_whose_writer_died(tmp_path, llm_server):
    """`hitl draft` streams a brief the station shows; it is killed: the station ends those drafts by itself,
    while it runs (its poll loop), with the partial text and what happened."""
    asyncio.run(_writer_dies_while_station_runs(tmp_path, llm_server))


async def _writer_dies_while_station_runs(tmp_path, server) -> None:
    model = "slow-300-100-cli"
    root = workspace(tmp_path / "ws", server, model)
    ws = Workspace.load(root)
    ws.config.drafting.auto_draft = False
    cli = subprocess.Popen([sys.executable, "-m", "hitl_tui", "-w", str(root), "draft", "brief-0.toml", "-n", "2"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        await wait_until(lambda: query(root / "hitl.db", "SELECT 1 FROM revisions WHERE status='streaming'"))
        app = HitlApp(ws, watch=False)
        async with app.run_test(size=(120, 40)):
            await wait_until(lambda: len(app.review.states) == 2)
            # Another process's drafts stream on this screen too (read from the log).
            await wait_until(lambda: all(s.text.count("word") >= 15 for s in app.review.states.values()))
            cli.kill()
            cli.wait(30)
            killed = time.monotonic()
            await wait_until(lambda: all(s.status == "interrupted" for s in app.review.states.values()))
            assert time.monotonic() - killed < 30  # not left for the next start; a hang guard, not a target
            for state in app.review.states.values():
                assert "stopped while this was streaming" in state.error and state.text.count("word") >= 10
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait(30)
    rows = query(root / "hitl.db", "SELECT status, error FROM revisions")
    assert rows and all(s == "interrupted" and "cancelled" not in e for s, e in rows)


async def test_a_writer_on_another_host_that_stops_answering_is_detected(tmp_path):
    """A drafting process on another machine cannot be asked whether it runs: a stale heartbeat says so."""
    from hitl_tui.briefs import Brief

    async with Store.opened(tmp_path / "hitl.db", "tester") as store:
        version = (await store.sync_brief(Brief(name="a.toml", title="A", brief="x", content_hash="h"))).version_id
        far = await store.register_writer("worker", host="elsewhere", pid=1)
        store.writer_id = far
        [(_draft, revision)] = await store.create_drafts(version, [(0, "m", "m", 0.7)], "v1")
        await store.save_partials({revision: ("partial text", 2)})
        assert await store.recover_orphans() == []  # its heartbeat is fresh: it is alive
        await store.heartbeat(far, at=time.time() - 600)
        ended = await store.recover_orphans()
        assert [e[0] for e in ended] == [revision]
        row = await store.revision(revision)
        assert row.status == "interrupted" and row.text == "partial text"
        assert "elsewhere" in row.error and "stopped answering" in row.error

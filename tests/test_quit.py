"""Quitting the station (q, SIGTERM, a dropped connection) at any moment: it exits, nothing of ours keeps running,
no request reaches the provider after the quit, and what was streaming is kept as interrupted by the quit.

Each test runs `python -m hitl_tui` on a pseudo-terminal against the local OpenAI-compatible server, whose slow
streams keep drafts streaming for a minute unless the station closes them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tomllib
from pathlib import Path

import pytest
import tomli_w

from station_process import StationProcess, query, wait_for_rows
from waiting import wait_until, wait_until_sync

from hitl_tui.workspace import Workspace, init_workspace

REASON = {"q": "the station quit", "SIGTERM": "(SIGTERM)", "SIGHUP": "(SIGHUP)"}
HOW = ["q", "SIGTERM", "SIGHUP"]


def workspace(root: Path, server, model: str, briefs: int = 1, variants: int = 2) -> Path:
    init_workspace(root, examples=False)
    config = tomllib.loads((root / "hitl.toml").read_text())
    config["drafting"]["models"] = [{"model": f"openai/{model}", "api_base": server.base_url, "label": model}]
    config["drafting"]["variants"] = variants
    config["inbox"]["settle_ms"] = 50
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    for i in range(briefs):
        (root / "briefs" / f"brief-{i}.toml").write_text(
            f'title = "Campaign {i}"\nbrief = "Announce offer {i}."\nchannel = "email"\n')
    return root


def quit_by(station: StationProcess, how: str) -> float:
    """Quit the way a reviewer (or their connection) does; returns the moment it began."""
    if how == "q":
        return station.press(b"q")
    if how == "SIGTERM":
        return station.signal(signal.SIGTERM)
    return station.hang_up()  # the terminal goes away: the kernel sends SIGHUP


def live_revisions(db: Path) -> list[tuple]:
    return query(db, "SELECT id, status FROM revisions WHERE status IN ('pending', 'streaming')")


def assert_quit_cleanly(station: StationProcess, server, model: str, moment: float) -> None:
    station.wait_exit()  # a hang guard only: the 2 s target is measured in tests/bench (quit while streaming)
    assert station.left_behind() == [], "a process of ours is still running after the station exited"
    assert server.requests_after(moment, model) == [], "a request reached the provider after the quit"
    wait_until_sync(lambda: server.open_streams[model] == 0, what="the station's HTTP streams are closed")
    assert live_revisions(station.root / "hitl.db") == [], "drafts left pending/streaming"


@pytest.mark.parametrize("how", HOW)
def test_quit_while_drafts_stream_with_briefs_queued(tmp_path, llm_server, how):
    model = f"slow-300-100-{how.lower()}"
    root = workspace(tmp_path / "ws", llm_server, model, briefs=3)
    station = StationProcess(root)
    try:
        # Two briefs draft (two variants each); the third waits in the station's queue.
        wait_until_sync(lambda: llm_server.tokens_sent[model] >= 12, what="drafts streaming")
        assert station.worker_pid() is not None
        moment = quit_by(station, how)
        assert_quit_cleanly(station, llm_server, model, moment)
    finally:
        station.close()
    db = root / "hitl.db"
    rows = query(db, "SELECT r.status, r.error, r.text, v.brief_id FROM revisions r JOIN drafts d ON d.id = "
                     "r.draft_id JOIN brief_versions v ON v.id = d.brief_version_id")
    assert len(rows) == 4 and len({r[3] for r in rows}) == 2, "the queued brief was drafted after the quit"
    for status, error, text, _brief in rows:
        assert status == "interrupted" and REASON[how] in error, (status, error)
        assert "cancelled by the reviewer" not in error
    assert sum(text.count("word") for *_, text, _b in rows) >= 12  # the partial text is kept
    if how == "q":
        asyncio.run(_next_start_shows_interrupted_drafts(root))


async def _next_start_shows_interrupted_drafts(root: Path) -> None:
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.ui.widgets.draft_pane import error_text

    app = HitlApp(Workspace.load(root), watch=False)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: len(app.review.states) == 2 and app.review.shown_name)
        for state in app.review.states.values():
            assert state.status == "interrupted" and state.text.count("word") >= 1
            shown = str(error_text(state, "g"))
            assert "the station quit" in shown and "g retries" in shown


@pytest.mark.parametrize("how", HOW)
def test_quit_before_the_drafting_worker_is_up(tmp_path, llm_server, how):
    model = f"slow-300-100-early-{how.lower()}"
    root = workspace(tmp_path / "ws", llm_server, model)
    station = StationProcess(root)
    try:
        wait_until_sync(lambda: station.shows(b"Campaign 0"), what="the first frame")
        station.descendants()
        moment = quit_by(station, how)
        assert_quit_cleanly(station, llm_server, model, moment)
    finally:
        station.close()
    assert llm_server.calls[model] == 0  # litellm takes seconds to load: no request could have been due yet
    for status, error in query(root / "hitl.db", "SELECT status, error FROM revisions"):
        assert status == "interrupted" and REASON[how] in error


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_stopped_at_launch_as_the_drafting_worker_starts(tmp_path, llm_server, how):
    """With auto_draft on, the worker is started at launch, beside the first frame: a signal from that moment on
    stops the station and its worker; none is left running on its own."""
    model = f"slow-300-100-launch-{how.lower()}"
    root = workspace(tmp_path / "ws", llm_server, model)
    station = StationProcess(root)
    try:
        wait_until_sync(lambda: station.worker_pid() is not None, what="the drafting worker started")
        moment = quit_by(station, how)
        assert_quit_cleanly(station, llm_server, model, moment)
    finally:
        station.close()
    assert llm_server.calls[model] == 0


def test_the_worker_started_at_launch_is_the_one_that_drafts(tmp_path, llm_server):
    """`hitl` starts the worker before the first frame and the station adopts it after that frame (the client's
    imports stay off the first frame's path): the drafts stream through that very process, and no second worker
    is started beside it."""
    model = "slow-300-100-adopted"
    root = workspace(tmp_path / "ws", llm_server, model)
    station = StationProcess(root)
    try:
        wait_until_sync(lambda: station.worker_pid() is not None, what="the drafting worker started")
        early = station.worker_pid()
        wait_until_sync(lambda: llm_server.tokens_sent[model] >= 4, what="drafts streaming")
        assert set(station.descendants()) - {station.proc.pid} == {early}
        moment = quit_by(station, "q")
        assert_quit_cleanly(station, llm_server, model, moment)
    finally:
        station.close()


def test_quit_while_a_revision_streams(tmp_path, llm_server):
    model = "revslow-30-100-rev"  # first drafts at once, a revision slowly
    root = workspace(tmp_path / "ws", llm_server, model)
    db = root / "hitl.db"
    station = StationProcess(root)
    try:
        wait_for_rows(db, "SELECT COUNT(*) FROM revisions WHERE status='done' HAVING COUNT(*) = 2")
        wait_until_sync(lambda: station.shows(b"done"), what="the panes show the drafts")
        station.press(b"r")
        # the revise list itself ("Revise" alone is also in the key bar); its hint line says "⏎ sends · tab to the list"
        wait_until_sync(lambda: station.shows(b"to the list"), what="the revise list")
        station.press(b"shorter please\r")
        wait_until_sync(lambda: llm_server.calls[model] == 3 and llm_server.tokens_sent[model] >= 63,
                        what="the revision streams")
        station.descendants()
        moment = quit_by(station, "q")
        assert_quit_cleanly(station, llm_server, model, moment)
    finally:
        station.close()
    rows = query(db, "SELECT number, status, error, text FROM revisions WHERE kind='ai' ORDER BY id")
    assert [(n, s) for n, s, _e, _t in rows] == [(1, "done"), (1, "done"), (2, "interrupted")]
    assert "the station quit" in rows[2][2] and rows[2][3].count("word") >= 3


def test_keys_pressed_while_quitting_do_nothing(tmp_path, llm_server):
    """`s` right after `q` crashed the station (AttributeError in action_stats: the log was already closed)."""
    asyncio.run(_keys_while_quitting(tmp_path, llm_server))


async def _keys_while_quitting(tmp_path: Path, server) -> None:
    from hitl_tui.ui.app import HitlApp

    model = "slow-300-100-keys"
    app = HitlApp(Workspace.load(workspace(tmp_path / "ws", server, model)))
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: server.tokens_sent[model] >= 4)
        quitting = asyncio.ensure_future(app.save_and_exit("quit"))
        await wait_until(lambda: app.store is None or quitting.done())
        for action in ("stats", "help", "next_brief", "approve", "score(3)", "undo", "revise", "regenerate"):
            await app.run_action(action)
        await quitting
    assert app.return_code in (0, None) and app._exception is None


def test_no_orphan_when_the_station_is_killed(tmp_path, llm_server):
    """kill -9 of the station: its worker (in a session of its own) sees the pipe close and exits by itself."""
    model = "slow-300-100-kill"
    root = workspace(tmp_path / "ws", llm_server, model)
    station = StationProcess(root)
    try:
        wait_until_sync(lambda: llm_server.tokens_sent[model] >= 6, what="drafts streaming")
        worker = station.worker_pid()
        assert worker is not None
        os.kill(station.proc.pid, signal.SIGKILL)
        station.wait_exit()
        wait_until_sync(lambda: station.left_behind() == [], what="the worker exits by itself")
        wait_until_sync(lambda: llm_server.open_streams[model] == 0, what="its streams are closed")
    finally:
        station.close()
    rows = query(root / "hitl.db", "SELECT status, error, text FROM revisions")
    assert rows and all(s == "interrupted" for s, _e, _t in rows)
    for _s, error, text in rows:
        # Nobody cancelled anything: the station went away (issue 9.3).
        assert "cancelled by the reviewer" not in error and "station went away" in error
        assert text.count("word") >= 1


def test_hang_up_while_a_large_inbox_loads(tmp_path, llm_server):
    """The terminal closed while the station was reading a big inbox: once, it ran on with no terminal at ~87% of
    a core for an hour. It must end, with nothing of ours left."""
    model = "slow-300-100-inbox"
    root = workspace(tmp_path / "ws", llm_server, model, briefs=3000)
    station = StationProcess(root)
    try:
        # The drafting worker starts at launch (before textual loads); after the first frame the inbox is read:
        # 3,000 briefs go into the log 500 at a time with a pause between. On a busy machine the first chunks may
        # be in already, so "still loading" is "not all of them yet". Hung up as soon as the frame is seen: a
        # scan of /proc for the worker on every poll let the whole inbox be read first (3 runs in 6).
        wait_until_sync(lambda: station.shows(b"Quit"), what="the first frame drawn")
        recorded = query(root / "hitl.db", "SELECT COUNT(*) FROM briefs")
        loading = not recorded or recorded[0][0] < 3000
        station.hang_up()  # records the station's processes first
        assert len(station.known) >= 2, "the drafting worker was not running at the first frame"
        station.wait_exit()
        assert station.left_behind() == []
    finally:
        station.close()
    assert loading, "the inbox had been read before the hang-up: the test did not test what it says"

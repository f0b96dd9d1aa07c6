"""Starting the station: `hitl` / `hitl review` on a workspace, `hitl demo` on a throwaway one."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sqlite3
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from ..workspace import Workspace, init_workspace


def _fast_start() -> None:
    """No cyclic garbage collection until the first frame is drawn (see launch.py; this covers callers that did
    not come through it). The app turns it back on, and freezes what start-up made, once the queue is shown."""
    gc.disable()


def _check_before_taking_the_terminal(ws: Workspace) -> None:
    """A log the station cannot use (damaged, newer, read-only) is one line before the screen is drawn, rather
    than a traceback on a half-started screen. Raises StoreError (a HitlError: `hitl` prints it, exit 2)."""
    from ..store.base import check_log

    check_log(ws.db_path)


def _open_log_meanwhile(ws: Workspace) -> Future:
    """Open the log and read the queue in a thread of its own while the UI's modules load (~150 ms of imports):
    the station then draws its first frame with the queue at once, instead of waiting for the log and its first
    queries, whose steps each waited behind the layout of the still-empty screen (tests/bench: first_frame).

    The result is (store, queue): `queue` is `store.queue_state()` after ending drafts a crash left streaming
    (`recover_orphans`, as the station does at every poll), or the database error that reading met (the station
    handles it as if met there). A log that cannot be opened (StoreError) is raised where the station awaits it.
    The connection is aiosqlite's: each call makes its future on the loop that awaits it, so the station's loop
    uses it as if it had opened it."""
    from ..store import Store

    opening: Future = Future()

    async def open_and_read():
        store = await Store.open(ws.db_path, ws.config.reviewer)
        try:
            await store.recover_orphans()
            return store, await store.queue_state()
        except sqlite3.DatabaseError as exc:
            return store, exc

    def run() -> None:
        try:
            opening.set_result(asyncio.run(open_and_read()))
        except BaseException as exc:
            opening.set_exception(exc)

    threading.Thread(target=run, name="open-log", daemon=True).start()
    return opening


def _terminal_defaults(animations: bool) -> None:
    if not animations:
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    os.environ.setdefault("ESCDELAY", "25")  # escape reacts at once (the default waits for a possible sequence)


def run_review(ws: Workspace, demo: bool = False) -> int:
    _fast_start()
    from ..drafting.spawn import end_early, start_early

    before = None
    if ws.config.drafting.auto_draft:
        # The drafting worker starts first: its litellm import (seconds, on the other core), which the first
        # draft waits for, overlaps textual's import and the first frame. The app adopts it (drafting/client.py).
        start_early(ws.root, ws.config.reviewer)
        before = _end_worker_on_signals(end_early)
    log_opening = None
    try:
        _check_before_taking_the_terminal(ws)
        log_opening = _open_log_meanwhile(ws)
        _terminal_defaults(ws.config.ui.animations)
        from .app import run_app

        return run_app(ws, demo=demo, log_opening=log_opening)
    finally:
        if log_opening is not None:
            _close_log(log_opening)
        end_early()  # the station did not start far enough to adopt it: killed now, never left behind
        for sig, handler in (before or {}).items():
            if handler is not None:  # None: not set from Python; the loop's clean-up left the default
                signal.signal(sig, handler)


def _close_log(opening: Future) -> None:
    """The station closes the log when it quits; this closes it after a start that failed before the station
    took it (aiosqlite's thread would otherwise keep the process from exiting). Closing twice does nothing."""
    try:
        store, _ = opening.result(timeout=60)
    except BaseException:
        return  # never opened: nothing to close
    asyncio.run(store.close())


def run_demo(folder: str | None, reviewer: str | None = None) -> int:
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="hitl-demo-"))
    init_workspace(root)
    ws = Workspace.load(root, reviewer=reviewer)
    code = run_review(ws, demo=True)
    print(f"The demo workspace is {root} (hitl.db holds every step; `hitl -w {root} stats`).", file=sys.stderr)
    return code


def _end_worker_on_signals(end_early) -> dict:
    """Until the app installs its own handlers (on_load), SIGTERM or a hang-up ends the station as they always
    did (the default action), but kill the early worker first: it would otherwise run on until it noticed."""

    def handler(signum, frame) -> None:
        end_early()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    before = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        before[sig] = signal.signal(sig, handler)
    return before

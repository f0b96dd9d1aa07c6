"""Starting the station: `hitl` / `hitl review` on a workspace, `hitl demo` on a throwaway one."""

from __future__ import annotations

import gc
import os
import signal
import sys
import tempfile
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


def _terminal_defaults(animations: bool) -> None:
    if not animations:
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    os.environ.setdefault("ESCDELAY", "25")  # escape reacts at once (the default waits for a possible sequence)


def run_review(ws: Workspace) -> int:
    return _run_station(ws)


def run_demo(folder: str | None, reviewer: str | None = None) -> int:
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="hitl-demo-"))
    init_workspace(root)
    ws = Workspace.load(root, reviewer=reviewer)
    code = run_review_demo(ws)
    print(f"The demo workspace is {root} (hitl.db holds every step; `hitl -w {root} stats`).", file=sys.stderr)
    return code


def run_review_demo(ws: Workspace) -> int:
    return _run_station(ws, demo=True)


def _run_station(ws: Workspace, **kwargs) -> int:
    _fast_start()
    from ..drafting.spawn import end_early, start_early

    before = None
    if ws.config.drafting.auto_draft:
        # The drafting worker starts first: its litellm import (seconds, on the other core), which the first
        # draft waits for, overlaps textual's import and the first frame. The app adopts it (drafting/client.py).
        start_early(ws.root, ws.config.reviewer)
        before = _end_worker_on_signals(end_early)
    try:
        _check_before_taking_the_terminal(ws)
        _terminal_defaults(ws.config.ui.animations)
        from .app import run_app

        return run_app(ws, **kwargs)
    finally:
        end_early()  # the station did not start far enough to adopt it: killed now, never left behind
        for sig, handler in (before or {}).items():
            if handler is not None:  # None: not set from Python; the loop's clean-up left the default
                signal.signal(sig, handler)


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

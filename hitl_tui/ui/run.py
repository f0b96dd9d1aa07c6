"""Starting the station: `hitl` / `hitl review` on a workspace, `hitl demo` on a throwaway one."""

from __future__ import annotations

import gc
import os
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
    _fast_start()
    _check_before_taking_the_terminal(ws)
    _terminal_defaults(ws.config.ui.animations)
    from .app import run_app

    return run_app(ws)


def run_demo(folder: str | None, reviewer: str | None = None) -> int:
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="hitl-demo-"))
    init_workspace(root)
    ws = Workspace.load(root, reviewer=reviewer)
    code = run_review_demo(ws)
    print(f"The demo workspace is {root} (hitl.db holds every step; `hitl -w {root} stats`).", file=sys.stderr)
    return code


def run_review_demo(ws: Workspace) -> int:
    _fast_start()
    _check_before_taking_the_terminal(ws)
    _terminal_defaults(ws.config.ui.animations)
    from .app import run_app

    return run_app(ws, demo=True)

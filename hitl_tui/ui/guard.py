"""Handlers that can fail (a database error, a race with teardown) report it; they never end the app."""

from __future__ import annotations

import functools
import sqlite3
import time


def write_problem(exc: BaseException) -> str:
    """A refused write in a few plain words, for a reviewer (the full message goes with it where there is room)."""
    text = str(exc)
    if isinstance(exc, sqlite3.Error) or isinstance(exc, OSError):
        lowered = text.lower()
        if "full" in lowered or "no space" in lowered:
            return "disk full"
        if "locked" in lowered or "busy" in lowered:
            return "the log is busy"
        if "readonly" in lowered or "read-only" in lowered:
            return "the log is read-only"
    return text or type(exc).__name__


def damaged_log(exc: BaseException, path):
    """A damaged page of the log at `path` met in a query (SQLITE_CORRUPT / NOTADB): the StoreError saying so in
    the CLI's words (as Store.opened does), else None."""
    from ..errors import StoreError
    from ..store.base import explain, is_damaged

    if isinstance(exc, sqlite3.DatabaseError) and is_damaged(exc):
        return StoreError(explain(path, exc))
    return None


REPEAT_SECONDS = 30.0  # the same error from a timer (a claim renewal on a full disk) is shown once in this long


def report(node, where: str, exc: BaseException) -> None:
    """An error in a handler or action: a notification, never an exit; during teardown it is expected and dropped."""
    app = node.app
    if not app.live:
        return
    app.log.error(f"{where}: {exc!r}")
    problem = write_problem(exc)
    damaged = damaged_log(exc, app.ws.db_path)
    if damaged:  # a page of hitl.db met damaged: the CLI's one line (what it is, what to do)
        message = str(damaged)
    elif problem != str(exc):
        message = f"Could not write to hitl.db ({problem}): {exc}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    last, at = getattr(app, "_last_report", ("", 0.0))
    if message != last or time.monotonic() - at > REPEAT_SECONDS:
        app._last_report = (message, time.monotonic())
        app.notify(message, severity="error", markup=False)


def guarded(handler):
    """Errors in a handler become a notification, never an exit; during teardown they are expected and dropped."""

    @functools.wraps(handler)
    async def wrapper(self, *args, **kwargs):
        try:
            return await handler(self, *args, **kwargs)
        except Exception as exc:
            report(self, handler.__name__, exc)

    return wrapper

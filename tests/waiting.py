"""Waiting in tests: on state or events, with a generous hang guard — never a sleep sized for an idle machine.

On a busy 2-core machine (CI, or a colleague's full run beside yours) the drafting worker's litellm import alone
takes 3-8 s, and a test that waited 10 s for "drafts done" failed 2 runs in 168. The deadline here only stops a
test that hangs; it is never the thing measured (speed targets live in tests/bench/).
"""

from __future__ import annotations

import asyncio
import inspect
import time

HANG_GUARD = 60.0  # seconds; a test waiting this long is hung, not slow


def _describe(predicate, what: str | None) -> str:
    if what:
        return what
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


async def wait_until(predicate, timeout: float = HANG_GUARD, step: float = 0.05, what: str | None = None):
    """Poll `predicate` (a function, or one returning an awaitable) until it returns something truthy; return
    that. Polls rather than using pilot.press: Pilot waits for the app to be idle, which never comes while
    streams run."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"still false after {timeout:g} s: {_describe(predicate, what)}")
        await asyncio.sleep(step)


async def wait_event(event: asyncio.Event, timeout: float = HANG_GUARD, what: str = "event") -> None:
    """Wait for an asyncio.Event (the app's `ready`, the drafting client's `warm`), hang-guarded."""
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"{what} not set after {timeout:g} s") from None


def wait_until_sync(predicate, timeout: float = HANG_GUARD, step: float = 0.05, what: str | None = None):
    """`wait_until` for tests that drive real processes from plain (non-async) code."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"still false after {timeout:g} s: {_describe(predicate, what)}")
        time.sleep(step)

"""Handlers that can fail (a database error, a race with teardown) report it; they never end the app."""

from __future__ import annotations

import functools


def guarded(handler):
    """Errors in a handler become a notification, never an exit; during teardown they are expected and dropped."""

    @functools.wraps(handler)
    async def wrapper(self, *args, **kwargs):
        try:
            return await handler(self, *args, **kwargs)
        except Exception as exc:
            if self.live:
                self.log.error(f"{handler.__name__}: {exc!r}")
                self.notify(f"{type(exc).__name__}: {exc}", severity="error", markup=False)

    return wrapper

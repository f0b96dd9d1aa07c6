"""Watching the inbox with watchfiles: settled files only, atomic saves, deletes, a periodic reconcile scan.

Batches from watchfiles are unordered sets and say little about the final state (an atomic save shows the
target as added plus a temp added/deleted), so every path is `stat()`-ed and compared with what we last took.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

from .briefs import is_brief_candidate


@dataclass(frozen=True)
class Change:
    name: str
    deleted: bool


def _signature(path: Path) -> tuple[int, int] | None:
    """Size and mtime of the file, or of the link itself when it leads nowhere: a dangling link is still an
    entry in the inbox, to be listed with its reason rather than silently dropped."""
    try:
        st = path.stat()
    except OSError:  # gone, or a link to nothing (or to itself)
        try:
            st = path.lstat()
        except OSError:
            return None
    return st.st_size, st.st_mtime_ns


def snapshot(inbox: Path) -> dict[str, tuple[int, int]]:
    """name -> (size, mtime_ns) of every brief candidate in the inbox."""
    out = {}
    try:
        entries = list(os.scandir(inbox))
    except OSError:
        return out
    for entry in entries:
        path = inbox / entry.name
        if is_brief_candidate(path):
            sig = _signature(path)
            if sig:
                out[entry.name] = sig
    return out


STEP_MS = 25  # watchfiles yields a batch once the folder has been quiet this long (it checks this often)
WRITER_GAP_MAX = 2.0  # events further apart than this are separate saves, not one slow writer


class InboxWatcher:
    """Calls `on_changes` with settled changes. A file is taken once it has been quiet for `settle_ms` and its
    size and mtime are what they were when its last event came in; a file that keeps changing waits longer
    (slow copies: the quiet period stretches with the gaps its writer leaves)."""

    def __init__(self, inbox: Path, on_changes: Callable[[list[Change]], Awaitable[None]], *, debounce_ms: int = 300,
                 settle_ms: int = 100, force_polling: bool = False, poll_delay_ms: int = 300,
                 reconcile_seconds: float = 30.0, known: dict[str, tuple[int, int]] | None = None) -> None:
        self.inbox = inbox
        self.on_changes = on_changes
        self.debounce_ms = debounce_ms
        self.settle = settle_ms / 1000
        self.force_polling = force_polling
        self.poll_delay_ms = poll_delay_ms
        self.reconcile_seconds = reconcile_seconds
        self.taken: dict[str, tuple[int, int]] = dict(known or {})
        # name -> (when its last event happened, its size and mtime then)
        self._pending: dict[str, tuple[float, tuple[int, int] | None]] = {}
        self._gaps: dict[str, float] = {}  # name -> last gap between events (how fast its writer writes)
        self._events: dict[str, float] = {}  # name -> when its last event happened
        self._wakeup = asyncio.Event()
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()  # set once watchfiles is live

    def stop(self) -> None:
        self._stop.set()
        self._wakeup.set()

    async def run(self) -> None:
        await asyncio.gather(self._watch(), self._settle_loop(), self._reconcile_loop())

    def note(self, name: str, quiet_for: float = 0.0) -> None:
        """An event for `name`; `quiet_for` is how long the folder has already been quiet since it (watchfiles
        waits that long before it reports a batch, so the settle time counts it)."""
        when = time.monotonic() - quiet_for
        sig = _signature(self.inbox / name)
        pending = self._pending.get(name)
        if pending is not None and pending[1] == sig:
            return  # nothing new since the last event (a reconcile scan, a touch): keep waiting as before
        previous = self._events.get(name)
        gap = when - previous if previous is not None else None
        if gap is not None and gap < WRITER_GAP_MAX:
            self._gaps[name] = max(0.0, gap)
        else:  # a first event, or a fresh edit long after the last: no slow writer to wait for
            self._gaps.pop(name, None)
        self._events[name] = when
        self._pending[name] = (max(when, pending[0]) if pending else when, sig)
        self._wakeup.set()

    async def _watch(self) -> None:
        from watchfiles import awatch

        quiet = 0.0 if self.force_polling else STEP_MS / 1000
        async for batch in awatch(self.inbox, debounce=self.debounce_ms, step=STEP_MS, stop_event=self._stop,
                                  force_polling=self.force_polling, poll_delay_ms=self.poll_delay_ms,
                                  rust_timeout=200, yield_on_timeout=True, recursive=False):
            self.ready.set()
            for name in {Path(raw).name for _change, raw in batch if self._in_inbox(Path(raw))}:
                self.note(name, quiet_for=quiet)

    def _in_inbox(self, path: Path) -> bool:
        return path.parent == self.inbox or path.parent.resolve() == self.inbox.resolve()

    async def _reconcile_loop(self) -> None:
        # Polling on network filesystems misses changes within the same second; a periodic full scan catches them.
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), self.reconcile_seconds)
            except asyncio.TimeoutError:
                self.reconcile()

    def reconcile(self) -> None:
        current = snapshot(self.inbox)
        for name in set(current) | set(self.taken):
            if current.get(name) != self.taken.get(name):
                self.note(name)

    async def _settle_loop(self) -> None:
        while not self._stop.is_set():
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            now = time.monotonic()
            due, wait = [], self.settle
            for name, (last, _sig) in list(self._pending.items()):
                quiet = self.quiet_time(name)
                left = last + quiet - now
                if left <= 0:
                    due.append(name)
                else:
                    wait = min(wait, left)
            changes = self._check(due) if due else []
            if changes:
                await self.on_changes(changes)
            if self._pending and not due:
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), wait)
                except asyncio.TimeoutError:
                    pass

    def quiet_time(self, name: str) -> float:
        """How long `name` must stay unchanged before it is taken: the settle time, or 1.5x its writer's gaps."""
        return max(self.settle, 1.5 * self._gaps.get(name, 0.0))

    def _check(self, names: list[str]) -> list[Change]:
        """The re-check: a file whose size or mtime moved since its last event is still being written."""
        changes = []
        for name in names:
            path = self.inbox / name
            sig = _signature(path)
            if sig != self._pending[name][1]:
                self._pending[name] = (time.monotonic(), sig)  # written since: wait again from now
                continue
            self._pending.pop(name, None)
            if sig is None:
                self._gaps.pop(name, None)
                self._events.pop(name, None)
                if self.taken.pop(name, None) is not None:
                    changes.append(Change(name, deleted=True))
            elif is_brief_candidate(path) and self.taken.get(name) != sig:
                self.taken[name] = sig
                changes.append(Change(name, deleted=False))
        return changes

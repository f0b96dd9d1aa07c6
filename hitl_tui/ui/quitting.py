"""Quitting — `q`, SIGTERM or a dropped connection (SIGHUP) — at any moment: prompt, complete, and one-way.

Mixed into HitlApp. The first step marks the station as shutting down; from then on actions, timers and late
events do nothing (a key pressed while quitting used to crash it). Then, in this order:
1. the draft consumers are cancelled and the drafting client is closed with the cause, before anything else
   can be awaited: no worker starts and no request reaches the provider after the quit began. The worker records
   its streams as interrupted with the reason ("the station quit while this was streaming") and their partial
   text, or is killed after CLOSE_GRACE and the client records them;
2. the open edit is saved (what the log refuses goes to a recovery file, see editing.py), the inbox stopped,
   the claims released, the log closed;
3. the app exits (after SIGHUP at once: the terminal is gone, and writing reset sequences to it would block).
A watchdog thread armed at step 1 ends the process — killing any worker first — if it is still there after
QUIT_DEADLINE: a hang guard; the target is 2 s (tests/bench: "quit while streaming").
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import HitlApp

QUIT_DEADLINE = 5.0
EXIT_CODE = {"SIGHUP": 128 + signal.SIGHUP, "SIGTERM": 128 + signal.SIGTERM}


def _hard_exit(code: int) -> None:
    client = sys.modules.get("hitl_tui.drafting.client")
    if client is not None:
        client.kill_workers()
    os._exit(code)


class Quitting:
    def _init_quitting(self: HitlApp) -> None:
        self._shutting_down = False
        self._service_workers: list = []  # draft consumers and the inbox: cancelled first when quitting
        self._engine_closed: asyncio.Future | None = None
        self._services_closed: asyncio.Future | None = None

    def _install_signal_handlers(self: HitlApp) -> None:
        # Textual does not handle SIGHUP: a dropped SSH connection would kill us without saving the open edit,
        # and the worker (in a session of its own) would be left to notice by itself.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig.name)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _on_signal(self: HitlApp, name: str) -> None:
        asyncio.ensure_future(self.save_and_exit(name))

    async def save_and_exit(self: HitlApp, cause: str = "quit") -> None:
        if self._shutting_down:
            return
        self._begin_shutdown(cause)
        try:
            await self.shutdown_services(cause)
        finally:
            if cause == "SIGHUP":
                # Everything worth keeping (edit, partial drafts, released claim) is saved, the worker gone.
                os._exit(EXIT_CODE[cause])
            self.exit()

    def _begin_shutdown(self: HitlApp, cause: str) -> None:
        """Step 1, with no await in it: from here on nothing new starts."""
        if self._shutting_down:
            return
        self._shutting_down = True
        if not self.is_headless:  # a real terminal session (tests run headless in the test process)
            watchdog = threading.Timer(QUIT_DEADLINE, _hard_exit, args=(EXIT_CODE.get(cause, 1),))
            watchdog.daemon = True
            watchdog.start()
        for worker in self._service_workers:
            worker.cancel()
        if self.engine is not None:
            self._engine_closed = asyncio.ensure_future(self.engine.close(cause))

    async def shutdown_services(self: HitlApp, cause: str = "closed") -> None:
        """Steps 1 and 2, once, however many paths ask (a quit key, a signal, unmount)."""
        self._begin_shutdown(cause)
        if self._services_closed is None:
            self._services_closed = asyncio.ensure_future(self._close_services())
        await asyncio.shield(self._services_closed)

    async def _close_services(self: HitlApp) -> None:
        if self.store is not None:
            try:  # never raises by design (what the log refuses goes to a recovery file); quitting goes on anyway
                await self.save_edits_before_exit()
            except Exception as exc:
                self.log.error(f"saving edits while quitting: {exc!r}")
        if self._engine_closed is not None:
            try:
                await self._engine_closed
            except Exception as exc:
                self.log.error(f"closing the drafting worker: {exc!r}")
        if self.inbox_service:
            self.inbox_service.stop()
        store, self.store = self.store, None
        if store is None:  # quit while the log was still opening (before the first frame)
            try:
                store = await self._store_opening
            except Exception:
                store = None
        if store is not None:
            try:
                await store.release_all(self.instance)
            except Exception as exc:  # a full disk must not keep us from quitting; the claims run out by themselves
                self.log.error(f"releasing claims: {exc!r}")
            finally:
                await store.close()

"""Run a job soon after a burst of requests: once per burst, never cancelled midway.

Restarting an exclusive worker on every request looks like a debounce, but a steady trickle of requests (eight
streams starting, ending, retrying) cancels it forever, and cancels it in the middle of its database work.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from textual.dom import DOMNode
from textual.worker import Worker


class Coalesced:
    def __init__(self, node: DOMNode, job: Callable[[], Awaitable[None]], name: str, delay: float = 0.05) -> None:
        self.node = node
        self.job = job
        self.name = name
        self.delay = delay
        self.pending = False
        self._worker: Worker | None = None

    def request(self) -> None:
        self.pending = True
        if self._worker is None or self._worker.is_finished:
            self._worker = self.node.run_worker(self._run, name=self.name, group=self.name, exit_on_error=False)

    async def _run(self) -> None:
        while self.pending:
            await asyncio.sleep(self.delay)  # let the burst finish
            self.pending = False
            await self.job()

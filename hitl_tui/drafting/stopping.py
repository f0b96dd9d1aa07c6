"""How the drafting engine stops streams, and says who is writing them: cancel with a reason, register as a writer
with a heartbeat, and close — nothing new starts, every stream ends as interrupted with why and its text.

Mixed into DraftEngine (engine.py), whose state it uses: `_tasks`, `_draft_of`, `_open`, `_cancelled`, `closing`,
`store`, `writer`, `on_event`. The reasons are drafting/events.STOPPED; "cancelled by the reviewer" only when a
reviewer cancelled.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..store.writers import HEARTBEAT_SECONDS
from .events import CANCELLED_BY_REVIEWER, StreamEvent, stopped_because

if TYPE_CHECKING:
    from .engine import DraftEngine, _Job


class EngineClosed(RuntimeError):
    """The engine is shutting down: it starts nothing more."""


class Stopping:
    async def _start_writing(self: DraftEngine) -> None:
        """Register this process as a writer of drafts (once), so the revisions it creates say who writes them."""
        if self.closing is not None:
            raise EngineClosed(stopped_because(self.closing))
        if self.store.writer_id is None:
            self.store.writer_id = await self.store.register_writer(self.writer)

    def _opened(self: DraftEngine, job: _Job) -> _Job:
        self._open[job.revision_id] = job
        if self._heart is None or self._heart.done():
            self._heart = asyncio.ensure_future(self._heartbeat_loop())
        return job

    async def _heartbeat_loop(self: DraftEngine) -> None:
        """While this writer has drafts open, it says it is alive (stations on other hosts read this)."""
        while self._open:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.store.heartbeat(self.store.writer_id)
            except Exception:  # a busy log must not end the streams; the next beat tries again
                pass

    async def close(self: DraftEngine, cause: str = "closed", grace: float = 1.0) -> None:
        """Stop: nothing new starts, every stream is cancelled (its HTTP stream closed) and ends as interrupted
        with the reason (`cause` is a key of events.STOPPED or the reason itself) and the text it had. Streams
        that do not end within `grace`, and revisions created but not yet started, are ended here."""
        if self.closing is None:
            self.closing = cause
        reason = stopped_because(self.closing)
        tasks = [t for t in self._tasks.values() if not t.done()]
        self.cancel_all(reason)
        if tasks:
            await asyncio.wait(tasks, timeout=grace)
        for task in (self._heart, self._checkpointer):
            if task is not None:
                task.cancel()
        texts = {rid: job.state["text"] for rid, job in self._open.items()}
        self._open.clear()
        if self.store.writer_id is not None:
            for rid, draft_id, text in await self.store.end_writer(self.store.writer_id, reason, texts):
                self.on_event(StreamEvent("interrupted", rid, draft_id, text=text, error=reason))

    def cancel(self: DraftEngine, revision_id: int, reason: str = CANCELLED_BY_REVIEWER) -> bool:
        task = self._tasks.get(revision_id)
        if task and not task.done():
            self._cancelled[revision_id] = reason
            task.cancel()
            return True
        return False

    def cancel_draft(self: DraftEngine, draft_id: int, reason: str = CANCELLED_BY_REVIEWER) -> bool:
        return any([self.cancel(rid, reason) for rid, did in list(self._draft_of.items()) if did == draft_id])

    def cancel_all(self: DraftEngine, reason: str = CANCELLED_BY_REVIEWER) -> int:
        return sum(self.cancel(rid, reason) for rid in list(self._tasks))

    def _why_cancelled(self: DraftEngine, revision_id: int) -> str:
        if revision_id in self._cancelled:
            return self._cancelled[revision_id]
        return stopped_because(self.closing or self.writer)  # e.g. ctrl+c ended `hitl draft`

"""The review station's side of the drafting worker (see worker.py): the DraftEngine's interface, over a pipe.

The worker is started on the first request, so an app that only reviews never pays for litellm; or `hitl` started it
at launch (spawn.py), and the client adopts that running process. Events arrive as the engine's own StreamEvents
(deltas re-assembled into the full text), through the same callback.

Closing is one-way: once `close()` has begun, no worker is started and no request is sent, whoever asks (a draft
consumer that was mid-loop, a late timer). The worker is told why (quit, SIGTERM, SIGHUP), records its streams as
interrupted with that reason, and exits; if it has not within CLOSE_GRACE, it is killed (its whole process
group: it runs in a session of its own) and what it left streaming is recorded here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .events import Outcome, StreamEvent, stopped_because
from .protocol import (BadLine, Cancel, CancelDraft, DraftRequest, Event, RegenerateRequest, Reply, Request,
                       ReviseRequest, Shutdown, ToWorker, Warm, decode_from_worker, log_bad_line, to_wire)
from .spawn import PIPE_LIMIT, adopt, kill_early, kill_group, take_early, worker_argv, worker_env

if TYPE_CHECKING:  # the app imports this before its first frame: nothing heavy at import time
    from ..briefs import Brief
    from ..config import ModelSpec
    from ..learning.feedback import FeedbackItem
    from ..store import Draft, Store

ENDED = ("done", "failed", "interrupted")
CLOSE_GRACE = 1.0  # seconds the worker gets to record its streams before it is killed
_RUNNING: set = set()  # every worker of this process (asyncio's Process or spawn.AdoptedProcess), for kill_workers()


class WorkerError(RuntimeError):
    pass


def kill_workers() -> None:
    """Kill every drafting worker this process started, now (a last resort when the app cannot wait)."""
    kill_early()
    for proc in list(_RUNNING):
        _kill(proc)


def _kill(proc) -> None:
    if proc.returncode is None:
        kill_group(proc.pid)


class DraftingClient:
    def __init__(self, root: Path, reviewer: str, on_event: Callable[[StreamEvent], None],
                 store: Store | None = None) -> None:
        self.root = Path(root)
        self.reviewer = reviewer
        self.on_event = on_event
        self.store = store  # to mark what a crashed worker left streaming as interrupted
        self._proc = None  # asyncio.subprocess.Process, or spawn.AdoptedProcess for the worker started at launch
        self._reader: asyncio.Task | None = None
        self._starting: asyncio.Lock = asyncio.Lock()
        self._next_id = 0
        self._replies: dict[int, asyncio.Future] = {}
        self._texts: dict[int, str] = {}  # revision_id -> text so far
        self._drafts: dict[int, int] = {}  # revision_id -> draft_id of revisions that have not ended
        self.warm = asyncio.Event()  # set once the worker has loaded litellm
        self.closing: str | None = None  # why it is closing (quit, SIGTERM, ...), once close() began

    # ------------------------------------------------------------------ the engine's interface

    async def draft_brief(self, brief: Brief, version_id: int, *, models: list[ModelSpec] | None = None,
                          claim: bool = False) -> list[Outcome]:
        """Draft a brief version. `claim`: only if nobody has drafted it yet, decided atomically in the log
        (another station may have got there first: then [] and no request)."""
        return await self._request(DraftRequest(brief, version_id, list(models or []), claim))

    async def revise(self, draft: Draft, brief: Brief, previous: str, items: list[FeedbackItem]) -> Outcome:
        return (await self._request(ReviseRequest(draft, brief, previous, items)))[0]

    async def regenerate(self, draft: Draft, brief: Brief) -> Outcome:
        return (await self._request(RegenerateRequest(draft, brief)))[0]

    def cancel(self, revision_id: int) -> bool:
        return self._send(Cancel(revision_id))

    def cancel_draft(self, draft_id: int) -> bool:
        return self._send(CancelDraft(draft_id))

    @property
    def active(self) -> list[int]:
        """Revisions that have started or been created and not yet ended."""
        return list(self._drafts)

    @property
    def active_drafts(self) -> set[int]:
        """Drafts whose current revision this client's worker is writing (their text arrives as events)."""
        return set(self._drafts.values())

    async def close(self, cause: str = "closed", grace: float = CLOSE_GRACE) -> None:
        """Stop for good: no worker starts and no request is sent from now on. The worker cancels its streams and
        records them as interrupted with the reason (`cause`: quit, SIGTERM, SIGHUP, ... see events.STOPPED);
        one that does not exit within `grace` is killed, and what it left is recorded here."""
        if self.closing is None:
            self.closing = cause
        async with self._starting:  # a worker being started right now is started; none can be after this
            proc = self._proc
        if proc is not None and proc.returncode is None:
            try:
                proc.stdin.write(to_wire(Shutdown(self.closing)))
                proc.stdin.close()
            except (BrokenPipeError, ConnectionResetError, RuntimeError):
                pass
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except asyncio.TimeoutError:
                _kill(proc)
                await proc.wait()
        if self._reader:
            await asyncio.wait([self._reader], timeout=1)
        self._fail_replies(stopped_because(self.closing))

    def start(self) -> None:
        """Start the worker now (in the background), so the first draft does not wait for litellm to load."""
        if self.closing is None:
            asyncio.ensure_future(self._ensure_started())

    # ------------------------------------------------------------------ the pipe

    async def _ensure_started(self):
        """The running worker, started if need be; None once closing (nothing may start then)."""
        async with self._starting:
            if self.closing is not None:
                return None
            if self._proc is None or self._proc.returncode is not None:
                # The worker `hitl` started at launch (spawn.py), if it runs for this workspace and reviewer.
                early = take_early(self.root, self.reviewer) if self._proc is None else None
                if early is not None:
                    self._proc = await adopt(early)
                else:
                    self._proc = await asyncio.create_subprocess_exec(
                        *worker_argv(self.root, self.reviewer), stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=worker_env(),
                        limit=PIPE_LIMIT,
                        # Its own session: SIGHUP or ctrl+c from the terminal go to the app, which stops the
                        # worker; if the app dies instead, the worker sees its stdin close and stops by itself.
                        start_new_session=True)
                _RUNNING.add(self._proc)
                self._reader = asyncio.ensure_future(self._read(self._proc))
            return self._proc

    async def _request(self, msg: Request) -> list[Outcome]:
        if await self._ensure_started() is None:
            raise WorkerError(f"not sent: {stopped_because(self.closing)}")
        self._next_id += 1
        msg.id = self._next_id
        reply = asyncio.get_running_loop().create_future()
        self._replies[msg.id] = reply
        if not self._send(msg):
            self._replies.pop(msg.id, None)
            raise WorkerError("the drafting worker is not running")
        try:
            return await reply
        except asyncio.CancelledError:
            self._replies.pop(msg.id, None)
            raise

    def _send(self, msg: ToWorker) -> bool:
        proc = self._proc
        if self.closing is not None or proc is None or proc.returncode is not None or proc.stdin.is_closing():
            return False
        proc.stdin.write(to_wire(msg))
        return True

    async def _read(self, proc) -> None:
        try:
            while line := await proc.stdout.readline():
                try:
                    msg = decode_from_worker(line)
                except BadLine as exc:
                    log_bad_line("the drafting worker", line, exc, self.root / "hitl.log")
                    continue
                if isinstance(msg, Event):
                    self._event(msg.event)
                elif isinstance(msg, Warm):
                    self.warm.set()
                elif isinstance(msg, Reply):
                    reply = self._replies.pop(msg.id, None)
                    if reply is not None and not reply.done():
                        if msg.error is not None:
                            reply.set_exception(WorkerError(msg.error))
                        else:
                            reply.set_result(msg.outcomes)
        finally:
            await proc.wait()
            _RUNNING.discard(proc)
            await self._worker_ended(proc.pid, proc.returncode)

    def _event(self, event: StreamEvent) -> None:
        rid = event.revision_id
        if event.kind == "delta":  # the wire carries only the new text: the full text is put together here
            text = self._texts.get(rid, "") + event.delta
            self._texts[rid] = text
            event.text = text
        elif event.kind in ("created", "start"):
            self._drafts[rid] = event.draft_id
            self._texts[rid] = ""
        elif event.kind in ENDED:
            self._drafts.pop(rid, None)
            self._texts.pop(rid, None)
        self.on_event(event)

    async def _worker_ended(self, pid: int, code: int | None) -> None:
        """The worker exited. Whatever was still streaming ends here, with the text that had arrived: it was
        killed (or crashed) before it could record them itself."""
        if self.closing is not None:
            error = stopped_because(self.closing)
        else:
            error = f"the drafting worker stopped (exit code {code})"
        for rid, draft_id in list(self._drafts.items()):
            text = self._texts.pop(rid, "")
            if self.store is not None:
                try:
                    await self.store.interrupt_revision(rid, text, error)
                except Exception:  # the app may be closing its store right now; the next start cleans up
                    pass
            self.on_event(StreamEvent("interrupted", rid, draft_id, text=text, error=error))
        self._drafts.clear()
        if self.store is not None:
            try:  # and what it created that we had not heard of yet (its events were still in the pipe)
                await self.store.end_process_writers(pid, error)
            except Exception:
                pass
        self._fail_replies(error)

    def _fail_replies(self, error: str) -> None:
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(WorkerError(error))
        self._replies.clear()

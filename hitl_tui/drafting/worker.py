"""The drafting worker: a child process that runs the DraftEngine for the review station.

Why a process: litellm does a lot of synchronous work per chunk and per call (pydantic parsing, cost tracking,
assembling the whole response at the end). In the app's own event loop that work delayed key presses by a
quarter of a second with eight fast streams; in a second process it runs on the other core. It also keeps
litellm's ~200 MB and its prints out of the UI process: this process's stdout and stderr go to hitl.log, and the
protocol travels on a descriptor of its own.

Protocol: JSON lines, defined once in protocol.py (requests, commands, events, replies) and used by both sides.

Stopping: on "shutdown", or when its stdin closes without one (the app died), it sends no new request, cancels
every stream (closing its HTTP stream), records each as interrupted with its partial text and the reason (the
station quit / was stopped / went away), and ends at once — not waiting for litellm's import if that is still
running, nor for interpreter teardown. The station kills it if it takes longer than a moment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

from ..store import Store
from ..workspace import Workspace
from .engine import DraftEngine, StreamEvent
from .events import stopped_because
from .llm import load_litellm
from .protocol import (BadLine, Cancel, CancelDraft, DraftRequest, Event, Reply, Request, ReviseRequest, Shutdown,
                       ToWorker, Warm, decode_request, log_bad_line, to_wire)

DELTA_SECONDS = 0.05  # streamed text is sent to the app at most this often per revision


class _Events:
    """Engine events to the protocol pipe; deltas coalesced per revision, everything else in order."""

    def __init__(self, write) -> None:
        self.write = write
        self._pending: dict[int, list] = {}  # revision_id -> [draft_id, text, tokens]
        self._sent_at = 0.0
        self._flusher: asyncio.TimerHandle | None = None

    def __call__(self, event: StreamEvent) -> None:
        if event.kind == "delta":
            pending = self._pending.get(event.revision_id)
            if pending is None:
                self._pending[event.revision_id] = [event.draft_id, event.delta, event.tokens]
            else:
                pending[1] += event.delta
                pending[2] = event.tokens
            # Sent from here when it is time, not from a timer alone: with eight fast streams the loop is busy
            # and a 50 ms timer fired after 170 ms. The timer only catches the tail of a stream that goes quiet.
            now = time.monotonic()
            if now - self._sent_at >= DELTA_SECONDS:
                self._flush_all()
            elif self._flusher is None:
                self._flusher = asyncio.get_running_loop().call_later(DELTA_SECONDS, self._flush_all)
            return
        self._flush(event.revision_id)  # the text before an end (or a retry) arrives first
        self.write(Event(event))

    def _flush_all(self) -> None:
        self._sent_at = time.monotonic()
        if self._flusher is not None:
            self._flusher.cancel()
            self._flusher = None
        for revision_id in list(self._pending):
            self._flush(revision_id)

    def _flush(self, revision_id: int) -> None:
        pending = self._pending.pop(revision_id, None)
        if pending:
            draft_id, text, tokens = pending
            self.write(Event(StreamEvent("delta", revision_id, draft_id, delta=text, tokens=tokens)))


class Worker:
    def __init__(self, engine: DraftEngine, write) -> None:
        self.engine = engine
        self.write = write
        self.requests: set[asyncio.Task] = set()

    def handle(self, msg: ToWorker) -> str | None:
        """Act on one message; the cause once it is time to stop."""
        if isinstance(msg, Shutdown):
            return msg.reason
        if isinstance(msg, Cancel):
            self.engine.cancel(msg.revision_id)
        elif isinstance(msg, CancelDraft):
            self.engine.cancel_draft(msg.draft_id)
        else:
            task = asyncio.ensure_future(self._serve(msg))
            self.requests.add(task)
            task.add_done_callback(self.requests.discard)
        return None

    async def _serve(self, msg: Request) -> None:
        try:
            if isinstance(msg, DraftRequest):
                outcomes = await self.engine.draft_brief(msg.brief, msg.version_id, models=msg.models or None,
                                                         claim=msg.claim)
            elif isinstance(msg, ReviseRequest):
                outcomes = [await self.engine.revise(msg.draft, msg.brief, msg.previous, msg.items)]
            else:
                outcomes = [await self.engine.regenerate(msg.draft, msg.brief)]
            self.write(Reply(msg.id, outcomes))
        except asyncio.CancelledError:
            self.write(Reply(msg.id, error=stopped_because(self.engine.closing or "closed")))
            raise
        except Exception as exc:  # reported to the app, which shows it; the worker carries on
            self.write(Reply(msg.id, error=f"{type(exc).__name__}: {exc}"))

    async def stop(self, cause: str, grace: float = 1.0) -> None:
        """Cancel every stream with the reason and end what is left (see DraftEngine.close). Requests still
        being set up find the engine closing: they send nothing and reply at once."""
        await self.engine.close(cause, grace)
        if self.requests:
            _done, pending = await asyncio.wait(self.requests, timeout=grace)
            for task in pending:
                task.cancel()
            await self.engine.close(cause, 0)  # drafts those requests created meanwhile


async def serve(root: Path, reviewer: str, protocol_out: int) -> None:
    ws = Workspace.load(root)
    ws.config.reviewer = reviewer
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(protocol_out, "wb", buffering=0))

    def write(msg) -> None:
        if not transport.is_closing():
            transport.write(to_wire(msg))

    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    store = await Store.open(ws.db_path, reviewer)
    # learned rules: re-read before each request, so a rule accepted meanwhile gates and prompts the next draft
    engine = DraftEngine(store, ws.config, log_file=ws.log_file, on_event=_Events(write), writer="worker",
                         outbox=ws.outbox, learned=ws.learned_rules)
    worker = Worker(engine, write)
    # Waits for the import main() began (load_litellm holds a lock), then tells the station litellm is ready.
    warm = asyncio.ensure_future(asyncio.to_thread(load_litellm, ws.log_file))
    warm.add_done_callback(lambda task: task.cancelled() or task.exception() or write(Warm()))
    cause = "gone"  # stdin closed without a shutdown: the station died
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            try:
                msg = decode_request(line)
            except BadLine as exc:
                log_bad_line("the station", line, exc, ws.log_file)
                continue
            stop = worker.handle(msg)
            if stop:
                cause = stop
                break
    finally:
        warm.cancel()
        try:
            await worker.stop(cause)
        finally:
            await store.close()
            await _drain(transport)
            transport.close()


async def _drain(transport, timeout: float = 1.0) -> None:
    """Let the last events and replies reach the station before the process ends."""
    deadline = time.monotonic() + timeout
    while transport.get_write_buffer_size() and not transport.is_closing() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description="hitl drafting worker (started by the review station)")
    parser.add_argument("--root", required=True)
    parser.add_argument("--reviewer", required=True)
    args = parser.parse_args()
    # The protocol gets its own copy of stdout; fd 1 and 2 then go to the log, so nothing litellm prints can
    # reach the terminal or corrupt the protocol.
    protocol_out = os.dup(1)
    root = Path(args.root)
    log = os.open(root / "hitl.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    # litellm's import (~2.5 s) is what the first draft waits for: it begins now, in a thread, while the worker
    # opens the log and takes the first requests (which the app then shows as pending). A daemon thread:
    # quitting never waits for it (os._exit below).
    threading.Thread(target=load_litellm, args=(root / "hitl.log",), name="load-litellm", daemon=True).start()
    loop = asyncio.new_event_loop()
    code = 0
    try:
        loop.run_until_complete(serve(root, args.reviewer, protocol_out))
    except BaseException:
        import traceback

        traceback.print_exc()  # to hitl.log
        code = 1
    finally:
        # Everything is recorded by now. Not asyncio.run's clean-up: it would wait for litellm's import thread
        # (seconds, when the station quits just after starting us), and teardown of litellm's modules is slow.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()

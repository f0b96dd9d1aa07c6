"""The review station's side of the drafting worker (see worker.py): the DraftEngine's interface, over a pipe.

The worker is started on the first request, so an app that only reviews never pays for litellm. Events arrive
as the engine's own StreamEvents (deltas re-assembled into the full text), through the same callback.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .events import Outcome, StreamEvent

if TYPE_CHECKING:  # the app imports this before its first frame: nothing heavy at import time
    from ..briefs import Brief
    from ..config import ModelSpec
    from ..prompts import Feedback
    from ..store import Store

ENDED = ("done", "failed", "interrupted")


class WorkerError(RuntimeError):
    pass


class DraftingClient:
    def __init__(self, root: Path, reviewer: str, on_event: Callable[[StreamEvent], None],
                 store: Store | None = None) -> None:
        self.root = Path(root)
        self.reviewer = reviewer
        self.on_event = on_event
        self.store = store  # to mark what a crashed worker left streaming as interrupted
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None
        self._starting: asyncio.Lock = asyncio.Lock()
        self._next_id = 0
        self._replies: dict[int, asyncio.Future] = {}
        self._texts: dict[int, str] = {}  # revision_id -> text so far
        self._drafts: dict[int, int] = {}  # revision_id -> draft_id of revisions that have not ended
        self.warm = asyncio.Event()  # set once the worker has loaded litellm

    # ------------------------------------------------------------------ the engine's interface

    async def draft_brief(self, brief: Brief, version_id: int, *, models: list[ModelSpec] | None = None
                          ) -> list[Outcome]:
        return await self._request({"op": "draft", "brief": asdict(brief), "version_id": version_id,
                                    "models": [asdict(m) for m in models or []]})

    async def revise(self, draft: dict, brief: Brief, previous: str, feedback: Feedback) -> Outcome:
        return (await self._request({"op": "revise", "draft": draft, "brief": asdict(brief), "previous": previous,
                                     "feedback": asdict(feedback)}))[0]

    async def regenerate(self, draft: dict, brief: Brief) -> Outcome:
        return (await self._request({"op": "regenerate", "draft": draft, "brief": asdict(brief)}))[0]

    def cancel(self, revision_id: int) -> bool:
        return self._send({"op": "cancel", "revision_id": revision_id})

    def cancel_draft(self, draft_id: int) -> bool:
        return self._send({"op": "cancel_draft", "draft_id": draft_id})

    @property
    def active(self) -> list[int]:
        """Revisions that have started or been created and not yet ended."""
        return list(self._drafts)

    async def close(self, timeout: float = 5.0) -> None:
        """Stop the worker: its streams are cancelled and their partial text saved as interrupted."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            try:
                proc.stdin.write(b'{"op": "shutdown"}\n')
                proc.stdin.close()
            except (BrokenPipeError, ConnectionResetError, RuntimeError):
                pass
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        if self._reader:
            await asyncio.wait([self._reader], timeout=1)

    def start(self) -> None:
        """Start the worker now (in the background), so the first draft does not wait for litellm to load."""
        asyncio.ensure_future(self._ensure_started())

    # ------------------------------------------------------------------ the pipe

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        async with self._starting:
            if self._proc is None or self._proc.returncode is not None:
                env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONUNBUFFERED": "1"}
                self._proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "hitl_tui.drafting.worker", "--root", str(self.root),
                    "--reviewer", self.reviewer, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL, env=env, limit=64 * 1024 * 1024,
                    # Its own session: SIGHUP or ctrl+c from the terminal go to the app, which stops the worker;
                    # if the app dies instead, the worker sees its stdin close and stops by itself.
                    start_new_session=True)
                self._reader = asyncio.ensure_future(self._read(self._proc))
            return self._proc

    async def _request(self, msg: dict) -> list[Outcome]:
        await self._ensure_started()
        self._next_id += 1
        msg["id"] = self._next_id
        reply = asyncio.get_running_loop().create_future()
        self._replies[msg["id"]] = reply
        if not self._send(msg):
            self._replies.pop(msg["id"], None)
            raise WorkerError("the drafting worker is not running")
        try:
            result = await reply
        except asyncio.CancelledError:
            self._replies.pop(msg["id"], None)
            raise
        return [Outcome(**o) for o in result]

    def _send(self, msg: dict) -> bool:
        proc = self._proc
        if proc is None or proc.returncode is not None or proc.stdin.is_closing():
            return False
        proc.stdin.write(json.dumps(msg, ensure_ascii=False).encode() + b"\n")
        return True

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        try:
            while line := await proc.stdout.readline():
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "event" in msg:
                    self._event(msg["event"])
                elif "warm" in msg:
                    self.warm.set()
                elif "reply" in msg:
                    reply = self._replies.pop(msg["reply"], None)
                    if reply is not None and not reply.done():
                        if "error" in msg:
                            reply.set_exception(WorkerError(msg["error"]))
                        else:
                            reply.set_result(msg["outcomes"])
        finally:
            await proc.wait()
            await self._worker_ended(proc.returncode)

    def _event(self, body: dict) -> None:
        rid = body["revision_id"]
        if body["kind"] == "delta":
            text = self._texts.get(rid, "") + body["delta"]
            self._texts[rid] = text
            event = StreamEvent("delta", rid, body["draft_id"], text=text, delta=body["delta"],
                                tokens=body["tokens"])
        else:
            event = StreamEvent(**body)
            if event.kind in ("created", "start"):
                self._drafts[rid] = event.draft_id
                self._texts[rid] = ""
            elif event.kind in ENDED:
                self._drafts.pop(rid, None)
                self._texts.pop(rid, None)
        self.on_event(event)

    async def _worker_ended(self, code: int | None) -> None:
        """The worker exited. Whatever was still streaming ends here, with the text that had arrived."""
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
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(WorkerError(error))
        self._replies.clear()

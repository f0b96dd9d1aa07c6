"""Streams into panes: the engine's callback buffers deltas, a timer applies them ~10 times a second.

Mixed into HitlApp. The engine calls `_engine_event` for every chunk; nothing on that path touches a widget or
awaits the database. Starts and ends arrive as DraftEvent messages on the App's queue.

Drafts that another process writes (a colleague's station got to a new brief first, `hitl draft`) reach the
open brief's panes through the log instead, every poll; so do drafts whose writer died, which `_follow_writers`
ends as interrupted whenever that becomes known (store/writers.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..drafting.events import StreamEvent
from ..store.drafts import STREAMING_STATES
from ..gates import run_gates
from .coalesce import Coalesced
from .guard import guarded
from .messages import DraftEvent

if TYPE_CHECKING:
    from .app import HitlApp

FLUSH_SECONDS = 0.1  # streamed tokens are applied to panes ~10 times a second, never per token
SIDE_FLUSH_SECONDS = 1.0  # panes other than the focused one: once a second is enough to watch them grow
STREAM_GATE_GROWTH = 1.25  # gates re-run on streaming text when it has grown by this factor...
STREAM_GATE_CHARS = 200  # ... and by at least this many characters (they always run at the end)
LIVE = (*STREAMING_STATES, "retrying")


class StreamView:
    def _init_streaming(self: HitlApp) -> None:
        self._stream: dict[int, tuple[int, str, int]] = {}  # draft_id -> (revision_id, text, tokens)
        self._dirty: set[int] = set()
        self._gated_at: dict[int, int] = {}  # draft_id -> text length when its gates last ran
        self._flushed_at: dict[int, float] = {}
        self._unseen_drafts: set[int] = set()
        self._pane_loader = Coalesced(self, self._add_new_panes, "reload")

    def _engine_event(self: HitlApp, event: StreamEvent) -> None:
        """Called by the engine for every chunk: buffer deltas (applied by a timer), post the rest as messages."""
        if event.kind == "delta":
            self._stream[event.draft_id] = (event.revision_id, event.text, event.tokens)
            self._dirty.add(event.draft_id)
        else:
            self.post_message(DraftEvent(event))

    def _flush_streams(self: HitlApp) -> None:
        if not self.live or not self._dirty:
            return
        now = time.monotonic()
        current = self.current_pane
        dirty, self._dirty = self._dirty, set()
        for draft_id in dirty:
            state = self.states.get(draft_id)
            pane = self.pane_for(draft_id)
            if state is None or pane is None or pane.editing or draft_id not in self._stream:
                continue
            if pane is not current and now - self._flushed_at.get(draft_id, 0.0) < SIDE_FLUSH_SECONDS:
                self._dirty.add(draft_id)
                continue
            self._flushed_at[draft_id] = now
            _rid, text, tokens = self._stream[draft_id]
            state.text, state.tokens, state.status = text, tokens, "streaming"
            # Gates cost a few ms on a long draft; at 8 panes x 10 flushes a second that would starve the loop.
            # Streaming text only grows, so earlier evidence stays valid: re-check once a second per pane.
            # Gates cost time in proportion to the text, so they re-run as the text grows by a quarter (and by at
            # least STREAM_GATE_CHARS): over a whole stream that adds up to about five passes over the final text,
            # however long it gets. They always run once more when the stream ends.
            last_len = self._gated_at.get(draft_id, 0)
            gated = len(text) >= max(last_len * STREAM_GATE_GROWTH, last_len + STREAM_GATE_CHARS)
            if gated:
                self._gated_at[draft_id] = len(text)
                state.gates = run_gates(text, self.spec)
            pane.refresh_state(state)
            if pane is current and gated:
                self.update_details()

    @guarded
    async def on_draft_event(self: HitlApp, message: DraftEvent) -> None:
        if not self.live:
            return
        event = message.event
        if event.kind in ("done", "failed", "interrupted"):
            self._stream.pop(event.draft_id, None)
            self._dirty.discard(event.draft_id)
        # Nothing here awaits the database: this handler runs on the App's queue, and keys wait behind it.
        state = self.states.get(event.draft_id)
        if state is None:  # a variant without a pane yet (new drafts): reload panes if it is this brief's
            self._unseen_drafts.add(event.draft_id)
            self._pane_loader.request()
            self.request_queue_refresh()
            return
        if event.kind == "created":
            return
        if event.kind == "start":
            if state.revision_id is not None and event.revision_id != state.revision_id:
                state.revision += 1  # revise / regenerate: the next AI revision of this variant
            state.revision_id = event.revision_id
            self._gated_at.pop(event.draft_id, None)  # a new text: its gates start over
            state.status, state.error, state.edited = "streaming", None, False
            state.text, state.tokens, state.cost = "", 0, None
        elif event.kind == "retry":
            state.status, state.error = "retrying", f"retry {event.attempt}: {event.error}"
        else:
            state.status, state.error, state.text = event.kind, event.error, event.text
            state.tokens, state.cost = event.tokens, event.cost
            state.gates = run_gates(state.text, self.spec)  # the engine logged them with the revision
            self.request_queue_refresh()
        pane = self.pane_for(event.draft_id)
        if pane and not pane.editing:
            pane.refresh_state(state)
        if pane is not None and pane is self.current_pane:
            self.update_details()

    @guarded
    async def _add_new_panes(self: HitlApp) -> None:
        """New variants streaming: if they belong to the open brief, reload its panes (once per burst)."""
        unseen, self._unseen_drafts = self._unseen_drafts, set()
        for draft_id in unseen:
            draft = await self.store.draft(draft_id)
            if draft and self.current_row and draft["brief_id"] == self.current_row["id"]:
                await self.open_brief(self.current_name, force=True)  # reads every variant's latest state
                return

    # ---------------------------------------------------------------- drafts written by other processes

    @guarded
    async def _follow_writers(self: HitlApp) -> None:
        """End drafts whose writer is gone (at start-up and on every poll), and bring the open brief's variants
        that another process writes up to date from the log."""
        if not self.live:
            return
        if await self.store.recover_orphans():
            self.request_queue_refresh()
        await self._follow_open_brief()

    async def _follow_open_brief(self: HitlApp) -> None:
        row = self.current_row
        if not self.live or self.claimed_id is None or not row or row["id"] != self.claimed_id:
            return
        version = row["current_version_id"]
        mine = self.engine.active_drafts if self.engine is not None else set()
        elsewhere = [s for s in self.states.values() if s.status in LIVE and s.draft_id not in mine]
        count = (await self.store.fetchone("SELECT COUNT(*) AS n FROM drafts WHERE brief_version_id=?",
                                           (version,)))["n"] if version else 0
        if count != len(self.states):  # variants created elsewhere (or here, their events still on the way)
            if self.live and not any(p.editing for p in self._panes.values()):
                await self.open_brief(self.current_name, force=True)
            return
        for state in elsewhere:
            revisions = await self.store.revisions(state.draft_id)
            ai = [r for r in revisions if r["kind"] == "ai"]
            if not self.live or not ai or self.states.get(state.draft_id) is not state:
                return
            last = ai[-1]
            if (last["status"], last["text"], last["id"]) == (state.status, state.text, state.revision_id):
                continue
            if state.revision_id is not None and last["id"] != state.revision_id:
                state.revision = last["number"]
            state.revision_id, state.status, state.text = last["id"], last["status"], last["text"]
            state.tokens, state.cost, state.error = last["tokens_out"] or 0, last["cost"], last["error"]
            state.gates = run_gates(state.text, self.spec)
            pane = self.pane_for(state.draft_id)
            if pane is not None and not pane.editing:
                pane.refresh_state(state)
                if pane is self.current_pane:
                    self.update_details()


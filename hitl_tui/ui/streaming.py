"""Streams into panes: the engine's callback buffers deltas, a timer applies them ~10 times a second.

Mixed into HitlApp. The engine calls `_engine_event` for every chunk; nothing on that path touches a widget or
awaits the database. Starts and ends arrive as DraftEvent messages on the App's queue.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..drafting.events import StreamEvent
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

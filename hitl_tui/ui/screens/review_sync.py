"""Keeping the review up with what changes underneath it: the queue and claims (other stations' changes arrive
through the log, every poll), streamed text, and drafts' lifecycle events.

The engine's deltas are buffered by `ReviewScreen.engine_event` (review/streams.py) and a timer applies them here
~10 times a second; starts, retries and ends arrive as DraftEvent messages. Drafts that another process writes
(a colleague's station got to a new brief first, `hitl draft`) reach the open brief's panes through the log
instead, every poll; so do drafts whose writer died, which `follow_writers` ends as interrupted whenever that
becomes known (store/writers.py). Nothing on the delta path touches a widget or awaits the database.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..coalesce import Coalesced
from ..guard import guarded
from ..widgets.queue import BriefQueue
from . import review_team
from .review_learning import refresh_learning
from .review_state import ReviewState

if TYPE_CHECKING:  # the drafting modules load with the drafting client, after the first frame
    from ...drafting.events import StreamEvent

LIVE = ("pending", "streaming", "retrying")  # a variant still being written


class ReviewSync(ReviewState):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._seen_event = -1  # the newest event id the queue reflects
        self._next_expiry = float("inf")  # when a colleague's claim runs out (their app may have died)
        self._unseen_drafts: set[int] = set()
        self._queue_refresher = Coalesced(self, self._refresh_queue_guarded, "queue-refresh")
        self._pane_loader = Coalesced(self, self._add_new_panes, "reload")

    # ---------------------------------------------------------------- the queue

    async def refresh_queue(self, open_first: bool = True, state: tuple[int, list] | None = None) -> None:
        """Reload the queue from the log (or show `state`, a `store.queue_state()` read already: the first
        frame's, read while the station started); with nothing open yet, open the highlighted brief."""
        if not self.live:
            return
        self._seen_event, self.rows = state or await self.app.store.queue_state()
        now = time.time()
        self._next_expiry = min((r.claim_expires for r in self.rows
                                 if r.claim_expires and r.claim_expires > now), default=float("inf"))
        queue = self.query_one(BriefQueue)
        if queue.triage is not None:  # sorted by where a person is needed: the order moves with the log
            await review_team.apply_triage(self, refresh=False)
        queue.set_rows(self.rows)
        if self.current_name is None and queue.highlighted_name:
            if open_first:
                await self.open_brief(queue.highlighted_name)
        elif self.current_name:
            self.current_row = queue.row(self.current_name) or self.current_row
            row = self.current_row
            if self.held_elsewhere and row and not (row.claim_instance and (row.claim_expires or 0) > now):
                await self.open_brief(self.current_name, force=True)  # the colleague let go: open it here
            else:
                self._show_summary()

    @guarded
    async def _refresh_queue_guarded(self) -> None:
        await self.refresh_queue()

    @guarded
    async def poll(self) -> None:
        """Other instances' changes arrive through the database. Every change writes an event, so one cheap
        query says whether the queue is stale; only then is it reloaded (10,000 rows are not free)."""
        store = self.app.store
        if store and (await store.last_event_id() != self._seen_event or time.time() >= self._next_expiry):
            await self.refresh_queue()
            await review_team.after_poll(self)  # a colleague answered, signed or sourced a claim

    def request_queue_refresh(self) -> None:
        """Refresh the queue soon, off the message queue; bursts (8 drafts ending) coalesce into one."""
        if self.live:
            self._queue_refresher.request()

    @guarded
    async def renew_claim(self) -> None:
        if not self.live or self.claimed_id is None:
            return
        ok, holder = await self.app.store.renew(self.claimed_id, self.app.instance)
        if not ok and self.live:
            await self._lost_claim(holder)

    async def _lost_claim(self, holder: str | None) -> None:
        """Another session of the same person opened this brief (see Store.claim): say so, stop reviewing it
        here, and do not take it back — it opens here again once that session lets go."""
        self._load_seq += 1
        await self.save_open_edit()
        self.claimed_id, self.held_elsewhere, self.brief = None, True, None
        self.notice = self._held_notice(holder)
        self._show_summary()
        await self._show_drafts([], self._load_seq)
        self.request_queue_refresh()

    # ---------------------------------------------------------------- streams (see review/streams.py)

    def flush_streams(self) -> None:
        if not self.live:
            return
        current = self.current_pane

        def showable(draft_id: int) -> bool:
            pane = self.pane_for(draft_id)
            return draft_id in self.states and pane is not None and not pane.editing

        for draft_id, text, tokens, gate in self.streams.due(current.state.draft_id if current else None,
                                                             showable):
            state, pane = self.states[draft_id], self.pane_for(draft_id)
            state.set_text(text, gates=gate)
            state.tokens, state.status = tokens, "streaming"
            pane.refresh_state(state)
            if pane is current and gate:
                self.update_details()

    async def draft_event(self, event: StreamEvent) -> None:
        """A draft started, retried, ended or failed. Nothing here awaits the database: keys wait behind it."""
        if event.kind in ("done", "failed", "interrupted"):
            self.streams.end(event.draft_id)
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
            self.streams.restart(event.draft_id)  # a new text: its gates start over
            state.status, state.error, state.edited = "streaming", None, False
            state.text, state.tokens, state.cost = "", 0, None
        elif event.kind == "retry":
            state.status, state.error = "retrying", f"retry {event.attempt}: {event.error}"
        else:
            state.status, state.error = event.kind, event.error
            state.set_text(event.text)  # the engine logged the same gate results with the revision
            state.tokens, state.cost = event.tokens, event.cost
            self.request_queue_refresh()
            refresh_learning(self, event.draft_id, done=event.kind == "done")  # what a revise addressed
        pane = self.pane_for(event.draft_id)
        if pane and not pane.editing:
            pane.refresh_state(state)
        if pane is not None and pane is self.current_pane:
            self.update_details()

    @guarded
    async def _add_new_panes(self) -> None:
        """New variants streaming: if they belong to the open brief, reload its panes (once per burst)."""
        unseen, self._unseen_drafts = self._unseen_drafts, set()
        for draft_id in unseen:
            draft = await self.app.store.draft(draft_id)
            if draft and self.current_row and draft.brief_id == self.current_row.id:
                await self.open_brief(self.current_name, force=True)  # reads every variant's latest state
                return

    @guarded
    async def follow_writers(self) -> None:
        """End drafts whose writer is gone (at start-up and on every poll), and bring the open brief's variants
        that another process writes up to date from the log."""
        if not self.live:
            return
        if await self.app.store.recover_orphans():
            self.request_queue_refresh()
        await self._follow_open_brief()

    async def _follow_open_brief(self) -> None:
        row, store = self.current_row, self.app.store
        if not self.live or self.claimed_id is None or not row or row.id != self.claimed_id:
            return
        version = row.current_version_id
        mine = self.app.engine.active_drafts if self.app.engine is not None else set()
        elsewhere = [s for s in self.states.values() if s.status in LIVE and s.draft_id not in mine]
        count = await store.count_drafts(version) if version else 0
        if count != len(self.states):  # variants created elsewhere (or here, their events still on the way)
            if self.live and not any(p.editing for p in self._panes.values()):
                await self.open_brief(self.current_name, force=True)
            return
        for state in elsewhere:
            draft = await store.draft(state.draft_id, with_revisions=True)
            if not self.live or draft is None or self.states.get(state.draft_id) is not state:
                return
            last = draft.latest_ai
            if (last.status, last.text, last.id) == (state.status, state.text, state.revision_id):
                continue
            if state.revision_id is not None and last.id != state.revision_id:
                state.revision = last.number
            state.revision_id, state.status = last.id, last.status
            state.set_text(last.text)
            state.tokens, state.cost, state.error = last.tokens_out or 0, last.cost, last.error
            pane = self.pane_for(state.draft_id)
            if pane is not None and not pane.editing:
                pane.refresh_state(state)
                if pane is self.current_pane:
                    self.update_details()

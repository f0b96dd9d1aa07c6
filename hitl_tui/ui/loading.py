"""The queue, the open brief and its panes: what the store knows, brought to the screen.

Mixed into HitlApp. Opening a brief claims it (a lease, renewed while open) so a colleague's instance shows it as
in review; the queue row changes at once, without waiting for the next poll.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from rich.text import Text

from ..gates import gate_spec, run_gates
from ..store.drafts import brief_status
from ..store.review import CLAIM_TTL
from .coalesce import Coalesced
from .guard import guarded
from .widgets.draft_pane import DraftPane, PaneState
from .widgets.pane_strip import PaneStrip
from .widgets.queue import BriefQueue
from .widgets.review_panel import BriefSummary, Checklist, GateDetails, ScoreCard, summary_text

if TYPE_CHECKING:
    from .app import HitlApp


class BriefLoading:
    def _init_loading(self: HitlApp) -> None:
        self.rows: list[dict] = []
        self.current_name: str | None = None
        self.shown_name: str | None = None  # the brief whose panes are on screen (tests, benchmarks)
        self.current_row: dict | None = None
        self.brief = None
        self.claimed_id: int | None = None
        self.held_elsewhere = False  # the open brief is in review in another instance
        self.notice = ""
        self.states: dict[int, PaneState] = {}
        self._panes: dict[int, DraftPane] = {}
        self.drafts: dict[int, dict] = {}
        self.order: list[int] = []
        self.pane_index = 0
        self.dim_index = 0
        self._scores: dict[str, int] = {}  # this reviewer's own scores of the focused variant
        self._colleagues_scored: list[str] = []  # who else scored it
        self._ticks: dict[str, bool] = {}
        self._note = ""
        self._load_seq = 0
        self._seen_event = -1  # the newest event id the queue reflects
        self._next_expiry = float("inf")  # when a colleague's claim runs out (their app may have died)
        self._queue_refresher = Coalesced(self, self._refresh_queue_guarded, "queue-refresh")

    # ---------------------------------------------------------------- the queue

    async def refresh_queue(self: HitlApp, open_first: bool = True) -> None:
        """Reload the queue from the log; with nothing open yet, open the highlighted brief."""
        if not self.live:
            return
        self._seen_event = await self.store.last_event_id()
        self.rows = await self.store.list_briefs()
        now = time.time()
        self._next_expiry = min((r["claim_expires"] for r in self.rows
                                 if r["claim_expires"] and r["claim_expires"] > now), default=float("inf"))
        queue = self.main(BriefQueue)
        queue.set_rows(self.rows)
        if self.current_name is None and queue.highlighted_name:
            if open_first:
                await self.open_brief(queue.highlighted_name)
        elif self.current_name:
            self.current_row = queue.row(self.current_name) or self.current_row
            row = self.current_row
            if self.held_elsewhere and row and not (row["claim_instance"] and (row["claim_expires"] or 0) > now):
                await self.open_brief(self.current_name, force=True)  # the colleague let go: open it here
            else:
                self._show_summary()

    @guarded
    async def _refresh_queue_guarded(self: HitlApp) -> None:
        await self.refresh_queue()

    @guarded
    async def _poll(self: HitlApp) -> None:
        """Other instances' changes arrive through the database. Every change writes an event, so one cheap
        query says whether the queue is stale; only then is it reloaded (10,000 rows are not free)."""
        if self.store and (await self.store.last_event_id() != self._seen_event or time.time() >= self._next_expiry):
            await self.refresh_queue()

    def request_queue_refresh(self: HitlApp) -> None:
        """Refresh the queue soon, off the App's message queue; bursts (8 drafts ending) coalesce into one."""
        if self.live:
            self._queue_refresher.request()

    @guarded
    async def _renew_claim(self: HitlApp) -> None:
        if not self.live or self.claimed_id is None:
            return
        ok, holder = await self.store.renew(self.claimed_id, self.instance)
        if not ok and self.live:
            await self._lost_claim(holder)

    async def _lost_claim(self: HitlApp, holder: str | None) -> None:
        """Another session of the same person opened this brief (see Store.claim): say so, stop reviewing it
        here, and do not take it back — it opens here again once that session lets go."""
        self._load_seq += 1
        await self.save_open_edit()
        self.claimed_id, self.held_elsewhere, self.brief = None, True, None
        self.notice = self._held_notice(holder)
        self._show_summary()
        await self._show_drafts([], self._load_seq)
        self.request_queue_refresh()

    def _held_notice(self: HitlApp, holder: str | None) -> str:
        if holder == self.config.reviewer:
            return "Open for review in another session of yours: not here; it opens here when you move on there."
        return f"In review by {holder}: not opened for review here; it opens when they move on."

    @guarded
    async def on_brief_queue_highlighted(self: HitlApp, event: BriefQueue.Highlighted) -> None:
        if event.name != self.current_name:
            await self.open_brief(event.name)

    def _mark_claim(self: HitlApp, row: dict | None, mine: bool) -> None:
        """Show our own claim (or its release) in the queue at once."""
        if row is None:
            return
        if mine:
            row.update(claimed_by=self.config.reviewer, claim_instance=self.instance,
                       claim_expires=time.time() + CLAIM_TTL)
        elif row.get("claim_instance") == self.instance:
            row.update(claimed_by=None, claim_instance=None, claim_expires=None)
        row["status"] = brief_status(row)
        self.main(BriefQueue).update_row(row["name"])

    # ---------------------------------------------------------------- the open brief

    async def open_brief(self: HitlApp, name: str | None, force: bool = False) -> None:
        """Show a brief: claim it, load its current version's variants. A newer call supersedes this one."""
        if not self.live or (name == self.current_name and not force):
            return
        self._load_seq += 1
        seq = self._load_seq
        self.current_name = name  # at once: a second request for the same brief is then a no-op
        await self.save_open_edit()
        queue = self.main(BriefQueue)
        row = queue.row(name)
        if self.claimed_id is not None and (row is None or row["id"] != self.claimed_id):
            released, self.claimed_id = self.claimed_id, None
            await self.store.release(released, self.instance)
            self._mark_claim(next((r for r in self.rows if r["id"] == released), None), mine=False)
        # A refresh of a brief held elsewhere must not take it from another session of ours (no fighting).
        take_over = not (force and self.held_elsewhere)
        self.current_row, self.notice, self.held_elsewhere = row, "", False
        self.brief, drafts = None, []
        if row and not row["error"]:
            ok, holder = await self.store.claim(row["id"], self.instance, take_over=take_over)
            if ok:
                self.claimed_id = row["id"]
                self._mark_claim(row, mine=True)
                self.brief = await self.store.current_brief(row["id"])
                if row["current_version_id"]:
                    drafts = await self.store.drafts_for_version(row["current_version_id"])
            else:
                self.held_elsewhere = True
                self.notice = self._held_notice(holder)
        if seq != self._load_seq:
            return
        self.spec = gate_spec(self.config, self.brief)
        self._show_summary()
        await self._show_drafts(drafts, seq)
        if seq == self._load_seq:
            self.shown_name = name

    def _show_summary(self: HitlApp) -> None:
        self.main(BriefSummary).show_text(summary_text(self.brief, self.current_row, self.notice))

    async def _show_drafts(self: HitlApp, drafts: list[dict], seq: int) -> None:
        states, self.drafts = {}, {d["id"]: d for d in drafts}
        for d in drafts:
            states[d["id"]] = await self._pane_state(d)
        order = [d["id"] for d in drafts]
        if self.blind and self.config.ui.shuffle and self.current_row:
            random.Random(self.current_row["id"]).shuffle(order)  # stable per brief, so panes do not jump
        if seq != self._load_seq:
            return
        self.states, self.order = states, order
        await self._mount_panes()

    async def _mount_panes(self: HitlApp) -> None:
        """One pane per variant in `self.order`, showing `self.states`."""
        container = self.main(PaneStrip)
        if not self._panes and not self.order:  # nothing shown, nothing to show: no re-layout
            self.focus_pane(0)
            return
        await self.save_open_edit()  # an editor opened while this brief loaded: saved, never dropped
        keys_in_pane = isinstance(self.main_screen.focused, DraftPane)
        self._panes = {}
        if isinstance(self.main_screen.maximized, DraftPane):
            self.main_screen.minimize()
        await container.remove_children()
        retry = self.config.keys.get("regenerate", "g")
        panes = [DraftPane(self.states[i], retry_key=retry, id=f"pane-{i}") for i in self.order]
        self._panes = {pane.state.draft_id: pane for pane in panes}
        await container.mount_all(panes)
        self.pane_index = min(self.pane_index, max(0, len(self.order) - 1)) if self.order else 0
        self.focus_pane(self.pane_index)
        if keys_in_pane and self.current_pane is not None:
            self.current_pane.focus()  # the reader stays in the variants, not thrown back to the queue

    async def _pane_state(self: HitlApp, draft: dict) -> PaneState:
        revs = draft["revisions"]
        ai = [r for r in revs if r["kind"] == "ai"]
        top, last_ai = revs[-1], ai[-1]
        label = f"Variant {chr(65 + draft['variant'] % 26)}" if self.blind else draft["label"]
        decisions = await self.store.decisions(draft["id"])
        edited = top["kind"] == "human" and top["text"] != last_ai["text"]  # an undone edit is not an edit
        state = PaneState(draft["id"], label, status=last_ai["status"], text=top["text"],
                          tokens=last_ai["tokens_out"] or 0, cost=last_ai["cost"], error=last_ai["error"],
                          revision=last_ai["number"], revision_id=last_ai["id"], edited=edited,
                          decision=decisions[-1]["kind"] if decisions else None)
        if draft["id"] in self.unsaved:  # an edit hitl.db refused so far: still the text, still retried
            unsaved = self.unsaved[draft["id"]]
            state.text, state.edited, state.save_error = unsaved.text, True, f"not saved: {unsaved.problem} — retrying"
        if draft["id"] in self._stream:
            _rid, state.text, state.tokens = self._stream[draft["id"]]
            state.status = "streaming"
        state.gates = run_gates(state.text, self.spec)
        return state

    # ---------------------------------------------------------------- panes and the details below them

    def pane_for(self: HitlApp, draft_id: int) -> DraftPane | None:
        # A dict, not a DOM query: this runs for every pane on every stream flush.
        pane = self._panes.get(draft_id)
        return pane if pane is not None and pane.is_attached else None

    @property
    def current_pane(self: HitlApp) -> DraftPane | None:
        if not self.order or not self.screen_stack:
            return None
        return self.pane_for(self.order[self.pane_index % len(self.order)])

    @property
    def current_state(self: HitlApp) -> PaneState | None:
        pane = self.current_pane
        return pane.state if pane else None

    def focus_pane(self: HitlApp, index: int) -> None:
        if not self.live:
            return
        if not self.order:
            self.update_details()
            self.refresh_bindings()
            return
        self.pane_index = index % len(self.order)
        for i, draft_id in enumerate(self.order):
            pane = self.pane_for(draft_id)
            if pane:
                pane.set_current(i == self.pane_index)
        self.main(PaneStrip).show(self.pane_index, single=self.has_class("narrow"))
        current = self.current_pane
        if isinstance(self.main_screen.maximized, DraftPane) and current is not None:
            self.main_screen.maximize(current, container=False)  # zoomed: the next variant, zoomed
        if isinstance(self.main_screen.focused, DraftPane) and current is not None:
            current.focus()  # the keys follow the variant
        self.refresh_bindings()  # the footer shows only what can be done now
        self.run_worker(self._load_review, group="details", exclusive=True, exit_on_error=False)

    async def _load_review(self: HitlApp) -> None:
        state = self.current_state if self.live else None
        if state is None:
            return
        scores = await self.store.scores(state.draft_id)  # mine; colleagues keep their own
        colleagues = await self.store.colleagues_who_scored(state.draft_id)
        ticks = await self.store.ticks(state.draft_id)
        note = await self.store.note(state.draft_id)
        if not self.live or self.current_state is not state:
            return
        self._scores, self._ticks, self._note = scores, ticks, note
        self._colleagues_scored = colleagues
        dims = list(self.config.rubric)
        unscored = [i for i, d in enumerate(dims) if d not in self._scores]
        self.dim_index = unscored[0] if unscored else len(dims) - 1
        self.update_details()
        self.main(Checklist).show(self.spec.manual_items, self._ticks)

    def update_details(self: HitlApp) -> None:
        if not self.live:
            return
        state = self.current_state
        scores = self.main(ScoreCard)
        gates = self.main(GateDetails)
        if state is None:
            scores.show_text(Text())
            gates.show([])
            self.main(Checklist).show([], {})
            return
        scores.show(self.config.rubric, self._scores, self.dim_index, self._colleagues_scored)
        gates.show(state.gates, self._note)

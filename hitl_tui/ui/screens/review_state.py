"""The review station's state and how it is brought to the screen: the queue's claims, the open brief, its
variants' panes, and the details below them (scores, checklist, gates; the learning line and the team's stages
and questions come from review_learning.py and review_team.py). Saving edits and scores, and keeping what the log
refuses, is `ReviewSaver` (review_saving.py), called from this class's `DraftPane` handlers. The queue and
streams are kept up to date in `review_sync.py`; `ReviewScreen` (review.py) adds the layout, keys and the other
message handlers.

Opening a brief claims it (a lease, renewed while open) so a colleague's station shows it as in review; the queue
row changes at once, without waiting for the next poll. A brief held elsewhere opens by itself once released.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.screen import Screen

from ...store import BriefRow, Draft
from ...store.drafts import brief_status
from ...store.review import CLAIM_TTL
from ..guard import guarded
from ..review.streams import StreamBuffer
from ..widgets.draft_pane import DraftPane, PaneState, editor_class
from ..widgets.pane_strip import PaneStrip
from ..widgets.queue import BriefQueue
from ..widgets.review_panel import BriefSummary, Checklist, GateDetails, ScoreCard, summary_text
from . import review_team
from .review_learning import load_learning
from .review_saving import ReviewSaver

if TYPE_CHECKING:
    from ...gates import GateSpec
    from ..app import HitlApp


class ReviewState(Screen):
    app: HitlApp

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[BriefRow] = []
        self.current_name: str | None = None
        self.shown_name: str | None = None  # the brief whose panes are on screen (tests, benchmarks)
        self.current_row: BriefRow | None = None
        self.brief = None
        self.claimed_id: int | None = None
        self.held_elsewhere = False  # the open brief is in review in another instance
        self.notice = ""
        self.spec: GateSpec | None = None
        self.blind = False
        self.states: dict[int, PaneState] = {}
        self._panes: dict[int, DraftPane] = {}
        self.drafts: dict[int, Draft] = {}
        self.order: list[int] = []
        self.pane_index = 0
        self.dim_index = 0
        self.scores: dict[str, int] = {}  # this reviewer's own scores of the focused variant
        self.colleagues_scored: list[str] = []  # who else scored it
        self.ticks: dict[str, bool] = {}
        self.note = ""
        self.learning = Text()  # what the last revise addressed and the voice memory (review_learning.py)
        self.team_text = Text()  # the focused variant's sign-off stages and questions (review_team.py)
        self.questions_seen: set[int] | None = None  # questions to me already told (None: not looked yet)
        self.claim_records: dict[int, dict] = {}  # draft id -> its claims register, for the claims gate
        self.streams = StreamBuffer()
        self.saving = ReviewSaver(self)  # edits and scores, and what hitl.db refused (kept and retried)
        self._load_seq = 0

    @property
    def live(self) -> bool:
        """False during teardown: late stream events and timers must not touch a screen that is going."""
        return self.app.live and self.is_attached

    # ---------------------------------------------------------------- claims (the queue is refreshed in review_sync.py)

    def _held_notice(self, holder: str | None) -> str:
        if holder == self.app.config.reviewer:
            return "Open for review in another session of yours: not here; it opens here when you move on there."
        return f"In review by {holder}: not opened for review here; it opens when they move on."

    def _mark_claim(self, row: BriefRow | None, mine: bool) -> None:
        """Show our own claim (or its release) in the queue at once."""
        if row is None:
            return
        if mine:
            row.claimed_by, row.claim_instance = self.app.config.reviewer, self.app.instance
            row.claim_expires = time.time() + CLAIM_TTL
        elif row.claim_instance == self.app.instance:
            row.claimed_by = row.claim_instance = row.claim_expires = None
        row.status = brief_status(row)
        self.query_one(BriefQueue).update_row(row.name)

    # ---------------------------------------------------------------- the open brief

    async def open_brief(self, name: str | None, force: bool = False) -> None:
        """Show a brief: claim it, load its current version's variants. A newer call supersedes this one."""
        if not self.live or (name == self.current_name and not force):
            return
        self._load_seq += 1
        seq = self._load_seq
        self.current_name = name  # at once: a second request for the same brief is then a no-op
        await self.save_open_edit()
        store, instance = self.app.store, self.app.instance
        row = self.query_one(BriefQueue).row(name)
        if self.claimed_id is not None and (row is None or row.id != self.claimed_id):
            released, self.claimed_id = self.claimed_id, None
            await store.release(released, instance)
            self._mark_claim(next((r for r in self.rows if r.id == released), None), mine=False)
        # A refresh of a brief held elsewhere must not take it from another session of ours (no fighting).
        take_over = not (force and self.held_elsewhere)
        self.current_row, self.notice, self.held_elsewhere = row, "", False
        self.brief, drafts = None, []
        if row and not row.error:
            ok, holder = await store.claim(row.id, instance, take_over=take_over)
            if ok:
                self.claimed_id = row.id
                self._mark_claim(row, mine=True)
                self.brief = await store.current_brief(row.id)
                if row.current_version_id:
                    drafts = await store.drafts_for_version(row.current_version_id)
            else:
                self.held_elsewhere = True
                self.notice = self._held_notice(holder)
        if seq != self._load_seq:
            return
        self.app.ws.learned_rules()  # a rule accepted in another station applies from the next brief opened
        from ...gates import gate_spec  # the gates load with the first brief, after the first frame

        self.spec = gate_spec(self.app.config, self.brief)
        self._show_summary()
        await self._show_drafts(drafts, seq)
        if seq == self._load_seq:
            self.shown_name = name

    async def open_first(self) -> None:
        """After the first frame: open the highlighted brief, if none is open yet."""
        queue = self.query_one(BriefQueue)
        if self.current_name is None and queue.highlighted_name:
            await self.open_brief(queue.highlighted_name)
        await review_team.tell_new_questions(self)

    def _show_summary(self) -> None:
        self.query_one(BriefSummary).show_text(summary_text(self.brief, self.current_row, self.notice))

    async def _show_drafts(self, drafts: list[Draft], seq: int) -> None:
        states, self.drafts = {}, {d.id: d for d in drafts}
        for d in drafts:
            states[d.id] = await self._pane_state(d)
        order = [d.id for d in drafts]
        if self.blind and self.app.config.ui.shuffle and self.current_row:
            random.Random(self.current_row.id).shuffle(order)  # stable per brief, so panes do not jump
        if seq != self._load_seq:
            return
        self.states, self.order = states, order
        await self.mount_panes()

    async def mount_panes(self) -> None:
        """One pane per variant in `self.order`, showing `self.states`."""
        container = self.query_one(PaneStrip)
        if not self._panes and not self.order:  # nothing shown, nothing to show: no re-layout
            self.focus_pane(0)
            return
        await self.save_open_edit()  # an editor opened while this brief loaded: saved, never dropped
        keys_in_pane = isinstance(self.focused, DraftPane)
        self._panes = {}
        if isinstance(self.maximized, DraftPane):
            self.minimize()
        await container.remove_children()
        retry = self.app.config.keys.get("regenerate", "g")
        panes = [DraftPane(self.states[i], retry_key=retry, id=f"pane-{i}") for i in self.order]
        self._panes = {pane.state.draft_id: pane for pane in panes}
        await container.mount_all(panes)
        self.pane_index = min(self.pane_index, max(0, len(self.order) - 1)) if self.order else 0
        self.focus_pane(self.pane_index)
        if keys_in_pane and self.current_pane is not None:
            self.current_pane.focus()  # the reader stays in the variants, not thrown back to the queue

    async def _pane_state(self, draft: Draft) -> PaneState:
        ai = draft.latest_ai
        label = f"Variant {chr(65 + draft.variant % 26)}" if self.blind else draft.label
        decisions = await self.app.store.decisions(draft.id)
        state = PaneState(draft.id, label, status=ai.status, tokens=ai.tokens_out or 0, cost=ai.cost,
                          error=ai.error, revision=ai.number, revision_id=ai.id, edited=draft.edited,
                          decision=decisions[-1].kind if decisions else None, spec=self.spec,
                          claims=await self.app.store.claim_records(draft.id))
        self.claim_records[draft.id] = state.claims
        text = draft.latest.text
        unsaved = self.saving.unsaved_text(draft.id)
        if unsaved is not None:  # an edit hitl.db refused so far: still the text, still retried
            text, state.edited, state.save_error = unsaved.text, True, f"not saved: {unsaved.problem} — retrying"
        if draft.id in self.streams.texts:
            _rid, text, state.tokens = self.streams.texts[draft.id]
            state.status = "streaming"
        state.set_text(text)
        return state

    # ---------------------------------------------------------------- panes and the details below them

    def pane_for(self, draft_id: int) -> DraftPane | None:
        # A dict, not a DOM query: this runs for every pane on every stream flush.
        pane = self._panes.get(draft_id)
        return pane if pane is not None and pane.is_attached else None

    @property
    def current_pane(self) -> DraftPane | None:
        if not self.order or not self.is_attached:
            return None
        return self.pane_for(self.order[self.pane_index % len(self.order)])

    @property
    def current_state(self) -> PaneState | None:
        pane = self.current_pane
        return pane.state if pane else None

    def focus_pane(self, index: int) -> None:
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
        self.query_one(PaneStrip).show(self.pane_index, single=self.has_class("narrow"))
        current = self.current_pane
        if isinstance(self.maximized, DraftPane) and current is not None:
            self.maximize(current, container=False)  # zoomed: the next variant, zoomed
        if isinstance(self.focused, DraftPane) and current is not None:
            current.focus()  # the keys follow the variant
        self.refresh_bindings()  # the key bar shows only what can be done now
        self.run_worker(self._load_review, group="details", exclusive=True, exit_on_error=False)

    async def _load_review(self) -> None:
        state = self.current_state if self.live else None
        if state is None:
            return
        store = self.app.store
        scores = await store.scores(state.draft_id)  # mine; colleagues keep their own
        colleagues = await store.colleagues_who_scored(state.draft_id)
        ticks = await store.ticks(state.draft_id)
        note = await store.note(state.draft_id)
        if not self.live or self.current_state is not state:
            return
        scores.update(self.saving.unsaved_scores_of(state.draft_id))
        self.scores, self.ticks, self.note, self.colleagues_scored = scores, ticks, note, colleagues
        dims = list(self.app.config.rubric)
        unscored = [i for i, d in enumerate(dims) if d not in self.scores]
        self.dim_index = unscored[0] if unscored else len(dims) - 1
        self.update_details()
        self.query_one(Checklist).show(self.spec.manual_items, self.ticks)
        await load_learning(self)
        await review_team.load_team(self)

    def update_details(self) -> None:
        if not self.live:
            return
        state = self.current_state
        scores = self.query_one(ScoreCard)
        gates = self.query_one(GateDetails)
        if state is None:
            scores.show_text(Text())
            self.team_text = Text()
            gates.show([])
            self.query_one(Checklist).show([], {})
            return
        scores.show(self.app.config.rubric, self.scores, self.dim_index, self.colleagues_scored,
                    unsaved=set(self.saving.unsaved_scores_of(state.draft_id)))
        gates.show(state.gates, self.note, self.learning, self.team_text)

    # ---------------------------------------------------------------- saving edits (review_saving.py)

    @on(DraftPane.GatesChanged)
    def _gates_changed(self, event: DraftPane.GatesChanged) -> None:
        self.saving.typed = (event.pane.state, event.text, event.pane.edit_session)
        if event.pane is self.current_pane:
            self.update_details()

    @on(DraftPane.EditPaused)
    @guarded
    async def _edit_paused(self, event: DraftPane.EditPaused) -> None:
        if event.pane.editing and self.app.store is not None:
            await self.saving.save_edit(event.pane.state, event.text, event.session)

    @on(DraftPane.EditorLeft)
    @guarded
    async def _editor_left(self, event: DraftPane.EditorLeft) -> None:
        if not isinstance(self.focused, editor_class()):
            await self.save_open_edit()
            self.update_details()

    async def save_open_edit(self) -> None:
        """Save and close the editor, if one is open (every key that leaves the variant calls this first)."""
        await self.saving.save_open_edit()

    async def save_edits_before_exit(self) -> None:
        """Quitting (the App calls this): the open edit, then each refused edit and score once more."""
        await self.saving.before_exit()

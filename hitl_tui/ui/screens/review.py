"""The review station as a Screen: the layout, what each key does, and the messages its widgets post.

The App's default screen (`HitlApp.get_default_screen`). The App holds the services (`self.app.store`,
`self.app.engine`) and forwards what they report (`BriefsChanged`, `engine_event`). The screen is one class built
in three layers, each on the one before: `review_state.py` (the open brief, its panes and details; saving edits
through `review_saving.py`), `review_sync.py` (the queue, claims and streams kept up to date), and this file. The
jobs beside it are modules of functions that an action here calls in a line: `review_team.py` (approve / sign
off, experts, claims, what waits on me, triage), `review_learning.py` (revise, feedback, learned rules),
`review_decisions.py` (reject, undo); the parts without widgets are in `ui/review/` (stream buffer, edits the log
refused).

Keys are the `review` actions of the action table (`hitl_tui/keymap.py`): an `action_<id>` method here for each.
A key never ends the station: an action that fails (a refused write, a race with a reload) is reported on screen.
"""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.worker import Worker

from ...keymap import REVIEW
from ..guard import guarded
from ..keys import bindings_for
from ..messages import BriefsChanged, DraftEvent
from ..review.streams import FLUSH_SECONDS
from ..widgets.bars import KeyBar, TitleBar
from ..widgets.draft_pane import DraftPane
from ..widgets.pane_strip import PaneStrip
from ..widgets.queue import BriefQueue
from ..widgets.review_panel import BriefSummary, Checklist, GateDetails, ScoreCard, summary_text
from . import review_decisions, review_learning, review_team
from .review_sync import LIVE, ReviewSync

POLL_SECONDS = 2.0  # other instances' changes (claims, statuses) arrive through the database
CLAIM_RENEW_SECONDS = 10.0
REVIEW_ACTIONS = {"edit", "approve", "approve_override", "reject", "revise", "regenerate", "score", "score_back",
                  "checklist", "note", "feedback", "ask_expert", "claims"}
# While editing, keys type text; these still act, and each first saves and closes the editor.
WHILE_EDITING = {"leave", "quit", "help", "next_variant", "prev_variant"}


class ReviewScreen(ReviewSync):
    ACTION_SCREEN = REVIEW
    BINDINGS = bindings_for(REVIEW)
    ALLOW_IN_MAXIMIZED_VIEW = "#title, #keys"  # a zoomed variant keeps the title and key lines

    # ---------------------------------------------------------------- layout and timers

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        with Horizontal(id="main"):
            yield BriefQueue(id="queue")
            with Vertical(id="review"):
                yield BriefSummary(summary_text(None, None), id="summary")
                yield PaneStrip(id="panes")
                with Horizontal(id="details"):
                    yield ScoreCard("", id="scores")
                    yield Checklist(id="checklist")
                    gates = GateDetails(id="gates")
                    gates.focus_key = self.app.config.keys.get("gates", "G")
                    yield gates
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.blind = self.app.config.ui.blind
        self.query_one(TitleBar).show(self.app.title, self.app.sub_title)
        queue = self.query_one(BriefQueue)
        queue.instance = self.app.instance
        queue.focus()
        self.on_resize()

    def start_timers(self) -> None:
        """After the first frame: the App calls this once its services run."""
        self.set_interval(FLUSH_SECONDS, self.flush_streams)
        self.set_interval(POLL_SECONDS, self.poll)
        self.set_interval(POLL_SECONDS, self.follow_writers)
        self.set_interval(CLAIM_RENEW_SECONDS, self.renew_claim)

    def engine_event(self, event) -> None:
        """Called by the drafting client for every chunk: deltas are buffered (a timer applies them), the rest
        become DraftEvent messages on this screen's queue."""
        if event.kind == "delta":
            self.streams.add(event)
        else:
            self.post_message(DraftEvent(event))

    def on_screen_suspend(self) -> None:
        self.query_one(KeyBar).refresh_keys()  # a dialog on top has the keys: the bar shows none of ours

    def on_screen_resume(self) -> None:
        self.query_one(KeyBar).refresh_keys()

    # ---------------------------------------------------------------- focus and size

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id == "checklist":
            self.remove_class("-checklist")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A click on another variant makes it the current one.
        pane = event.widget
        if isinstance(pane, DraftPane) and pane is not self.current_pane and pane.state.draft_id in self.order:
            self.focus_pane(self.order.index(pane.state.draft_id))

    def on_resize(self, event: events.Resize | None = None) -> None:
        # Narrow terminals (80×24 over SSH) show one variant at a time, like tabs. The event's size: the screen's
        # own is recorded after this handler runs (it lagged one resize behind).
        narrow = (event.size if event is not None else self.app.size).width < 110
        self.set_class(narrow, "narrow")
        for strip in self.query(PaneStrip):
            strip.show(self.pane_index, single=narrow)

    # ---------------------------------------------------------------- what keys may do now

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if not self.app.live:
            return False  # quitting: keys, the palette and timers' actions do nothing (the log may be closed)
        pane = self.current_pane
        if pane is not None and pane.editing:
            return action in WHILE_EDITING
        if action in REVIEW_ACTIONS and (self.claimed_id is None or pane is None):
            return False
        return True

    # ---------------------------------------------------------------- messages from services and widgets

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "dialog" and event.worker.is_finished and self.app.screen is self:
            self.app.held_keys.drop()  # it ended without a dialog (it said why): what was typed for one is not run

    @on(BriefsChanged)
    @guarded
    async def _briefs_changed(self, message: BriefsChanged) -> None:
        if not self.live:
            return
        await self.refresh_queue()
        if self.app.config.drafting.auto_draft:
            for row in self.rows:  # a brief with no drafts for its current version (new, or just opened)
                if not row.drafts and not row.error and row.current_version_id:
                    self.app.enqueue_draft(row.id)
        if any(u.name == self.current_name and u.new_version for u in message.updates):
            await self.open_brief(self.current_name, force=True)
        self.app.ready.set()

    @on(DraftEvent)
    @guarded
    async def _draft_event(self, message: DraftEvent) -> None:
        if self.live:
            await self.draft_event(message.event)

    @on(BriefQueue.Highlighted)
    @guarded
    async def _highlighted(self, event: BriefQueue.Highlighted) -> None:
        if event.name != self.current_name:
            await self.open_brief(event.name)

    @on(Checklist.Toggled)
    @guarded
    async def _ticked(self, event: Checklist.Toggled) -> None:
        state = self.current_state
        if state is None or self.app.store is None:
            return
        await self.app.store.set_tick(state.draft_id, event.item, event.checked)
        self.ticks[event.item] = event.checked
        self.update_details()

    # ---------------------------------------------------------------- keys: moving around

    async def ask_line(self, title: str, **kwargs) -> str | None:
        """One line of text from the reviewer (None if they cancel). Dialogs load on first use."""
        from .modals import TextPrompt

        return await self.app.push_screen_wait(TextPrompt(title, **kwargs))

    async def action_next_brief(self) -> None:
        await self.open_brief(self.query_one(BriefQueue).move(1))

    async def action_prev_brief(self) -> None:
        await self.open_brief(self.query_one(BriefQueue).move(-1))

    async def action_next_variant(self) -> None:
        await self.save_open_edit()
        self.focus_pane(self.pane_index + 1)

    async def action_prev_variant(self) -> None:
        await self.save_open_edit()
        self.focus_pane(self.pane_index - 1)

    def action_zoom(self) -> None:
        """The focused variant fills the screen (and back): room to read and edit one draft."""
        if self.maximized is not None:
            self.minimize()
        elif self.current_pane is not None:
            self.maximize(self.current_pane, container=False)

    def action_checklist(self) -> None:
        self.add_class("-checklist")  # a narrow terminal shows the checklist in place of the gate details
        checklist = self.query_one(Checklist)
        if checklist.option_count and checklist.highlighted is None:
            checklist.highlighted = 0  # space ticks the highlighted item, so there must be one
        self.call_after_refresh(checklist.focus)  # after the style change that may have just shown it

    def action_gates(self) -> None:
        self.remove_class("-checklist")  # a narrow terminal shows the gates where the checklist was
        self.call_after_refresh(self.query_one(GateDetails).focus)

    async def action_leave(self) -> None:
        """escape: out of the editor (saved; the keys go back to the pane), else out of zoom, else to the queue."""
        pane = self.current_pane
        if pane is not None and pane.editing:
            await self.save_open_edit()
            self.update_details()
            if not pane.state.save_error:
                self.notify("Edit saved.")
            return
        self.remove_class("-checklist")
        if self.maximized is not None:
            self.minimize()
            return
        if self.focused is self.query_one(GateDetails) and pane is not None:
            pane.focus()  # from the gates back to the variant they are about
            return
        self.query_one(BriefQueue).focus()

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_filter(self) -> None:
        queue = self.query_one(BriefQueue)
        text = await self.ask_line("Filter briefs (title, file, status, channel)", value=queue.filter_text,
                               allow_empty=True)
        if text is not None:
            queue.set_filter(text)

    # ---------------------------------------------------------------- keys: scoring, notes, editing

    async def action_score(self, value: int) -> None:
        state = self.current_state
        dims = list(self.app.config.rubric)
        if state is None or not dims:
            return
        dim = dims[self.dim_index]
        await self.saving.save_score(state.draft_id, dim, value)  # refused (a full disk): kept, shown, retried
        self.scores[dim] = value
        self.dim_index = min(self.dim_index + 1, len(dims) - 1)
        self.update_details()

    def action_score_back(self) -> None:
        self.dim_index = max(0, self.dim_index - 1)
        self.update_details()

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_note(self) -> None:
        state = self.current_state
        if state is None:
            return
        current = await self.app.store.note(state.draft_id)
        text = await self.ask_line("Note on this variant", value=current, allow_empty=True)
        if text is not None:
            await self.app.store.set_note(state.draft_id, text)
            if self.current_state is state:
                self.note = text
                self.update_details()
            self.notify("Note saved.")

    async def action_edit(self) -> None:
        pane = self.current_pane
        if pane is None or pane.state.status in LIVE:
            self.notify("Wait for this variant to finish streaming before editing.", severity="warning")
            return
        await pane.start_edit()

    async def action_diff(self) -> None:
        from .diff import DiffScreen

        state = self.current_state
        if state is None:
            return
        draft = await self.app.store.draft(state.draft_id, with_revisions=True)
        if draft.latest.kind == "human":
            await self.app.push_screen(DiffScreen([draft.latest_ai, draft.latest], title="AI text → your edit"))
        else:
            await self.app.push_screen(DiffScreen(draft.revisions, title="Revision diff",
                                                  details=await review_learning.revision_details(self)))

    async def action_history(self) -> None:
        from .diff import DiffScreen

        state = self.current_state
        if state is not None:
            await self.app.push_screen(DiffScreen(await self.app.store.revisions(state.draft_id), title="History",
                                                  details=await review_learning.revision_details(self)))

    # ---------------------------------------------------------------- keys: decisions (review_team, review_decisions)

    async def action_approve(self) -> None:
        """Signs the stage the variant waits on, or approves it: team.approve decides, review_team says what."""
        await self.save_open_edit()
        await review_team.approve_current(self)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_approve_override(self) -> None:
        await review_team.approve_anyway(self)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_reject(self) -> None:
        await review_decisions.reject(self)

    async def action_undo(self) -> None:
        await review_decisions.undo(self)

    # ---------------------------------------------------------------- keys: back to the AI

    # r, f and L are issue 12's (review_learning.py): the revise list, what a revise addressed, learned rules
    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_revise(self) -> None:
        await review_learning.revise(self)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_feedback(self) -> None:
        await review_learning.feedback(self)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_rules(self) -> None:
        await review_learning.rules(self)

    async def action_regenerate(self) -> None:
        state = self.current_state
        if state.status in LIVE:
            self.app.engine.cancel_draft(state.draft_id)  # replace the stream, do not run two
        self.run_worker(self.app.engine.regenerate(self.drafts[state.draft_id], self.brief),
                        group=f"draft-{state.draft_id}", exit_on_error=False)

    # ---------------------------------------------------------------- keys: the rest

    def action_copy(self) -> None:
        state = self.current_state
        if state is not None and state.text:
            self.app.copy_to_clipboard(state.text)  # OSC 52: reaches the local clipboard over SSH
            self.notify("Copied to the clipboard.")

    async def action_blind(self) -> None:
        self.blind = not self.blind
        self.notify("Blind mode on: models hidden, order shuffled." if self.blind else "Blind mode off.")
        await self.open_brief(self.current_name, force=True)

    async def action_stats(self) -> None:
        from .stats import StatsScreen

        await self.app.push_screen(StatsScreen(self.app.store))  # it works the figures out after its first frame

    async def action_compare(self) -> None:
        from .compare import open_compare

        await self.save_open_edit()
        await open_compare(self.app, self.current_row)

    async def action_help(self) -> None:
        from .modals import HelpScreen

        await self.save_open_edit()  # a dialog over an open editor would leave the keys nowhere visible
        await self.app.push_screen(HelpScreen(REVIEW, self.app.config.keys))

    # ---------------------------------------------------------------- keys: the team (review_team.py)

    async def action_ask_expert(self) -> None:
        await review_team.ask_expert(self)

    async def action_claims(self) -> None:
        await review_team.open_claims(self)

    async def action_waiting(self) -> None:
        await review_team.open_waiting(self)

    async def action_triage(self) -> None:
        await review_team.toggle_triage(self)

    async def action_quit(self) -> None:
        await self.app.save_and_exit("quit")

"""The review station: layout, lifecycle (store, inbox, drafting, signals) and the state behind the screen.

Actions (what each key does) live in `actions.py`; this file loads briefs, keeps panes in step with the store
and with streams, and shuts down cleanly.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import signal
import threading
import uuid

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, SelectionList, TextArea

from ..briefs import Brief
from ..config import ModelSpec
from ..drafting.engine import DraftEngine, StreamEvent
from ..gates import GateSpec, run_gates, spec_for
from ..inbox import BriefUpdate, InboxService
from ..store import Store
from ..workspace import Workspace, package_dir
from .actions import ReviewActions
from .bindings import app_bindings, keymap_from_config
from .messages import BriefsChanged, DraftEvent
from .widgets.draft_pane import DraftPane, PaneState
from .widgets.queue import BriefQueue
from .widgets.review_panel import BriefSummary, Checklist, GateDetails, ScoreCard, summary_text

def guarded(handler):
    """Errors in a handler become a notification, never an exit; during teardown they are expected and dropped."""

    @functools.wraps(handler)
    async def wrapper(self, *args, **kwargs):
        try:
            return await handler(self, *args, **kwargs)
        except Exception as exc:
            if self.live:
                self.log.error(f"{handler.__name__}: {exc!r}")
                self.notify(f"{type(exc).__name__}: {exc}", severity="error", markup=False)

    return wrapper


FLUSH_SECONDS = 0.1  # streamed tokens are applied to panes ~10 times a second, never per token
POLL_SECONDS = 2.0  # other instances' changes (claims, statuses) arrive through the database
CLAIM_RENEW_SECONDS = 10.0
AUTOSAVE_SECONDS = 0.5


class HitlApp(ReviewActions, App):
    CSS_PATH = [str(package_dir("styles") / "app.tcss")]
    TITLE = "hitl"
    BINDINGS = app_bindings()

    def __init__(self, workspace: Workspace, *, models: list[ModelSpec] | None = None, watch: bool = True,
                 demo: bool = False) -> None:
        super().__init__()
        self.ws = workspace
        self.config = workspace.config
        self.models = models
        self.watch = watch
        self.instance = uuid.uuid4().hex[:12]
        self.sub_title = f"{workspace.root.name} · {self.config.reviewer}" + (" · demo (offline)" if demo else "")
        self.store: Store | None = None
        self.engine: DraftEngine | None = None
        self.inbox_service: InboxService | None = None
        self.rows: list[dict] = []
        self.current_name: str | None = None
        self.current_row: dict | None = None
        self.brief: Brief | None = None
        self.spec: GateSpec = spec_for(None)
        self.claimed_id: int | None = None
        self.notice = ""
        self.states: dict[int, PaneState] = {}
        self.drafts: dict[int, dict] = {}
        self.order: list[int] = []
        self.pane_index = 0
        self.dim_index = 0
        self.blind = self.config.ui.blind
        self.undo_stack: list[tuple] = []
        self.edit_session: str | None = None
        self._stream: dict[int, tuple[int, str, int]] = {}  # draft_id -> (revision_id, text, tokens)
        self._dirty: set[int] = set()
        self._load_seq = 0
        self._draft_queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._autosave_timer = None
        self._shutting_down = False
        self.ready = asyncio.Event()  # set once the initial inbox sync is in the queue (tests, benchmarks)

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✎")
        with Horizontal(id="main"):
            yield BriefQueue(id="queue")
            with Vertical(id="review"):
                yield BriefSummary(summary_text(None, None), id="summary")
                yield Horizontal(id="panes")
                with Horizontal(id="details"):
                    yield ScoreCard("", id="scores")
                    yield Checklist(id="checklist")
                    yield GateDetails("", id="gates")
        yield Footer()

    def on_resize(self) -> None:
        # Narrow terminals (80×24 over SSH) show one variant at a time, like tabs.
        self.set_class(self.size.width < 110, "narrow")

    # ---------------------------------------------------------------- lifecycle

    async def on_mount(self) -> None:
        self.theme = self.config.ui.theme
        self.set_keymap(keymap_from_config(self.config.keys))
        self.main(BriefQueue).instance = self.instance
        self.on_resize()
        self._install_signal_handlers()
        self.store = await Store.open(self.ws.db_path, self.config.reviewer)
        await self.store.interrupt_stale()
        self.engine = DraftEngine(self.store, self.config, log_file=self.ws.log_file, on_event=self._engine_event)
        await self.refresh_queue()  # what the log already knows: the first frame shows the queue at once
        self.main(BriefQueue).focus()
        self.set_interval(FLUSH_SECONDS, self._flush_streams)
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(CLAIM_RENEW_SECONDS, self._renew_claim)
        self.run_worker(self._start_inbox(), name="inbox", exit_on_error=False)
        for n in range(2):
            self.run_worker(self._draft_consumer(), name=f"drafter-{n}", exit_on_error=False)
        self.run_worker(self._warm_up, thread=True, name="warm-up", exit_on_error=False)

    def _warm_up(self) -> None:
        from ..gates import reading_grade

        reading_grade("Warm the readability dictionary off the UI thread.")

    def _install_signal_handlers(self) -> None:
        # Textual does not handle SIGHUP: a dropped SSH connection would kill us without saving the open edit.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, lambda s=sig: asyncio.ensure_future(self.save_and_exit(s.name)))
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    async def save_and_exit(self, reason: str = "quit") -> None:
        if self._shutting_down:
            return
        try:
            await self.shutdown_services(reason)
        finally:
            if reason == "SIGHUP":
                # The terminal is gone: Textual's own shutdown would block writing reset sequences to it.
                # Everything worth keeping (edit, partial drafts, released claim) is saved by now.
                os._exit(128 + signal.SIGHUP)
            if reason == "SIGTERM":
                threading.Timer(3.0, os._exit, args=(128 + signal.SIGTERM,)).start()  # if the tty is gone too
            self.exit()

    async def shutdown_services(self, reason: str = "quit") -> None:
        if self.store is None:
            return
        self._shutting_down = True  # from here on, late events and timers leave the screen alone
        await self.save_open_edit()
        if self.engine:
            for rid in self.engine.active:
                self.engine.cancel(rid)
            await asyncio.sleep(0)
            for _ in range(50):  # let cancelled streams write their partial text
                if not self.engine.active:
                    break
                await asyncio.sleep(0.02)
        if self.inbox_service:
            self.inbox_service.stop()
        await self.store.release_all(self.instance)
        store, self.store = self.store, None
        await store.close()

    async def on_unmount(self) -> None:
        await self.shutdown_services("unmount")

    # ---------------------------------------------------------------- inbox and drafting

    async def _start_inbox(self) -> None:
        self.inbox_service = InboxService(self.ws.inbox, self.store, self.config.inbox, self._inbox_update)
        updates = await self.inbox_service.start()
        self.post_message(BriefsChanged(updates))
        if self.watch:
            await self.inbox_service.run()

    async def _inbox_update(self, update: BriefUpdate) -> None:
        self.post_message(BriefsChanged([update]))

    @on(BriefsChanged)
    @guarded
    async def briefs_changed(self, message: BriefsChanged) -> None:
        if not self.live:
            return
        await self.refresh_queue()
        if self.config.drafting.auto_draft:
            for row in self.rows:
                if row["status"] == "new" and not row["error"] and row["current_version_id"]:
                    self.enqueue_draft(row["id"])
        if any(u.name == self.current_name and u.new_version for u in message.updates):
            await self.open_brief(self.current_name, force=True)
        self.ready.set()

    def enqueue_draft(self, brief_id: int) -> None:
        if brief_id not in self._queued:
            self._queued.add(brief_id)
            self._draft_queue.put_nowait(brief_id)

    async def _draft_consumer(self) -> None:
        while True:
            brief_id = await self._draft_queue.get()
            try:
                row = await self.store.fetchone("SELECT current_version_id FROM briefs WHERE id=?", (brief_id,))
                brief = await self.store.current_brief(brief_id)
                if brief and row and not await self.store.drafts_for_version(row["current_version_id"]):
                    await self.engine.draft_brief(brief, row["current_version_id"], models=self.models)
            except Exception as exc:  # a bad brief or provider must never take the app down
                self.notify(f"Drafting failed: {exc}", severity="error")
            finally:
                self._queued.discard(brief_id)

    def _engine_event(self, event: StreamEvent) -> None:
        """Called by the engine for every chunk: buffer deltas (applied by a timer), post the rest as messages."""
        if event.kind == "delta":
            self._stream[event.draft_id] = (event.revision_id, event.text, event.tokens)
            self._dirty.add(event.draft_id)
        else:
            self.post_message(DraftEvent(event))

    def _flush_streams(self) -> None:
        if not self.live:
            return
        dirty, self._dirty = self._dirty, set()
        for draft_id in dirty:
            state = self.states.get(draft_id)
            pane = self.pane_for(draft_id)
            if state is None or pane is None or pane.editing:
                continue
            _rid, text, tokens = self._stream[draft_id]
            state.text, state.tokens, state.status = text, tokens, "streaming"
            state.gates = run_gates(text, self.spec)
            pane.refresh_state(state)
            if pane is self.current_pane:
                self.update_details()

    @on(DraftEvent)
    @guarded
    async def draft_event(self, message: DraftEvent) -> None:
        if not self.live:
            return
        event = message.event
        if event.kind in ("done", "failed", "interrupted"):
            self._stream.pop(event.draft_id, None)
            self._dirty.discard(event.draft_id)
        state = self.states.get(event.draft_id)
        if state is None:
            if event.kind == "start":
                await self._maybe_add_panes(event.draft_id)
            else:
                await self.refresh_queue()
            return
        if event.kind == "start":
            rev = await self.store.revision(event.revision_id)
            state.revision, state.status, state.error, state.edited = rev["number"], "streaming", None, False
            state.text, state.tokens, state.cost = "", 0, None
        elif event.kind == "retry":
            state.status, state.error = "retrying", f"retry {event.attempt}: {event.error}"
        else:
            state.status, state.error, state.text = event.kind, event.error, event.text
            state.tokens, state.cost = event.tokens, event.cost
            state.gates = run_gates(state.text, self.spec)
            if event.kind == "done":
                await self.store.record_gates(event.revision_id, state.gates)
            await self.refresh_queue()
        if not self.live:  # the app may have closed during the awaits above
            return
        pane = self.pane_for(event.draft_id)
        if pane and not pane.editing:
            pane.refresh_state(state)
        if pane is self.current_pane:
            self.update_details()

    async def _maybe_add_panes(self, draft_id: int) -> None:
        draft = await self.store.draft(draft_id)
        if draft and self.current_row and draft["brief_id"] == self.current_row["id"]:
            await self.open_brief(self.current_name, force=True)

    # ---------------------------------------------------------------- queue and brief loading

    async def refresh_queue(self) -> None:
        if not self.live:
            return
        self.rows = await self.store.list_briefs()
        queue = self.main(BriefQueue)
        queue.set_rows(self.rows)
        if self.current_name is None and queue.highlighted_name:
            await self.open_brief(queue.highlighted_name)
        elif self.current_name:
            self.current_row = queue.row(self.current_name) or self.current_row
            self.main(BriefSummary).update(summary_text(self.brief, self.current_row, self.notice))

    @guarded
    async def _poll(self) -> None:
        await self.refresh_queue()

    @guarded
    async def _renew_claim(self) -> None:
        if self.store and self.claimed_id is not None:
            await self.store.claim(self.claimed_id, self.instance)

    @on(BriefQueue.OptionHighlighted, "#queue")
    @guarded
    async def queue_moved(self, event: BriefQueue.OptionHighlighted) -> None:
        if event.option.id != self.current_name:
            await self.open_brief(event.option.id)

    async def open_brief(self, name: str | None, force: bool = False) -> None:
        """Show a brief: claim it, load its current version's variants. A newer call supersedes this one."""
        if not self.live or (name == self.current_name and not force):
            return
        self._load_seq += 1
        seq = self._load_seq
        await self.save_open_edit()
        row = self.main(BriefQueue).row(name)
        if self.claimed_id is not None and (row is None or row["id"] != self.claimed_id):
            await self.store.release(self.claimed_id, self.instance)
            self.claimed_id = None
        self.current_name, self.current_row, self.notice = name, row, ""
        self.brief, drafts = None, []
        if row and not row["error"]:
            ok, holder = await self.store.claim(row["id"], self.instance)
            if ok:
                self.claimed_id = row["id"]
                self.brief = await self.store.current_brief(row["id"])
                if row["current_version_id"]:
                    drafts = await self.store.drafts_for_version(row["current_version_id"])
            else:
                self.notice = f"In review by {holder}: not opened for review here."
        if seq != self._load_seq:
            return
        checklist, key = self.config.checklist_for(self.brief.checklist or self.brief.channel if self.brief else None)
        self.spec = spec_for(self.brief, checklist, key)
        self.main(BriefSummary).update(summary_text(self.brief, row, self.notice))
        await self._show_drafts(drafts, seq)

    async def _show_drafts(self, drafts: list[dict], seq: int) -> None:
        states, self.drafts = {}, {d["id"]: d for d in drafts}
        for d in drafts:
            states[d["id"]] = await self._pane_state(d)
        order = [d["id"] for d in drafts]
        if self.blind and self.config.ui.shuffle and self.current_row:
            random.Random(self.current_row["id"]).shuffle(order)  # stable per brief, so panes do not jump
        if seq != self._load_seq:
            return
        self.states, self.order = states, order
        container = self.main("#panes")
        await container.remove_children()
        panes = [DraftPane(states[i], id=f"pane-{i}") for i in order]
        for n, pane in enumerate(panes, 1):
            pane.border_title = f"v{n}/{len(panes)}"  # in a narrow terminal this is the only tab hint
        await container.mount_all(panes)
        self.pane_index = min(self.pane_index, max(0, len(order) - 1)) if order else 0
        self.focus_pane(self.pane_index)

    async def _pane_state(self, draft: dict) -> PaneState:
        revs = draft["revisions"]
        ai = [r for r in revs if r["kind"] == "ai"]
        top, last_ai = revs[-1], ai[-1]
        label = f"Variant {chr(65 + draft['variant'] % 26)}" if self.blind else draft["label"]
        decisions = await self.store.decisions(draft["id"])
        state = PaneState(draft["id"], label, status=last_ai["status"], text=top["text"],
                          tokens=last_ai["tokens_out"] or 0, cost=last_ai["cost"], error=last_ai["error"],
                          revision=last_ai["number"], edited=top["kind"] == "human",
                          decision=decisions[-1]["kind"] if decisions else None)
        if draft["id"] in self._stream:
            _rid, state.text, state.tokens = self._stream[draft["id"]]
            state.status = "streaming"
        state.gates = run_gates(state.text, self.spec)
        return state

    # ---------------------------------------------------------------- focus and details

    @property
    def live(self) -> bool:
        """False during teardown: late stream events and timers must not touch screens that are gone."""
        return bool(self.screen_stack) and self.store is not None and not self._shutting_down

    @property
    def main_screen(self):
        # App.query_one searches the active screen; with a dialog on top that is the dialog, not the station.
        return self.screen_stack[0]

    def main(self, selector, expect_type=None):
        return self.main_screen.query_one(selector, expect_type) if expect_type else \
            self.main_screen.query_one(selector)

    def pane_for(self, draft_id: int) -> DraftPane | None:
        if not self.screen_stack:
            return None
        found = self.main_screen.query(f"#pane-{draft_id}")
        return found.first(DraftPane) if found else None

    @property
    def current_pane(self) -> DraftPane | None:
        if not self.order or not self.screen_stack:
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
        self.refresh_bindings()  # the footer shows only what can be done now
        self.run_worker(self._load_review(), group="details", exclusive=True, exit_on_error=False)

    async def _load_review(self) -> None:
        state = self.current_state if self.live else None
        if state is None:
            return
        self._scores = await self.store.scores(state.draft_id)
        self._ticks = await self.store.ticks(state.draft_id)
        if not self.live:
            return
        dims = list(self.config.rubric)
        unscored = [i for i, d in enumerate(dims) if d not in self._scores]
        self.dim_index = unscored[0] if unscored else len(dims) - 1
        self.update_details()
        self.main(Checklist).show(self.spec.manual_items, self._ticks)

    _scores: dict[str, int] = {}
    _ticks: dict[str, bool] = {}

    def update_details(self) -> None:
        if not self.live:
            return
        state = self.current_state
        scores = self.main(ScoreCard)
        gates = self.main(GateDetails)
        if state is None:
            scores.update("")
            gates.update("")
            self.main(Checklist).clear_options()
            return
        scores.show(self.config.rubric, self._scores, self.dim_index)
        gates.show(state.gates, self.spec.manual_items, self._ticks)

    # ---------------------------------------------------------------- editing

    @on(TextArea.Changed)
    def editor_changed(self, event: TextArea.Changed) -> None:
        pane = self.current_pane
        if pane is None or not pane.editing:
            return
        pane.state.gates = run_gates(event.text_area.text, self.spec)  # gates re-run after every edit
        pane.refresh_state(text_changed=False)
        self.update_details()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_SECONDS, self._autosave)

    @guarded
    async def _autosave(self) -> None:
        pane = self.current_pane
        if pane and pane.editing and pane.editor is not None and self.store and self.edit_session:
            text = pane.editor.text
            if text != pane.state.text or not pane.state.edited:
                await self.store.save_edit(pane.state.draft_id, text, self.edit_session)
                pane.state.text, pane.state.edited = text, True

    async def save_open_edit(self) -> None:
        """Save and close the editor, if one is open (leaving a brief, quitting, SIGHUP)."""
        if not self.screen_stack:  # already torn down; autosave ran within a second of the last keystroke
            return
        for pane in self.main_screen.query(DraftPane):
            if pane.editing and pane.editor is not None and self.store:
                text = pane.editor.text
                changed = text != pane.state.text or pane.state.edited
                if changed and self.edit_session:
                    await self.store.save_edit(pane.state.draft_id, text, self.edit_session)
                    pane.state.edited = True
                await pane.end_edit()
        self.edit_session = None

    @on(SelectionList.SelectionToggled, "#checklist")
    @guarded
    async def tick_toggled(self, event: SelectionList.SelectionToggled) -> None:
        state = self.current_state
        if state is None or self.store is None:
            return
        item = event.selection.value
        checked = item in event.selection_list.selected
        await self.store.set_tick(state.draft_id, item, checked)
        self._ticks[item] = checked
        self.update_details()


def run_app(workspace: Workspace, **kwargs) -> int:
    app = HitlApp(workspace, **kwargs)
    app.run()
    return app.return_code or 0


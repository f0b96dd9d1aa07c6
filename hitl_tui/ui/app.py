"""The review station: layout and lifecycle (store, inbox, drafting; quitting is in quitting.py).

The rest of the app is mixed in, one job per file: `loading.py` (queue, open brief, panes, details),
`streaming.py` (streams into panes), `editing.py` (inline edits, ticks), `actions.py` (what each key does) and
`quitting.py` (q, SIGTERM, SIGHUP: prompt and one-way).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical

from ..config import ModelSpec
from ..gates import GateSpec, gate_spec
from ..store import Store, StoreError
from ..workspace import Workspace, package_dir
from .actions import ReviewActions
from .bindings import app_bindings, keymap_from_config
from .editing import Editing
from .guard import guarded
from .loading import BriefLoading
from .widgets.draft_pane import DraftPane
from .messages import BriefsChanged
from .quitting import Quitting
from .streaming import FLUSH_SECONDS, StreamView
from .widgets.bars import KeyBar, TitleBar
from .widgets.pane_strip import PaneStrip
from .widgets.queue import BriefQueue
from .widgets.review_panel import BriefSummary, Checklist, GateDetails, ScoreCard, summary_text

POLL_SECONDS = 2.0  # other instances' changes (claims, statuses) arrive through the database
CLAIM_RENEW_SECONDS = 10.0


class HitlApp(ReviewActions, Editing, StreamView, BriefLoading, Quitting, App):
    CSS_PATH = [str(package_dir("styles") / "app.tcss")]
    TITLE = "hitl"
    BINDINGS = app_bindings()
    ALLOW_IN_MAXIMIZED_VIEW = "#title, #keys"  # a zoomed variant keeps the title and key lines
    # escape is ours (`leave`): Textual's own escape-to-minimize left zoom with the editor still open and typing.
    ESCAPE_TO_MINIMIZE = False

    def __init__(self, workspace: Workspace, *, models: list[ModelSpec] | None = None, watch: bool = True,
                 demo: bool = False) -> None:
        super().__init__()
        self.ws = workspace
        self.config = workspace.config
        self.models = models
        self.watch = watch
        self.instance = os.urandom(6).hex()  # this running app, for claims
        self.sub_title = f"{workspace.root.name} · reviewing as {self.config.reviewer}" + \
            (" · demo (offline)" if demo else "")
        self.store: Store | None = None
        self.engine = None  # the DraftingClient, from just after the first frame
        self.inbox_service = None  # an InboxService once the first frame is up
        self.spec: GateSpec = gate_spec(self.config, None)
        self.blind = self.config.ui.blind
        self.exit_notes: list[str] = []  # lines printed after the screen closes (e.g. what could not be saved)
        self._init_loading()
        self._init_streaming()
        self._init_editing()
        self._draft_queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._init_quitting()
        self.fatal: StoreError | None = None  # why the station could not start, told after the screen is gone
        self.ready = asyncio.Event()  # set once the initial inbox sync is in the queue (tests, benchmarks)

    # ---------------------------------------------------------------- layout

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
                    yield GateDetails("", id="gates")
        yield KeyBar(id="keys")

    def on_descendant_blur(self, event) -> None:
        if event.widget.id == "checklist":
            self.remove_class("-checklist")
        elif event.widget.has_class("pane-editor"):
            self.call_after_refresh(self._editor_blurred)

    def on_descendant_focus(self, event) -> None:
        # A click on another variant makes it the current one.
        pane = event.widget
        if isinstance(pane, DraftPane) and pane is not self.current_pane and pane.state.draft_id in self.order:
            self.focus_pane(self.order.index(pane.state.draft_id))

    def on_resize(self, event: events.Resize | None = None) -> None:
        # Narrow terminals (80×24 over SSH) show one variant at a time, like tabs. The event's size, not
        # self.size: this runs before App's own handler records the new size (it lagged one resize behind).
        narrow = (event.size if event is not None else self.size).width < 110
        self.set_class(narrow, "narrow")
        for strip in self.main_screen.query(PaneStrip) if self.screen_stack else ():
            strip.show(self.pane_index, single=narrow)

    # ---------------------------------------------------------------- lifecycle

    def on_load(self) -> None:
        # Open the log while Textual sets up the terminal and the screen; on_mount then only waits for the rest.
        self._store_opening = asyncio.ensure_future(Store.open(self.ws.db_path, self.config.reviewer))

    async def on_mount(self) -> None:
        # Only what the first frame needs happens here: the queue from the log. The rest waits for that frame.
        self._apply_theme(self.config.ui.theme)
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_keymap(keymap_from_config(self.config.keys))
        for warning in self.ws.warnings:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self.main(TitleBar).show(self.title, self.sub_title)
        queue = self.main(BriefQueue)
        queue.instance = self.instance
        queue.focus()
        self.on_resize()
        self._install_signal_handlers()
        try:
            store = await self._store_opening
        except StoreError as exc:  # checked before start (ui/run.py), so only a log changed since then gets here
            self.fatal = exc  # run_app raises it once the terminal is back: `hitl` prints its one line
            self.exit(return_code=exc.exit_code)
            return
        if self._shutting_down:
            return  # quit while the log opened: quitting closes it
        self.store = store
        await self._follow_writers()  # drafts a crash left streaming end now, before the queue shows them
        await self.refresh_queue(open_first=False)
        self.call_after_refresh(self._after_first_frame)

    def _apply_theme(self, theme: str) -> None:
        if theme not in self.available_themes:  # a typo in hitl.toml is a warning, never a crash
            known = ", ".join(sorted(self.available_themes))
            where = self.config.path or "hitl.toml"
            self.notify(f"{where}: ui.theme: no theme called {theme!r}; using {self.theme}. Themes: {known}",
                        severity="warning", timeout=15, markup=False)
        elif self.theme != theme:
            self.theme = theme

    def _theme_changed(self, theme) -> None:
        """A theme picked in the palette is this person's choice: saved to their own config file, not hitl.toml."""
        if theme.name == self._saved_theme:
            return
        self._saved_theme = theme.name
        self.run_worker(lambda: self._save_theme(theme.name), thread=True, name="save-theme", exit_on_error=False)

    def _save_theme(self, name: str) -> None:
        from ..userconfig import save_user_setting

        try:
            save_user_setting("theme", name)
        except Exception as exc:  # a read-only home: the theme still applies for this session
            self.call_from_thread(self.notify, f"Theme not saved: {exc}", severity="warning", markup=False)

    async def _after_first_frame(self) -> None:
        if not gc.isenabled():  # `hitl` starts with it off (ui/run.py)
            gc.freeze()
            gc.enable()
        if not self.live:
            return
        from ..drafting.client import DraftingClient

        self.engine = DraftingClient(self.ws.root, self.config.reviewer, self._engine_event, store=self.store)
        if self.config.drafting.auto_draft:
            self.set_timer(0.5, self.engine.start)  # it loads litellm, in its own process, on the other core
        self.set_interval(FLUSH_SECONDS, self._flush_streams)
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(POLL_SECONDS, self._follow_writers)
        self.set_interval(CLAIM_RENEW_SECONDS, self._renew_claim)
        self._service_workers.append(self.run_worker(self._start_inbox, name="inbox", exit_on_error=False))
        for n in range(2):
            self._service_workers.append(
                self.run_worker(self._draft_consumer, name=f"drafter-{n}", exit_on_error=False))
        self.run_worker(self._warm_up, thread=True, name="warm-up", exit_on_error=False)
        queue = self.main(BriefQueue)
        if self.current_name is None and queue.highlighted_name:
            await self.open_brief(queue.highlighted_name)

    def _warm_up(self) -> None:
        from ..gates import reading_grade

        reading_grade("Load the hyphenation patterns off the UI thread.")

    async def on_unmount(self) -> None:
        await self.shutdown_services("closed")

    # ---------------------------------------------------------------- inbox and drafting

    async def _start_inbox(self) -> None:
        from ..inbox import InboxService  # watchfiles and parsing are not needed for the first frame

        self.inbox_service = InboxService(self.ws.inbox, self.store, self.config.inbox, self._inbox_update)
        updates = await self.inbox_service.start()
        self.post_message(BriefsChanged(updates))
        if self.watch:
            await self.inbox_service.run()

    async def _inbox_update(self, update) -> None:
        self.post_message(BriefsChanged([update]))

    @guarded
    async def on_briefs_changed(self, message: BriefsChanged) -> None:
        if not self.live:
            return
        await self.refresh_queue()
        if self.config.drafting.auto_draft:
            for row in self.rows:  # a brief with no drafts for its current version (new, or just opened)
                if not row["drafts"] and not row["error"] and row["current_version_id"]:
                    self.enqueue_draft(row["id"])
        if any(u.name == self.current_name and u.new_version for u in message.updates):
            await self.open_brief(self.current_name, force=True)
        self.ready.set()

    def enqueue_draft(self, brief_id: int) -> None:
        if brief_id not in self._queued:
            self._queued.add(brief_id)
            self._draft_queue.put_nowait(brief_id)

    async def _draft_consumer(self) -> None:
        while self.live:
            brief_id = await self._draft_queue.get()
            try:
                if not self.live:
                    return
                row = await self.store.fetchone("SELECT current_version_id FROM briefs WHERE id=?", (brief_id,))
                brief = await self.store.current_brief(brief_id)
                if brief and row and not await self.store.drafts_for_version(row["current_version_id"]):
                    # `claim`: another station that saw the brief at the same moment may draft it instead.
                    await self.engine.draft_brief(brief, row["current_version_id"], models=self.models, claim=True)
            except Exception as exc:  # a bad brief or provider must never take the app down
                if self.live:
                    self.notify(f"Drafting failed: {exc}", severity="error", markup=False)
            finally:
                self._queued.discard(brief_id)

    # ---------------------------------------------------------------- helpers

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


def run_app(workspace: Workspace, **kwargs) -> int:
    app = HitlApp(workspace, **kwargs)
    app.run()
    for note in app.exit_notes:  # after the screen is gone, where the reviewer can read (and copy) it
        print(note, file=sys.stderr)
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0

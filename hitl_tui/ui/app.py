"""The App: lifecycle and services — the log, the drafting client, the inbox, signals, the person's theme and keys,
and quitting. The review station is its default screen (`screens/review.py`); every other view is a Screen too.

Services report to the review screen by messages (`BriefsChanged`) or its `engine_event` (buffered, never touching
a widget). Quitting — `q`, SIGTERM or a dropped connection (SIGHUP) — is prompt, complete and one-way:
1. the station is marked as shutting down (actions, timers and late events do nothing from then on), the draft
   consumers are cancelled and the drafting client is closed with the cause, before anything else can be awaited:
   no worker starts and no request reaches the provider after the quit began. The worker records its streams as
   interrupted with the reason and their partial text, or is killed after CLOSE_GRACE and the client records them;
2. the open edit is saved (what the log refuses goes to a recovery file, see review/edits.py), the inbox stopped,
   the claims released, the log closed;
3. the app exits (after SIGHUP at once: the terminal is gone, and writing reset sequences to it would block).
A watchdog thread armed at step 1 ends the process — killing any worker first — if it is still there after
QUIT_DEADLINE: a hang guard; the target is 2 s (tests/bench: "quit while streaming").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import os
import signal
import sqlite3
import sys
import threading
from typing import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen

from ..config import ModelSpec
from ..drafting.spawn import early_running
from ..keymap import key_clashes
from ..store import Store, StoreError
from ..workspace import Workspace, package_dir
from .guard import damaged_log, report
from .held_keys import OPENS_DIALOG, HeldKeys
from .keys import keymap_from_config, palette_commands
from .messages import BriefsChanged
from .screens.review import ReviewScreen

QUIT_DEADLINE = 5.0
RELEASE_WAIT = 3.0  # seconds quitting waits to release this station's claims in the log
FRAME_SWITCH_INTERVAL = 0.0005  # seconds: the GIL switch interval while the first frame goes out (see below)
EXIT_CODE = {"SIGHUP": 128 + signal.SIGHUP, "SIGTERM": 128 + signal.SIGTERM}


def _hard_exit(code: int) -> None:
    client = sys.modules.get("hitl_tui.drafting.client")
    if client is not None:
        client.kill_workers()
    os._exit(code)


class HitlApp(App):
    CSS_PATH = str(package_dir("styles") / "app.tcss")  # the views add their own (compare.tcss, team.tcss, …)
    TITLE = "hitl"
    # escape is the review's (`leave`): Textual's own escape-to-minimize left zoom with the editor still open.
    ESCAPE_TO_MINIMIZE = False

    def __init__(self, workspace: Workspace, *, models: list[ModelSpec] | None = None, watch: bool = True,
                 demo: bool = False, log_opening: concurrent.futures.Future | None = None) -> None:
        super().__init__()
        self._log_opening = log_opening  # the log and queue, read meanwhile by `hitl` (ui/run.py); else on_load
        self._first_queue = None  # what it read: the queue's state, or the database error reading met
        self.ws = workspace
        self.config = workspace.config
        self.models = models
        self.watch = watch
        self.instance = os.urandom(6).hex()  # this running app, for claims
        self.sub_title = f"{workspace.root.name} · reviewing as {self.config.reviewer}" + \
            (" · demo (offline)" if demo else "")
        self.store: Store | None = None
        self.engine = None  # the DraftingClient: from launch with auto_draft, else after the first frame
        self.inbox_service = None  # an InboxService once the first frame is up
        self.review: ReviewScreen | None = None  # the default screen, made when Textual asks for it
        self.exit_notes: list[str] = []  # lines printed after the screen closes (e.g. what could not be saved)
        self.fatal: StoreError | None = None  # why the station could not start, told after the screen is gone
        self.ready = asyncio.Event()  # set once the initial inbox sync is in the queue (tests, benchmarks)
        self._draft_queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._shutting_down = False
        self._service_workers: list = []  # draft consumers and the inbox: cancelled first when quitting
        self._engine_closed: asyncio.Future | None = None
        self.held_keys = HeldKeys(self)  # keys typed while a dialog opens go to the dialog (held_keys.py)
        self._services_closed: asyncio.Future | None = None
        self._switch_interval: float | None = None  # the interpreter's, while the first frame is handed over

    def get_default_screen(self) -> ReviewScreen:
        self.review = ReviewScreen()
        return self.review

    @property
    def live(self) -> bool:
        """False during teardown: late stream events and timers must not touch screens that are gone."""
        return bool(self.screen_stack) and self.store is not None and not self._shutting_down

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return not self._shutting_down  # quitting: the palette and Textual's own keys do nothing either

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette_commands(screen, self.config.keys)

    async def on_event(self, event: events.Event) -> None:
        if self.held_keys.take(event):
            return
        await super().on_event(event)
        self.held_keys.after_key(event)

    def push_screen(self, screen, *args, **kwargs):
        pushed = super().push_screen(screen, *args, **kwargs)
        if self.held_keys.holding and isinstance(screen, Screen):
            screen.call_after_refresh(self.held_keys.replay)  # once it is mounted and has focused its input
        return pushed

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Every key, palette entry and screen's action comes through here: one that fails is reported on screen
        (a refused write, a race with a reload), never ends the station."""
        if action in OPENS_DIALOG and default_namespace is self.review:
            self.held_keys.started = True
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as exc:
            report(self, f"action {action}", exc)
            return True

    async def action_quit(self) -> None:  # Textual's ctrl+q too: saved, like q
        await self.save_and_exit("quit")

    # ---------------------------------------------------------------- start-up

    def on_load(self) -> None:
        # Open the log while Textual sets up the terminal and the screen; on_mount then only waits for the rest.
        if self._log_opening is not None:
            self._store_opening = asyncio.ensure_future(self._opened_meanwhile())
        else:
            self._store_opening = asyncio.ensure_future(Store.open(self.ws.db_path, self.config.reviewer))
        # Before the worker exists: a hang-up from here on stops it and closes the log (quitting waits for the
        # log to open if it is still opening).
        self._install_signal_handlers()
        if self.config.drafting.auto_draft and not early_running():
            # The worker process starts now: its litellm import (seconds, on the other core) overlaps the first
            # frame instead of following it. It is given the log once that is open (on_mount). Started by `hitl`
            # at launch instead, it is already importing litellm: the client (~8 ms of imports) adopts it after
            # the first frame, and until then a station that ends kills it (ui/run.py).
            self._drafting_client().start()

    async def _opened_meanwhile(self) -> Store:
        store, self._first_queue = await asyncio.wrap_future(self._log_opening)
        return store

    def _drafting_client(self):
        if self.engine is None:
            from ..drafting.client import DraftingClient

            self.engine = DraftingClient(self.ws.root, self.config.reviewer, self._engine_event, store=self.store)
        return self.engine

    def _engine_event(self, event) -> None:
        if self.review is not None:
            self.review.engine_event(event)

    async def on_mount(self) -> None:
        # Only what the first frame needs happens here: the queue from the log. The rest waits for that frame.
        self._apply_theme(self.config.ui.theme)
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_keymap(keymap_from_config(self.config.keys))
        for warning in [*self.ws.warnings, *key_clashes(self.config.keys)]:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        try:
            store = await self._store_opening
        except StoreError as exc:  # checked before start (ui/run.py), so only a log changed since then gets here
            self.fatal = exc  # run_app raises it once the terminal is back: `hitl` prints its one line
            self.exit(return_code=exc.exit_code)
            return
        if self._shutting_down:
            return  # quit while the log opened: quitting closes it
        self.store = store
        if self.engine is not None:
            self.engine.store = store  # to record what a worker that dies leaves streaming
        try:
            if isinstance(self._first_queue, Exception):  # met while reading it meanwhile (ui/run.py)
                raise self._first_queue
            if self._first_queue is None:
                await self.review.follow_writers()  # drafts a crash left streaming end now, before the queue shows them
            # Read meanwhile (orphans ended first), the queue is shown with no await: nothing is drawn before it.
            await self.review.refresh_queue(open_first=False, state=self._first_queue)
        except sqlite3.DatabaseError as exc:
            # A page damaged past the header (read only by the start-up check) is met here, at the first query:
            # the CLI's one line after the screen is gone, exit 2 (later, it is said on screen: guard.report).
            self.fatal = damaged_log(exc, self.ws.db_path)
            if self.fatal is None:
                raise
            self.exit(return_code=self.fatal.exit_code)
            return
        self._frame_switch_interval(True)
        self.call_after_refresh(self._after_first_frame)

    def _frame_switch_interval(self, on: bool) -> None:
        """The first frame reaches the terminal through Textual's writer thread, which must then take the GIL from
        the main thread, busy with what follows a refresh and with our work after the first frame. Python hands it
        over only after the switch interval (5 ms): the frame reached the terminal ~6 ms after it was written. A
        short interval from the first frame until that work is done lets the writer in at once (~1 ms; measured
        in tests/bench: first_frame). Kept short: it costs the main thread a little in switches."""
        if on and self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(FRAME_SWITCH_INTERVAL)
        elif not on and self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

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
        try:
            await self._start_services()
        finally:
            self._frame_switch_interval(False)

    async def _start_services(self) -> None:
        if not gc.isenabled():  # `hitl` starts with it off (ui/run.py)
            gc.freeze()
            gc.enable()
        if not self.live:
            return
        client = self._drafting_client()  # with auto_draft, started or adopted now; else on the first request
        if self.config.drafting.auto_draft:
            client.start()  # adopts the worker `hitl` started at launch (a no-op if on_load started one)
        self.review.start_timers()
        self._service_workers.append(self.run_worker(self._start_inbox, name="inbox", exit_on_error=False))
        for n in range(2):
            self._service_workers.append(
                self.run_worker(self._draft_consumer, name=f"drafter-{n}", exit_on_error=False))
        self.run_worker(self._warm_up, thread=True, name="warm-up", exit_on_error=False)
        await self.review.open_first()

    def _warm_up(self) -> None:
        from ..gates import reading_grade

        reading_grade("Load the hyphenation patterns off the UI thread.")

    async def on_unmount(self) -> None:
        self._frame_switch_interval(False)
        await self.shutdown_services("closed")

    # ---------------------------------------------------------------- inbox and drafting

    async def _start_inbox(self) -> None:
        from ..inbox import InboxService  # watchfiles and parsing are not needed for the first frame

        self.inbox_service = InboxService(self.ws.inbox, self.store, self.config.inbox, self._inbox_update)
        updates = await self.inbox_service.start()
        self.review.post_message(BriefsChanged(updates))
        if self.watch:
            await self.inbox_service.run()

    async def _inbox_update(self, update) -> None:
        self.review.post_message(BriefsChanged([update]))

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

    # ---------------------------------------------------------------- quitting (see the module's docstring)

    def _install_signal_handlers(self) -> None:
        # Textual does not handle SIGHUP: a dropped SSH connection would kill us without saving the open edit,
        # and the worker (in a session of its own) would be left to notice by itself.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig.name)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _on_signal(self, name: str) -> None:
        asyncio.ensure_future(self.save_and_exit(name))

    async def save_and_exit(self, cause: str = "quit") -> None:
        if self._shutting_down:
            return
        self._begin_shutdown(cause)
        try:
            await self.shutdown_services(cause)
        finally:
            if cause == "SIGHUP":
                # Everything worth keeping (edit, partial drafts, released claim) is saved, the worker gone
                # (and one started at launch that the client had not adopted yet is killed on the way out).
                _hard_exit(EXIT_CODE[cause])
            self.exit()

    def _begin_shutdown(self, cause: str) -> None:
        """Step 1, with no await in it: from here on nothing new starts."""
        if self._shutting_down:
            return
        self._shutting_down = True
        if not self.is_headless:  # a real terminal session (tests run headless in the test process)
            watchdog = threading.Timer(QUIT_DEADLINE, _hard_exit, args=(EXIT_CODE.get(cause, 1),))
            watchdog.daemon = True
            watchdog.start()
        for worker in self._service_workers:
            worker.cancel()
        if self.engine is not None:
            self._engine_closed = asyncio.ensure_future(self.engine.close(cause))

    async def shutdown_services(self, cause: str = "closed") -> None:
        """Steps 1 and 2, once, however many paths ask (a quit key, a signal, unmount)."""
        self._begin_shutdown(cause)
        if self._services_closed is None:
            self._services_closed = asyncio.ensure_future(self._close_services())
        await asyncio.shield(self._services_closed)

    async def _close_services(self) -> None:
        if self.store is not None:
            try:  # never raises by design (what the log refuses goes to a recovery file); quitting goes on anyway
                await self.review.save_edits_before_exit()
            except Exception as exc:
                self.log.error(f"saving edits while quitting: {exc!r}")
        if self._engine_closed is not None:
            try:
                await self._engine_closed
            except Exception as exc:
                self.log.error(f"closing the drafting worker: {exc!r}")
        if self.inbox_service:
            self.inbox_service.stop()
        store, self.store = self.store, None
        if store is None:  # quit while the log was still opening (before the first frame)
            try:
                store = await self._store_opening
            except Exception:
                store = None
        if store is not None:
            try:
                # Bounded: a transaction in this process that never ends (a task stuck inside tx(), the lock left
                # held) must not keep us from quitting forever; the claims run out by themselves.
                await asyncio.wait_for(store.release_all(self.instance), RELEASE_WAIT)
            except asyncio.TimeoutError:
                self.log.error(f"quitting: claims not released within {RELEASE_WAIT:.0f} s; the log's write "
                               f"transaction was held by {store.tx_holder!r}")
            except Exception as exc:  # a full disk must not keep us from quitting
                self.log.error(f"releasing claims: {exc!r}")
            finally:
                await store.close()


def run_app(workspace: Workspace, **kwargs) -> int:
    app = HitlApp(workspace, **kwargs)
    app.run()
    for note in app.exit_notes:  # after the screen is gone, where the reviewer can read (and copy) it
        print(note, file=sys.stderr)
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0

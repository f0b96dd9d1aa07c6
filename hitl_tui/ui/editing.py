"""Inline edits and checklist ticks. Mixed into HitlApp.

Keys change copy only while the editor is open and on screen. Leaving it by any path — escape, tab to another
variant, a dialog, another brief, the panes reloading, a click elsewhere — saves the text, closes the editor and
gives the keys back to the pane. Edits also autosave half a second after the last keystroke, so a crash never eats
one.

A save can fail (a full disk: SQLITE_FULL). The text is then kept in memory — in the editor, or in the pane once
the editor closes — the pane says it is not saved, and a timer retries until the write goes through. Nothing here
ever ends the station. Quitting tries once more and writes what still cannot be saved to a recovery file, named
in a line printed after the screen closes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..gates import run_gates
from .guard import guarded, write_problem
from .widgets.draft_pane import DraftPane, PaneState, editor_class
from .widgets.review_panel import Checklist

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from .app import HitlApp

AUTOSAVE_SECONDS = 0.5
RETRY_SECONDS = 2.0


@dataclass
class UnsavedEdit:
    """An edit hitl.db refused, kept until a retry gets it in."""

    draft_id: int
    text: str
    session: str
    where: str  # the brief and variant, for messages and the recovery file
    problem: str


class Editing:
    def _init_editing(self: HitlApp) -> None:
        self.edit_session: str | None = None
        self._autosave_timer = None
        self._retry_timer = None
        self.unsaved: dict[int, UnsavedEdit] = {}
        self._typed: tuple[PaneState, str] | None = None  # the open editor's text as of the last keystroke

    def on_text_area_changed(self: HitlApp, event: TextArea.Changed) -> None:
        pane = self.current_pane
        if pane is None or not pane.editing or pane.editor is not event.text_area:
            return
        text = event.text_area.text
        self._typed = (pane.state, text)
        pane.state.gates = run_gates(text, self.spec)  # gates re-run after every edit
        pane.refresh_state()
        self.update_details()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_SECONDS, self._autosave)

    @guarded
    async def _autosave(self: HitlApp) -> None:
        pane = self.current_pane
        if pane and pane.editing and pane.editor is not None and self.store and self.edit_session:
            await self._save_edit(pane.state, pane.editor.text, self.edit_session)

    async def _save_edit(self: HitlApp, state: PaneState, text: str, session: str) -> bool:
        """Write an edit; on failure keep it for the retry timer and say so on the pane. True once it is saved."""
        if text == state.text and state.draft_id not in self.unsaved:
            return True  # nothing new to write
        try:
            if self.store is None:
                raise OSError("the log is already closed")
            await self.store.save_edit(state.draft_id, text, session)
        except Exception as exc:  # a full disk (or any refused write) must never cost the words or the station
            self._keep_unsaved(state, text, session, exc)
            return False
        state.text, state.edited = text, True
        if self.unsaved.pop(state.draft_id, None) is not None:
            state.save_error = ""
            self._show_state(state)
            self.refresh_bindings()
            self.notify(f"Saved: your edit of {self._where(state)} is in hitl.db now.")
        return True

    def _keep_unsaved(self: HitlApp, state: PaneState, text: str, session: str, exc: Exception) -> None:
        problem = write_problem(exc)
        first = state.draft_id not in self.unsaved
        self.unsaved[state.draft_id] = UnsavedEdit(state.draft_id, text, session, self._where(state), problem)
        state.save_error = f"not saved: {problem} — retrying"
        self._show_state(state)
        if self._shutting_down:
            return
        self.refresh_bindings()  # the key bar stops promising "saved"
        if first:
            self.notify(f"Your edit of {self._where(state)} is not saved ({exc}). It stays here and is saved as "
                        f"soon as hitl.db accepts it.", severity="error", timeout=10, markup=False)
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(RETRY_SECONDS, self._retry_unsaved)

    def _show_state(self: HitlApp, state: PaneState) -> None:
        pane = self.pane_for(state.draft_id)
        if pane is not None:
            pane.refresh_state()

    def _where(self: HitlApp, state: PaneState) -> str:
        n = self.order.index(state.draft_id) + 1 if state.draft_id in self.order else None
        return f"{self.current_name} · variant {n}" if n else f"draft {state.draft_id}"

    @guarded
    async def _retry_unsaved(self: HitlApp) -> None:
        for draft_id, entry in list(self.unsaved.items()):
            pane = self.pane_for(draft_id)
            if pane is not None:  # on screen: its newest text (the editor may still be open)
                text = pane.editor.text if pane.editing and pane.editor is not None else entry.text
                await self._save_edit(pane.state, text, entry.session)
                continue
            try:  # another brief is open: the edit is saved all the same
                await self.store.save_edit(draft_id, entry.text, entry.session)
            except Exception as exc:
                entry.problem = write_problem(exc)
            else:
                del self.unsaved[draft_id]
                self.notify(f"Saved: your edit of {entry.where} is in hitl.db now.")
        if not self.unsaved and self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    async def save_open_edit(self: HitlApp) -> None:
        """Save and close the editor, if one is open. A save that fails keeps the text (see above)."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        if not self.screen_stack:  # the screen is already gone (the app ended some other way): save what was typed
            if self._typed is not None and self.edit_session:
                await self._save_edit(*self._typed, self.edit_session)
        else:
            for pane in self.main_screen.query(DraftPane):
                if pane.editing and pane.editor is not None:
                    text = pane.editor.text
                    if self.edit_session:
                        await self._save_edit(pane.state, text, self.edit_session)
                    await pane.end_edit()
        self.edit_session, self._typed = None, None

    @guarded
    async def _editor_blurred(self: HitlApp) -> None:
        """The keys left an open editor (a click elsewhere): close it, as escape would."""
        if not isinstance(self.main_screen.focused, editor_class()) \
                and any(p.editing for p in self.main_screen.query(DraftPane)):
            await self.save_open_edit()
            self.update_details()

    async def save_edits_before_exit(self: HitlApp) -> None:
        """Quitting: close the editor, try each unsaved edit once more, and put what still fails in a file."""
        await self.save_open_edit()
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        for draft_id, entry in list(self.unsaved.items()):
            try:
                await self.store.save_edit(draft_id, entry.text, entry.session)
                del self.unsaved[draft_id]
            except Exception as exc:
                entry.problem = write_problem(exc)
        if self.unsaved:
            self.exit_notes.append(rescue(list(self.unsaved.values()), self.ws.root, self.ws.db_path))

    @guarded
    async def on_checklist_toggled(self: HitlApp, event: Checklist.Toggled) -> None:
        state = self.current_state
        if state is None or self.store is None:
            return
        await self.store.set_tick(state.draft_id, event.item, event.checked)
        self._ticks[event.item] = event.checked
        self.update_details()


def rescue(edits: list[UnsavedEdit], workspace: Path, db_path: Path) -> str:
    """Write edits the log refused to a file beside the log (else the home or temp folder) and return the line
    that says so. If no file can be written either, the line carries the text itself: nothing typed is lost."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    problems = ", ".join(sorted({e.problem for e in edits}))
    body = (f"# Edits hitl could not save to {db_path} ({problems}), {time.strftime('%Y-%m-%d %H:%M:%S')}\n\n"
            "Paste each back into its variant (e) once hitl.db can be written.\n")
    for e in edits:
        body += f"\n## {e.where} (draft {e.draft_id})\n\n{e.text}\n"
    count = f"{len(edits)} edit{'s' if len(edits) > 1 else ''}"
    for folder in (workspace, Path.home(), Path(os.environ.get("TMPDIR", "/tmp"))):
        for n in range(1, 100):
            path = folder / (f"unsaved-edits-{stamp}.md" if n == 1 else f"unsaved-edits-{stamp}-{n}.md")
            try:
                with open(path, "x", encoding="utf-8") as f:
                    f.write(body)
                    f.flush()
                    os.fsync(f.fileno())
            except FileExistsError:
                continue
            except OSError:
                try:
                    path.unlink(missing_ok=True)  # a half-written file must not look like a copy
                except OSError:
                    pass
                break
            return f"hitl: {count} could not be saved to {db_path} ({problems}); the text is in {path}"
    return f"hitl: {count} could not be saved to {db_path} ({problems}) nor to a file; here is the text:\n{body}"

"""Saving what the reviewer typed and scored on the review screen, and keeping what hitl.db refuses.

`ReviewSaver` is owned by the review screen (`screen.saving`): it writes edits and scores, and a write the log
refuses (a full disk) is kept in memory — the editor or pane keeps the text and says it is not saved, the score card
marks the score — and retried every RETRY_SECONDS until it goes through; quitting tries once more and names what
still fails in a line after the screen closes (`ui/review/edits.py`: the kept records and the recovery file).
Nothing here ever ends the station. The screen's `@on(DraftPane.…)` handlers (review_state.py) call it: handlers
must sit on the Screen (TRAPS: `@on` on a plain class is never called).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..guard import guarded, write_problem
from ..review.edits import RETRY_SECONDS, UnsavedEdit, UnsavedScore, rescue, unsaved_scores_line
from ..widgets.draft_pane import DraftPane, PaneState
from . import review_team

if TYPE_CHECKING:
    from .review import ReviewScreen


class ReviewSaver:
    def __init__(self, screen: ReviewScreen) -> None:
        self.screen = screen
        self.unsaved: dict[int, UnsavedEdit] = {}
        self.unsaved_scores: dict[tuple[int, str], UnsavedScore] = {}
        self.typed: tuple[PaneState, str, str | None] | None = None  # the open editor's text, last keystroke
        self._retry_timer = None

    @property
    def app(self):
        return self.screen.app

    # ---------------------------------------------------------------- what is still unsaved, for the panes

    def unsaved_text(self, draft_id: int) -> UnsavedEdit | None:
        return self.unsaved.get(draft_id)

    def unsaved_scores_of(self, draft_id: int) -> dict[str, int]:
        """Scores of a variant typed and refused so far: still this reviewer's scores."""
        return {dim: s.value for (d, dim), s in self.unsaved_scores.items() if d == draft_id}

    # ---------------------------------------------------------------- edits

    async def save_edit(self, state: PaneState, text: str, session: str) -> bool:
        """Write an edit; on failure keep it for the retry timer and say so on the pane. True once it is saved."""
        if text == state.text and state.draft_id not in self.unsaved:
            return True  # nothing new to write
        try:
            if self.app.store is None:
                raise OSError("the log is already closed")
            saved = await self.app.store.save_edit_checked(state.draft_id, text, session)
        except Exception as exc:  # a full disk (or any refused write) must never cost the words or the station
            self._keep_unsaved(state, text, session, exc)
            return False
        if saved.notice:
            review_team.edit_voided(self.screen, saved.notice)
        state.set_text(text)
        state.edited = True
        if self.unsaved.pop(state.draft_id, None) is not None:
            state.save_error = ""
            self._show_state(state)
            self.screen.refresh_bindings()
            self.screen.notify(f"Saved: your edit of {self._where(state)} is in hitl.db now.")
        return True

    def _keep_unsaved(self, state: PaneState, text: str, session: str, exc: Exception) -> None:
        problem = write_problem(exc)
        first = state.draft_id not in self.unsaved
        self.unsaved[state.draft_id] = UnsavedEdit(state.draft_id, text, session, self._where(state), problem)
        state.save_error = f"not saved: {problem} — retrying"
        self._show_state(state)
        if not self.app.live:
            return
        self.screen.refresh_bindings()  # the key bar stops promising "saved"
        if first:
            self.screen.notify(f"Your edit of {self._where(state)} is not saved ({exc}). It stays here and is saved "
                               f"as soon as hitl.db accepts it.", severity="error", timeout=10, markup=False)
        self._retry_soon()

    async def save_open_edit(self) -> None:
        """Save and close the editor, if one is open. A save that fails keeps the text (see above)."""
        screen = self.screen
        if not screen.is_attached:  # the screen is already gone (the app ended some other way): save what was typed
            if self.typed is not None and self.typed[2]:
                await self.save_edit(*self.typed)
        else:
            for pane in screen.query(DraftPane):
                if pane.editing and pane.editor is not None:
                    text, session = pane.editor.text, pane.edit_session
                    if session:
                        await self.save_edit(pane.state, text, session)
                    await pane.end_edit()
        self.typed = None

    # ---------------------------------------------------------------- scores

    async def save_score(self, draft_id: int, dimension: str, value: int) -> bool:
        """Write a score; a refused one (a full disk) is kept, shown as not saved and retried. True once saved."""
        try:
            await self.app.store.set_score(draft_id, dimension, value)
        except Exception as exc:  # like an edit: never lost, never the end of the station
            problem, pane = write_problem(exc), self.screen.pane_for(draft_id)
            where = self._where(pane.state) if pane else f"draft {draft_id}"
            self.unsaved_scores[(draft_id, dimension)] = UnsavedScore(draft_id, dimension, value, where, problem)
            if self.app.live:
                self.screen.notify(f"Could not write to hitl.db ({problem}): your score {dimension} = {value} of "
                                   f"{where} is kept here and saved as soon as hitl.db accepts it.", severity="error",
                                   timeout=10, markup=False)
                self._retry_soon()
            return False
        if self.unsaved_scores.pop((draft_id, dimension), None) is not None:
            self.screen.notify(f"Saved: your score {dimension} = {value} is in hitl.db now.")
            self.screen.update_details()
        return True

    # ---------------------------------------------------------------- retrying, and quitting

    def _retry_soon(self) -> None:
        if self._retry_timer is None:
            self._retry_timer = self.screen.set_interval(RETRY_SECONDS, self.retry)

    def _stop_retrying(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    @guarded
    async def retry(self) -> None:
        for draft_id, entry in list(self.unsaved.items()):
            pane = self.screen.pane_for(draft_id)
            if pane is not None:  # on screen: its newest text (the editor may still be open)
                text = pane.editor.text if pane.editing and pane.editor is not None else entry.text
                await self.save_edit(pane.state, text, entry.session)
                continue
            try:  # another brief is open: the edit is saved all the same
                await self.app.store.save_edit(draft_id, entry.text, entry.session)
            except Exception as exc:
                entry.problem = write_problem(exc)
            else:
                del self.unsaved[draft_id]
                self.screen.notify(f"Saved: your edit of {entry.where} is in hitl.db now.")
        await self._retry_scores()
        if not self.unsaved and not self.unsaved_scores:
            self._stop_retrying()

    async def _retry_scores(self) -> None:
        for score in list(self.unsaved_scores.values()):
            await self.save_score(score.draft_id, score.dimension, score.value)

    async def before_exit(self) -> None:
        """Quitting: close the editor, try each unsaved edit once more, and put what still fails in a file."""
        await self.save_open_edit()
        self._stop_retrying()
        for draft_id, entry in list(self.unsaved.items()):
            try:
                await self.app.store.save_edit(draft_id, entry.text, entry.session)
                del self.unsaved[draft_id]
            except Exception as exc:
                entry.problem = write_problem(exc)
        ws = self.app.ws
        if self.unsaved:
            self.app.exit_notes.append(rescue(list(self.unsaved.values()), ws.root, ws.db_path))
        await self._retry_scores()
        if self.unsaved_scores:
            self.app.exit_notes.append(unsaved_scores_line(list(self.unsaved_scores.values()), ws.db_path))

    # ---------------------------------------------------------------- helpers

    def _show_state(self, state: PaneState) -> None:
        pane = self.screen.pane_for(state.draft_id)
        if pane is not None:
            pane.refresh_state()

    def _where(self, state: PaneState) -> str:
        screen = self.screen
        n = screen.order.index(state.draft_id) + 1 if state.draft_id in screen.order else None
        return f"{screen.current_name} · variant {n}" if n else f"draft {state.draft_id}"

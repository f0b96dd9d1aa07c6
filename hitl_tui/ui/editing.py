"""Inline edits and checklist ticks. Edits autosave half a second after the last keystroke and whenever the editor
closes (leaving the brief, quitting, SIGHUP), so a crash never eats one.

Mixed into HitlApp.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..gates import run_gates
from .guard import guarded
from .widgets.draft_pane import DraftPane
from .widgets.review_panel import Checklist

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from .app import HitlApp

AUTOSAVE_SECONDS = 0.5


class Editing:
    def on_text_area_changed(self: HitlApp, event: TextArea.Changed) -> None:
        pane = self.current_pane
        if pane is None or not pane.editing:
            return
        pane.state.gates = run_gates(event.text_area.text, self.spec)  # gates re-run after every edit
        pane.refresh_state()
        self.update_details()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_SECONDS, self._autosave)

    @guarded
    async def _autosave(self: HitlApp) -> None:
        pane = self.current_pane
        if pane and pane.editing and pane.editor is not None and self.store and self.edit_session:
            text = pane.editor.text
            if text != pane.state.text or not pane.state.edited:
                await self.store.save_edit(pane.state.draft_id, text, self.edit_session)
                pane.state.text, pane.state.edited = text, True

    async def save_open_edit(self: HitlApp) -> None:
        """Save and close the editor, if one is open."""
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

    @guarded
    async def on_checklist_toggled(self: HitlApp, event: Checklist.Toggled) -> None:
        state = self.current_state
        if state is None or self.store is None:
            return
        await self.store.set_tick(state.draft_id, event.item, event.checked)
        self._ticks[event.item] = event.checked
        self.update_details()

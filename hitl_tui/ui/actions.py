"""What every key does. Mixed into HitlApp; state and helpers live in app.py.

A key never ends the station: an action that fails (a refused write, a race with a reload) is reported on screen.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Iterable

from textual import work
from textual.app import SystemCommand

from ..gates import GateSpec, blocking, run_gates
from ..store import Undone
from .bindings import ACTIONS
from .guard import guarded, report

if TYPE_CHECKING:
    from .app import HitlApp


REVIEW_ACTIONS = {"edit", "approve", "approve_override", "reject", "revise", "regenerate", "score", "score_back",
                  "checklist", "note"}
# While editing, keys type text; these still act, and each first saves and closes the editor.
WHILE_EDITING = {"leave", "quit", "help", "next_variant", "prev_variant"}
DECISION_WORDS = {"approve": "approve", "override": "approve anyway", "reject": "reject"}


class ReviewActions:
    # ---------------------------------------------------------------- gating by state

    def check_action(self: HitlApp, action: str, parameters: tuple) -> bool | None:
        if self._shutting_down:
            return False  # quitting: keys, the palette and timers' actions do nothing (the log may be closed)
        if self.screen.is_modal:
            return False  # a dialog is open: only its own keys
        pane = self.current_pane
        if pane is not None and pane.editing:
            return action in WHILE_EDITING
        if action in REVIEW_ACTIONS and (self.claimed_id is None or pane is None):
            return False
        return True

    async def run_action(self: HitlApp, action, default_namespace=None, namespaces=None) -> bool:
        try:
            return await super().run_action(action, default_namespace, namespaces)  # type: ignore[misc]
        except Exception as exc:
            report(self, f"action {action}", exc)
            return True

    def get_system_commands(self: HitlApp, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # type: ignore[misc]
        for bid, action, desc, _show in ACTIONS:
            key = self.config.keys.get(bid, "")
            yield SystemCommand(desc, f"{bid} ({key})", lambda a=action: self.run_action(a))

    async def _ask(self: HitlApp, title: str, **kwargs) -> str | None:
        """One line of text from the reviewer (None if they cancel). Dialogs load on first use."""
        from .screens.modals import TextPrompt

        return await self.push_screen_wait(TextPrompt(title, **kwargs))

    # ---------------------------------------------------------------- navigation

    async def action_next_brief(self: HitlApp) -> None:
        await self.open_brief(self.main("#queue").move(1))

    async def action_prev_brief(self: HitlApp) -> None:
        await self.open_brief(self.main("#queue").move(-1))

    async def action_next_variant(self: HitlApp) -> None:
        await self.save_open_edit()
        self.focus_pane(self.pane_index + 1)

    async def action_prev_variant(self: HitlApp) -> None:
        await self.save_open_edit()
        self.focus_pane(self.pane_index - 1)

    def action_zoom(self: HitlApp) -> None:
        """The focused variant fills the screen (and back): room to read and edit one draft."""
        screen = self.main_screen
        if screen.maximized is not None:
            screen.minimize()
        elif self.current_pane is not None:
            screen.maximize(self.current_pane, container=False)

    def action_checklist(self: HitlApp) -> None:
        self.add_class("-checklist")  # a narrow terminal shows the checklist in place of the gate details
        checklist = self.main("#checklist")
        if checklist.option_count and checklist.highlighted is None:
            checklist.highlighted = 0  # space ticks the highlighted item, so there must be one
        self.call_after_refresh(checklist.focus)  # after the style change that may have just shown it

    async def action_leave(self: HitlApp) -> None:
        """escape: out of the editor (saved; the keys go back to the pane), else out of zoom, else to the queue."""
        pane = self.current_pane
        if pane is not None and pane.editing:
            await self.save_open_edit()
            self.update_details()
            if not pane.state.save_error:
                self.notify("Edit saved.")
            return
        self.remove_class("-checklist")
        if self.main_screen.maximized is not None:
            self.main_screen.minimize()
            return
        self.main("#queue").focus()

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_filter(self: HitlApp) -> None:
        queue = self.main("#queue")
        text = await self._ask("Filter briefs (title, file, status, channel)", value=queue.filter_text,
                               allow_empty=True)
        if text is not None:
            queue.set_filter(text)

    # ---------------------------------------------------------------- scoring and ticks

    async def action_score(self: HitlApp, value: int) -> None:
        state = self.current_state
        dims = list(self.config.rubric)
        if state is None or not dims:
            return
        dim = dims[self.dim_index]
        await self.store.set_score(state.draft_id, dim, value)
        self._scores[dim] = value
        self.dim_index = min(self.dim_index + 1, len(dims) - 1)
        self.update_details()

    def action_score_back(self: HitlApp) -> None:
        self.dim_index = max(0, self.dim_index - 1)
        self.update_details()

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_note(self: HitlApp) -> None:
        state = self.current_state
        if state is None:
            return
        current = await self.store.note(state.draft_id)
        text = await self._ask("Note on this variant", value=current, allow_empty=True)
        if text is not None:
            await self.store.set_note(state.draft_id, text)
            if self.current_state is state:
                self._note = text
                self.update_details()
            self.notify("Note saved.")

    # ---------------------------------------------------------------- editing

    async def action_edit(self: HitlApp) -> None:
        pane = self.current_pane
        if pane is None or pane.state.status in ("pending", "streaming", "retrying"):
            self.notify("Wait for this variant to finish streaming before editing.", severity="warning")
            return
        self.edit_session = os.urandom(6).hex()
        await pane.start_edit()

    async def action_diff(self: HitlApp) -> None:
        from .screens.diff import DiffScreen

        state = self.current_state
        if state is None:
            return
        revs = await self.store.revisions(state.draft_id)
        if revs[-1]["kind"] == "human":
            last_ai = [r for r in revs if r["kind"] == "ai"][-1]
            pair = [last_ai, revs[-1]]
            await self.push_screen(DiffScreen(pair, title="AI text → your edit"))
        else:
            await self.push_screen(DiffScreen(revs, title="Revision diff"))

    async def action_history(self: HitlApp) -> None:
        from .screens.diff import DiffScreen

        state = self.current_state
        if state is not None:
            await self.push_screen(DiffScreen(await self.store.revisions(state.draft_id), title="History"))

    # ---------------------------------------------------------------- decisions

    def _failing(self: HitlApp) -> list[str]:
        state = self.current_state
        results = run_gates(state.text, self.spec)
        state.gates = results
        reasons = [f"{r.label}: {r.message}" for r in blocking(results)]
        reasons += [f"unticked: {i.text}" for i in self.spec.manual_items if i.required and not self._ticks.get(i.id)]
        return reasons

    async def action_approve(self: HitlApp) -> None:
        await self.save_open_edit()
        failing = self._failing()
        if failing:
            self.notify("Not approved. Failing required checks:\n" + "\n".join(f"• {f}" for f in failing) +
                        "\nFix them, or press A to approve anyway with a reason.", severity="error", timeout=8)
            return
        await self._approve("approve", "")

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_approve_override(self: HitlApp) -> None:
        await self.save_open_edit()
        failing = self._failing()
        reason = await self._ask(
            "Approve over failing checks: why?", placeholder="e.g. legal signed off the claim",
            detail="\n".join(failing) or "No required check is failing.")
        if reason:
            await self._approve("override" if failing else "approve", reason)

    async def _approve(self: HitlApp, kind: str, reason: str) -> None:
        from ..metrics import edit_rate
        from ..outbox import write_approved

        state = self.current_state
        draft = self.drafts[state.draft_id]
        revs = await self.store.revisions(state.draft_id)
        ai = [r for r in revs if r["kind"] == "ai"][-1]
        await self.store.record_gates(revs[-1]["id"], state.gates)
        await self.store.decide(state.draft_id, revs[-1]["id"], kind, reason, state.gates)
        path = write_approved(
            self.ws.outbox, brief_name=self.current_name, title=self.brief.title, text=state.text,
            model=draft["model"], label=draft["label"], prompt_version=ai["prompt_version"],
            reviewer=self.config.reviewer, decision=kind, reason=reason, scores=dict(self._scores),
            gates=[g.to_dict() for g in state.gates], edit_rate=edit_rate(ai["text"], state.text),
            revision=ai["number"], drafted_at=ai["created_at"], approved_at=time.time(),
            checklist={i.id: bool(self._ticks.get(i.id)) for i in self.spec.manual_items})
        state.decision = kind
        self.current_pane.refresh_state()
        await self.refresh_queue()
        self.notify(f"Approved → {path.relative_to(self.ws.root)}")

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_reject(self: HitlApp) -> None:
        state = self.current_state
        reason = await self._ask("Reject this variant: why?", placeholder="e.g. off-brand tone")
        if reason:
            await self.store.decide(state.draft_id, None, "reject", reason)
            state.decision = "reject"
            self.current_pane.refresh_state()
            await self.refresh_queue()
            self.notify("Rejected.")

    async def action_undo(self: HitlApp) -> None:
        """Take back this reviewer's last action on the open brief — and only on it — and say what it was."""
        if self.claimed_id is None or self.current_row is None:
            self.notify("Nothing to undo: no brief is open for review here.")
            return
        undone = await self.store.undo_last(self.claimed_id)
        if undone is None:
            self.notify(f"Nothing to undo on {self.current_name}: you have not changed anything on it.")
            return
        n = self.order.index(undone.draft_id) + 1 if undone.draft_id in self.order else None
        what = describe_undone(undone, f"variant {n}" if n else
                               f"variant {undone.variant + 1} of an earlier version", self.spec)
        if undone.blocked:
            self.notify(f"Cannot undo the {what}: {undone.blocked}.", severity="warning")
            return
        await self._show_undone(undone)
        self.notify(f"Undid: {what}")

    async def _show_undone(self: HitlApp, undone: Undone) -> None:
        state = self.states.get(undone.draft_id)
        if undone.kind in DECISION_WORDS and state is not None:
            decisions = await self.store.decisions(undone.draft_id)
            state.decision = decisions[-1]["kind"] if decisions else None
        elif undone.kind == "edit" and state is not None:
            ai = [r for r in await self.store.revisions(undone.draft_id) if r["kind"] == "ai"][-1]
            state.text, state.edited = undone.text, undone.text != ai["text"]
            state.gates = run_gates(state.text, self.spec)
        await self.refresh_queue()
        if undone.kind in ("approve", "override") and self.brief and not (self.current_row or {}).get("approved"):
            from ..outbox import outbox_path

            path = outbox_path(self.ws.outbox, self.brief.title, self.current_name)
            if path.exists():
                path.unlink()  # the brief is no longer approved: its outbox file goes with the approval
        if state is not None:
            self.focus_pane(self.order.index(undone.draft_id))  # reloads its scores, ticks and note
            self.pane_for(undone.draft_id).refresh_state()
            self.update_details()

    # ---------------------------------------------------------------- back to the AI

    @work(group="dialog", exclusive=True, exit_on_error=False)
    @guarded
    async def action_revise(self: HitlApp) -> None:
        await self.save_open_edit()
        state = self.current_state
        note = await self._ask(
            "Revise: what should change? (gates, low scores, your note and edits are sent too)", allow_empty=True)
        if note is None:
            return
        from ..feedback_loop.revise import proposed_items

        # Every proposed item is sent; the list to review and drop items from comes with the review screen.
        items = await proposed_items(self.store, self.config, self.brief, state.draft_id, instruction=note,
                                     text=state.text)
        self.run_worker(self.engine.revise(self.drafts[state.draft_id], self.brief, state.text, items),
                        group=f"draft-{state.draft_id}", exit_on_error=False)
        self.notify(f"Revision requested for {state.label}.")

    async def action_regenerate(self: HitlApp) -> None:
        state = self.current_state
        if state.status in ("pending", "streaming", "retrying"):
            self.engine.cancel_draft(state.draft_id)  # replace the stream, do not run two
        self.run_worker(self.engine.regenerate(self.drafts[state.draft_id], self.brief),
                        group=f"draft-{state.draft_id}", exit_on_error=False)

    # ---------------------------------------------------------------- misc

    def action_copy(self: HitlApp) -> None:
        state = self.current_state
        if state is not None and state.text:
            self.copy_to_clipboard(state.text)  # OSC 52: reaches the local clipboard over SSH
            self.notify("Copied to the clipboard.")

    async def action_blind(self: HitlApp) -> None:
        self.blind = not self.blind
        self.notify("Blind mode on: models hidden, order shuffled." if self.blind else "Blind mode off.")
        await self.open_brief(self.current_name, force=True)

    async def action_stats(self: HitlApp) -> None:
        from .screens.stats import StatsScreen

        await self.push_screen(StatsScreen(await self.store.stats()))

    async def action_help(self: HitlApp) -> None:
        from .screens.modals import HelpScreen

        await self.save_open_edit()  # a dialog over an open editor would leave the keys nowhere visible
        keys = {bid: self.config.keys.get(bid, "") for bid, *_ in ACTIONS}
        await self.push_screen(HelpScreen(keys))

    async def action_quit(self: HitlApp) -> None:
        await self.save_and_exit("quit")


def describe_undone(undone: Undone, variant: str, spec: GateSpec) -> str:
    """"score 4 for clarity on variant 1", "approve of variant 2": what an undo took back, in a reviewer's words."""
    if undone.kind == "score":
        return f"score {undone.value} for {undone.dimension} on {variant}"
    if undone.kind == "tick":
        text = next((i.text for i in spec.manual_items if i.id == undone.item), undone.item)
        return f"{'tick' if undone.checked else 'untick'} of “{text}” on {variant}"
    if undone.kind == "note":
        return f"note on {variant}"
    if undone.kind == "edit":
        return f"edit of {variant}"
    return f"{DECISION_WORDS.get(undone.kind, undone.kind)} of {variant}"

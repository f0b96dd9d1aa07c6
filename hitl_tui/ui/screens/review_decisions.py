"""The station's decisions on the open variant that are not the team's: reject (`x`) and undo (`u`), and what an
undo took back, said in a reviewer's words, with the variant's state and the outbox brought back to what the log says.

Functions of the `ReviewScreen` (review.py), each called from its action in a line. Approving and signing off are
`team.approve`, called through `review_team.py`: one decision for the station and scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...briefs import Brief
    from ...gates import GateSpec
    from ...store import Store, Undone
    from ...workspace import Workspace
    from ..widgets.draft_pane import PaneState
    from .review import ReviewScreen

DECISION_WORDS = {"approve": "approve", "override": "approve anyway", "reject": "reject"}


async def show_undone(store: Store, ws: Workspace, undone: Undone, state: PaneState | None, brief: Brief | None,
                      brief_name: str | None, still_approved: bool) -> None:
    """Bring a variant's state (and the outbox) back to what the log says after an undo."""
    if undone.kind in DECISION_WORDS and state is not None:
        decisions = await store.decisions(undone.draft_id)
        state.decision = decisions[-1].kind if decisions else None
    elif undone.kind == "edit" and state is not None:
        draft = await store.draft(undone.draft_id, with_revisions=True)
        state.set_text(undone.text)
        state.edited = undone.text != draft.latest_ai.text
    if undone.kind in ("approve", "override") and brief and not still_approved:
        from ...outbox import outbox_path

        path = outbox_path(ws.outbox, brief.title, brief_name)
        if path.exists():
            path.unlink()  # the brief is no longer approved: its outbox file goes with the approval


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
    if undone.kind == "sign_off":
        return f"sign-off of {undone.stage} on {variant}"
    return f"{DECISION_WORDS.get(undone.kind, undone.kind)} of {variant}"


async def reject(screen: ReviewScreen) -> None:
    """`x`: reject the open variant with a reason (the action runs as a worker: the reason is asked in a dialog)."""
    state = screen.current_state
    reason = await screen.ask_line("Reject this variant: why?", placeholder="e.g. off-brand tone")
    if reason:
        await screen.app.store.decide(state.draft_id, None, "reject", reason)
        state.decision = "reject"
        screen.current_pane.refresh_state()
        await screen.refresh_queue()
        screen.notify("Rejected.")


async def undo(screen: ReviewScreen) -> None:
    """`u`: take back this reviewer's last action on the open brief — and only on it — and say what it was."""
    if screen.claimed_id is None or screen.current_row is None:
        screen.notify("Nothing to undo: no brief is open for review here.")
        return
    undone = await screen.app.store.undo_last(screen.claimed_id)
    if undone is None:
        screen.notify(f"Nothing to undo on {screen.current_name}: you have not changed anything on it.")
        return
    order = screen.order
    n = order.index(undone.draft_id) + 1 if undone.draft_id in order else None
    what = describe_undone(undone, f"variant {n}" if n else f"variant {undone.variant + 1} of an earlier version",
                           screen.spec)
    if undone.blocked:
        screen.notify(f"Cannot undo the {what}: {undone.blocked}.", severity="warning")
        return
    state = screen.states.get(undone.draft_id)
    await screen.refresh_queue()
    row = screen.current_row
    await show_undone(screen.app.store, screen.app.ws, undone, state, screen.brief, screen.current_name,
                      still_approved=bool(row and row.approved))
    if state is not None:
        screen.focus_pane(order.index(undone.draft_id))  # reloads its scores, ticks and note
        screen.pane_for(undone.draft_id).refresh_state()
        screen.update_details()
    screen.notify(f"Undid: {what}")

"""What an undo took back, with its inputs spelled out (no widget in here).

The screen's undo calls these and then shows the result. Approving (and signing off) is `team.approve`, called
through `ui/team_keys.py`: one decision for the station and scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...gates import GateSpec
from ...store import Undone

if TYPE_CHECKING:
    from ...briefs import Brief
    from ...store import Store
    from ...workspace import Workspace
    from ..widgets.draft_pane import PaneState

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

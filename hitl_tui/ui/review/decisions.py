"""Decisions on a variant, and what an undo took back, with their inputs spelled out (no widget in here).

The screen's actions (approve, approve anyway, reject, undo) call these and then show the result.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from ...gates import GateSpec, blocking
from ...store import Undone

if TYPE_CHECKING:
    from ...briefs import Brief
    from ...store import Store
    from ...workspace import Workspace
    from ..widgets.draft_pane import PaneState

DECISION_WORDS = {"approve": "approve", "override": "approve anyway", "reject": "reject"}


def failing(state: PaneState, spec: GateSpec, ticks: dict[str, bool]) -> list[str]:
    """Why approving this variant is blocked: failing required gates and unticked required checklist items."""
    state.gates = state.check(state.text)
    reasons = [f"{r.label}: {r.message}" for r in blocking(state.gates)]
    reasons += [f"unticked: {i.text}" for i in spec.manual_items if i.required and not ticks.get(i.id)]
    return reasons


async def approve(store: Store, ws: Workspace, *, state: PaneState, brief: Brief, brief_name: str,
                  kind: str, reason: str, scores: dict[str, int], ticks: dict[str, bool], spec: GateSpec) -> Path:
    """Log the decision (with the gates it was taken on) and write the piece to the outbox; returns its path."""
    from ...metrics import edit_rate
    from ...outbox import write_approved

    draft = await store.draft(state.draft_id, with_revisions=True)  # as the log has it now (an edit just saved)
    ai, top = draft.latest_ai, draft.latest
    await store.record_gates(top.id, state.gates)
    await store.decide(state.draft_id, top.id, kind, reason, state.gates)
    return write_approved(
        ws.outbox, brief_name=brief_name, title=brief.title, text=state.text,
        model=draft.model, label=draft.label, prompt_version=ai.prompt_version,
        reviewer=ws.config.reviewer, decision=kind, reason=reason, scores=dict(scores),
        gates=[g.to_dict() for g in state.gates], edit_rate=edit_rate(ai.text, state.text),
        revision=ai.number, drafted_at=ai.created_at, approved_at=time.time(),
        checklist={i.id: bool(ticks.get(i.id)) for i in spec.manual_items})


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
    return f"{DECISION_WORDS.get(undone.kind, undone.kind)} of {variant}"

"""Approve / sign off: the one decision both the station's approve keys and scripts go through.

`approve(store, ws, draft_id, reason="")` looks at the variant as stored (its current text, gates with the claims
register, ticked checklist items, its checklist's sign-off stages and who holds which role) and does one of:

- refuses, saying why: a required gate fails or a required item is unticked (pass `reason` to approve anyway, as
  `A` does: the decision is then an override), the piece waits on a stage this person does not hold, or it is
  already approved;
- signs the stage it waits on, when this person holds that role and more stages remain: `outcome == "signed"`,
  `waiting` says who is next;
- approves: the last stage's sign-off (if any) and the decision are written in one transaction, then the outbox
  file, whose front matter lists `stages` (who signed which, when) and `claims` (with sources).

A sign-off is bound to the exact text; editing it afterwards voids it (`Store.save_edit_checked` says which).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..approval import claims as claims_register
from ..approval import signoff as signoffs
from ..approval.signoff import SignOff, SignOffError, Waiting
from ..gates import GateResult
from ..store import Store
from ..workspace import Workspace
from .variant import Variant, load_variant

APPROVED, SIGNED, REFUSED = "approved", "signed", "refused"


@dataclass(frozen=True)
class ApprovalResult:
    outcome: str  # approved | signed | refused
    message: str  # one line for a notification or the terminal
    reasons: tuple[str, ...] = ()  # when refused: each failing check, or who must sign first
    signed: SignOff | None = None  # the sign-off this call made
    waiting: Waiting | None = None  # what the piece waits on now (None once approved, or without stages)
    decision_id: int | None = None  # for undo
    path: Path | None = None  # the outbox file written
    gates: tuple[GateResult, ...] = ()  # the gates as checked (claims gate from the register)


def failing_checks(v: Variant, gates: list[GateResult], ticks: dict[str, bool]) -> list[str]:
    """Required gates failing and required checklist items unticked, one line each."""
    reasons = [f"{g.label}: {g.message}" for g in gates if g.blocking]
    reasons += [f"unticked: {i.text}" for i in v.spec.manual_items if i.required and not ticks.get(i.id)]
    return reasons


async def approve(store: Store, ws: Workspace, draft_id: int, *, reason: str = "", now: float | None = None
                  ) -> ApprovalResult:
    """Approve (or sign the next stage of) a variant as `store.reviewer`. See the module docstring."""
    now = time.time() if now is None else now
    v = await load_variant(store, ws.config, draft_id)
    if v.latest.status in ("pending", "streaming"):
        return ApprovalResult(REFUSED, "Wait for this variant to finish streaming before approving it.")
    gates = v.gates()
    if any(d.kind in ("approve", "override") for d in await store.decisions(draft_id)):
        return ApprovalResult(REFUSED, "This variant is already approved.", gates=tuple(gates))
    failing = failing_checks(v, gates, await store.ticks(draft_id))
    reason = reason.strip()
    if failing and not reason:
        return ApprovalResult(REFUSED, "Not approved. Failing required checks: " + "; ".join(failing),
                              tuple(failing), gates=tuple(gates))
    kind = "override" if failing else "approve"
    signed = None
    if v.stages:
        waiting = v.waiting()
        if waiting is not None:
            try:
                signed = signoffs.sign(store.reviewer, waiting.stage, v.stages, v.signoffs, v.text, v.roles, now)
            except SignOffError as exc:
                return ApprovalResult(REFUSED, f"Waits on {waiting.describe()}: {exc}.", (str(exc),),
                                      waiting=waiting, gates=tuple(gates))
            after = signoffs.waiting_on(v.stages, [*v.signoffs, signed], v.text, v.roles)
            if after is not None:
                await store.record_approval(draft_id, v.latest.id, signoff=signed, decision=None, gates=gates)
                return ApprovalResult(SIGNED, f"Signed {signed.stage}. Now waits on {after.describe()}.",
                                      signed=signed, waiting=after, gates=tuple(gates))
    return await finish_approval(store, ws, v, kind=kind, reason=reason, gates=gates, signed=signed, now=now)


async def finish_approval(store: Store, ws: Workspace, v: Variant, *, kind: str, reason: str,
                          gates: list[GateResult], signed: SignOff | None, now: float) -> ApprovalResult:
    """Every stage is signed (or there are none): the decision (with the last sign-off) and the outbox file."""
    from ..metrics import edit_rate
    from ..outbox import write_approved

    _, decision_id = await store.record_approval(v.draft_id, v.latest.id, signoff=signed, decision=kind,
                                                 reason=reason, gates=gates)
    all_signoffs = [*v.signoffs, signed] if signed else v.signoffs
    ticks = await store.ticks(v.draft_id)
    path = write_approved(
        ws.outbox, brief_name=v.brief.name, title=v.brief.title, text=v.text, model=v.draft.model,
        label=v.draft.label, prompt_version=v.ai.prompt_version, reviewer=store.reviewer, decision=kind,
        reason=reason, scores=await store.scores(v.draft_id), gates=[g.to_dict() for g in gates],
        edit_rate=edit_rate(v.ai.text or "", v.text), revision=v.ai.number, drafted_at=v.ai.created_at,
        approved_at=now, checklist={i.id: bool(ticks.get(i.id)) for i in v.spec.manual_items},
        stages=signoffs.front_matter(v.stages, all_signoffs, v.text, v.roles),
        claims=claims_register.front_matter(v.claims()))
    where = path.relative_to(ws.root) if path.is_relative_to(ws.root) else path
    signed_note = f"Signed {signed.stage}; every stage is signed. " if signed else ""
    return ApprovalResult(APPROVED, f"{signed_note}Approved → {where}", signed=signed, decision_id=decision_id,
                          path=path, gates=tuple(gates))

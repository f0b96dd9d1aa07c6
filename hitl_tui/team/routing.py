"""When no human is needed: auto-approval of finished drafts, audits, and calibration re-shows.

`route_drafts(store, config, outbox, brief, outcomes)` runs where drafts end — `DraftEngine.draft_brief`, in the
drafting worker process for the station and in-process for `hitl draft` — once every variant of a brief has
finished, so it can pick one variant per brief (an outbox file is per brief). Only a checklist with
`auto_approve` routes; every routing of a finished variant is logged with its reasons (`routings`, event `route`).
A variant is auto-approved when the policy passes it (`analytics.policy.route`) and nothing needs a person:
- sign-off stages on its checklist always need people ("sign-off stages: legal");
- an unsourced claim needs a person to source or cut it (auto-approval never publishes one);
the first such variant (in variant order) is approved, written to the outbox with `auto_approved = {reasons,
audit}`, and drawn for audit with the policy's seeded share. Revisions a person asked for are not routed: that
person is already on it. Unticked manual checklist items are listed in the reasons ("not checked by a person").
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Iterable

from ..analytics.policy import Routing, route
from ..analytics.reshow import ReshowItem, due_reshows
from ..approval import claims as claims_register
from ..briefs import Brief
from ..config import Config
from ..store import AUTO_REVIEWER, AuditItem, RoutingRecorded, Store, StoreError
from ..workspace import Workspace
from .variant import load_variant, roles_of

log = logging.getLogger("hitl.routing")
log.addHandler(logging.NullHandler())


async def route_drafts(store: Store, config: Config, outbox: Path, brief: Brief,
                       outcomes: Iterable) -> list[RoutingRecorded]:
    """Route a brief's finished drafts (engine `Outcome`s); [] when its checklist has no auto-approval."""
    checklist, _ = config.checklist_for(brief.checklist or brief.channel)
    policy = checklist.auto_approve
    if policy is None:
        return []
    done = sorted((o for o in outcomes if o.status == "done" and o.text.strip()), key=lambda o: o.variant)
    recorded, approved_variant = [], None
    for o in done:
        v = await load_variant(store, config, o.draft_id)
        gates = v.gates()
        blockers = []
        if v.stages:
            blockers.append("sign-off stages: " + ", ".join(v.stages))
        unsourced = [c for c in v.claims() if c.needs_source]
        if unsourced:
            blockers.append(f"{len(unsourced)} unsourced claim(s): " + ", ".join(f"“{c.text}”" for c in unsourced[:3]))
        scores = await store.scores_by_reviewer(o.draft_id)  # a scoring model scores under its own name
        routing = route(policy, gates, scores, key=o.draft_id, seed=policy.seed, blockers=blockers)
        if routing.auto_approve and approved_variant is not None:
            routing = Routing(False, False, (f"variant {approved_variant} of this brief was auto-approved",))
        manual = [i.text for i in v.spec.manual_items if i.required]
        if routing.auto_approve and manual:
            routing = Routing(True, routing.audit, (*routing.reasons, "not checked by a person: " + "; ".join(manual)))
        path = None
        if routing.auto_approve:
            approved_variant = o.variant + 1
            path = _write(outbox, v, gates, routing)
        try:
            recorded.append(await store.record_routing(
                o.draft_id, v.latest.id, routing, gates=gates if routing.auto_approve else None,
                outbox=path.name if path else None, audit_by=policy.audit_by))
        except BaseException:
            if path is not None:
                path.unlink(missing_ok=True)  # no decision in the log: no file in the outbox
            raise
    return recorded


def _write(outbox: Path, v, gates, routing: Routing) -> Path:
    from ..metrics import edit_rate
    from ..outbox import write_approved

    return write_approved(
        outbox, brief_name=v.brief.name, title=v.brief.title, text=v.text, model=v.draft.model,
        label=v.draft.label, prompt_version=v.ai.prompt_version, reviewer=AUTO_REVIEWER, decision="approve",
        reason="", scores={}, gates=[g.to_dict() for g in gates], edit_rate=edit_rate(v.ai.text or "", v.text),
        revision=v.ai.number, drafted_at=v.ai.created_at, approved_at=time.time(),
        claims=claims_register.front_matter(v.claims()),
        auto_approved={"reasons": list(routing.reasons), "audit": routing.audit})


# ---------------------------------------------------------------- audits

def may_audit(reviewer: str, audit: AuditItem, roles: dict[str, list[str]]) -> bool:
    return not audit.audit_by or audit.audit_by in roles_of(reviewer, roles)


async def my_audits(store: Store, config: Config) -> list[AuditItem]:
    """Pending audits this person may do, oldest first."""
    return [a for a in await store.audit_queue() if may_audit(store.reviewer, a, config.roles)]


async def resolve_audit(store: Store, ws: Workspace, audit_id: int, result: str, reason: str = "") -> AuditItem:
    """Uphold or overturn an auto-approval. Overturned: the approval is undone and its outbox file removed (the
    file is removed only while it is still the auto-approved one), and the brief is back in the queue."""
    pending = {a.id: a for a in await store.audit_queue()}
    if audit_id in pending and not may_audit(store.reviewer, pending[audit_id], ws.config.roles):
        raise StoreError(f"audit {audit_id} is for the {pending[audit_id].audit_by} role")
    item = await store.resolve_audit(audit_id, result, reason)
    if result == "overturned" and item.outbox:
        from ..outbox import front_matter

        path = ws.outbox / item.outbox
        if "auto_approved" in (front_matter(path) or {}):
            path.unlink(missing_ok=True)
    return item


# ---------------------------------------------------------------- calibration re-shows

async def reshow_queue(store: Store, config: Config, now: float | None = None) -> list[ReshowItem]:
    """Judged variants due to be shown again to the person running hitl, blind (hide their earlier scores and the
    decision); their scores go to `Store.set_reshow_score`, never to the live scores."""
    cal = config.calibration
    if cal.reshow <= 0:
        return []
    return due_reshows(await store.reshow_candidates(), store.reviewer, share=cal.reshow, to=cal.to, delay_hours=cal.delay_hours,
                       dimensions=list(config.rubric), now=time.time() if now is None else now, seed=cal.seed)

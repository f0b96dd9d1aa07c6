"""What each brief waits on and for whom, in triage order: `hitl queue` now, the station's queue later.

For the person looking (`reviewer`), each brief gets its waits (`Wait`, JSON-ready with `to_dict`):

- `stage` — the sign-off stage its most advanced variant waits on, with the role's holders (briefs with drafts
  ready and not yet approved, whose checklist has `stages`);
- `review` — ready, no stages: anyone may review it;
- `question` — an open question, asked of a person or a role (with its holders), by whom, on which variant;
- `audit` — an auto-approved variant drawn for audit (holders of the policy's `audit_by` role, else anyone);
- `claims` — claims without a source in the variants still in play (not rejected).

`mine` is true when something waits on this person: a question asked of them or of a role they hold, a stage
whose role they hold, an audit they may do, or a ready brief without stages. The order and the one word per row
are `analytics.triage`'s (asked, audit, failing, claims, sign-off, ready, taken, invalid, drafting, done).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..analytics.triage import QueueEntry, triage
from ..approval.claims import review_claims
from ..approval.signoff import stage_status
from ..briefs import Brief
from ..config import Config
from ..gates import gate_spec
from ..store import Store

if TYPE_CHECKING:
    from ..store.report_rows import QueueVariant

ANYONE = ()  # `who` of a wait anyone may take


@dataclass(frozen=True)
class Wait:
    what: str  # stage | review | question | audit | claims
    who: tuple[str, ...]  # the people it waits on; () = anyone
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"what": self.what, "who": list(self.who), **self.detail}

    def describe(self) -> str:
        who = ", ".join(self.who) or "anyone"
        d = self.detail
        if self.what == "stage":
            return f"sign-off {d['stage']} ({who})"
        if self.what == "question":
            asked = f"{d['asked_of']} ({who})" if d["role"] else d["asked_of"]
            return f"question for {asked} from {d['asked_by']}"
        if self.what == "audit":
            return f"audit ({who})"
        if self.what == "claims":
            return f"{d['unsourced']} unsourced claim(s)"
        return f"review ({who})"


@dataclass(frozen=True)
class QueueRow:
    brief_id: int
    name: str
    title: str
    status: str
    why: str  # triage's one word
    waits: tuple[Wait, ...]
    mine: bool

    def to_dict(self) -> dict:
        return {"brief": self.name, "title": self.title, "status": self.status, "why": self.why, "mine": self.mine,
                "waits_on": [w.to_dict() for w in self.waits]}


def _stage_wait(stages: list[str], variants: list[QueueVariant], roles: dict[str, list[str]]) -> Wait | None:
    """The stage the most advanced variant waits on (most stages validly signed; then lowest variant)."""
    best = None
    for v in variants:
        statuses = stage_status(stages, v.signoffs, v.text or "", roles)
        signed = next((i for i, s in enumerate(statuses) if not s.signed), len(statuses))
        if signed < len(statuses) and (best is None or signed > best[0]):
            best = (signed, statuses[signed], v.variant)
    if best is None:
        return None
    _, status, variant = best
    return Wait("stage", status.holders, {"stage": status.stage, "role": status.stage, "variant": variant + 1})


async def build_queue(store: Store, config: Config, reviewer: str | None = None, *, mine: bool = False
                      ) -> list[QueueRow]:
    reviewer = reviewer or store.reviewer
    data = await store.queue_variants()
    questions: dict[int, list] = {}
    for q in await store.open_questions():
        questions.setdefault(q.brief_id, []).append(q)
    audits: dict[int, list] = {}
    for a in await store.audit_queue():
        audits.setdefault(a.brief_id, []).append(a)
    entries, rows_by_id = [], {}
    for b in await store.list_briefs():
        info = data.get(b.id)
        brief = Brief.from_fields(b.name, info.fields) if info and info.fields else None
        spec = gate_spec(config, brief) if brief else None
        closed = b.status in ("approved", "rejected", "invalid")
        in_play = [v for v in info.variants if v.in_play] if info else []
        waits: list[Wait] = []
        for q in questions.get(b.id, []):
            who = tuple(config.roles.get(q.asked_of, ())) if q.of_role else (q.asked_of,)
            waits.append(Wait("question", who, {"id": q.id, "asked_of": q.asked_of, "role": q.of_role,
                                                "asked_by": q.asked_by, "question": q.text,
                                                "variant": q.variant + 1, "claim": q.claim_id, "since": q.asked_at}))
        for a in audits.get(b.id, []):
            who = tuple(config.roles.get(a.audit_by, ())) if a.audit_by else ANYONE
            waits.append(Wait("audit", who, {"id": a.id, "variant": a.variant + 1, "reasons": list(a.reasons),
                                             "since": a.created_at}))
        stages = list(spec.checklist.stages or []) if spec else []
        if not closed and b.status in ("ready", "in review") and in_play:
            stage = _stage_wait(stages, in_play, config.roles) if stages else None
            if stage is not None:
                waits.append(stage)
            elif not stages and b.status == "ready":
                waits.append(Wait("review", ANYONE))
        unsourced = 0
        if spec is not None and not closed and "claims" not in spec.checklist.disabled:
            for v in in_play:
                records = {r.id: r for r in v.claims}
                unsourced += sum(s.needs_source for s in review_claims(v.text or "", records, spec.brief_text))
            if unsourced:
                waits.append(Wait("claims", ANYONE, {"unsourced": unsourced}))
        for_me = [w for w in waits if reviewer in w.who or (not w.who and w.what in ("audit", "review"))]
        entry = QueueEntry(
            b.id, b.name, b.status,
            failing_required=sum(bool(v.failing_required) for v in in_play) if not closed else 0,
            unsourced_claims=unsourced, questions_for_me=sum(w.what == "question" for w in for_me),
            audits_for_me=sum(w.what == "audit" for w in for_me),
            stage_for_me=any(w.what == "stage" for w in for_me),
            waiting_since=min((w.detail["since"] for w in waits if "since" in w.detail), default=None))
        entries.append(entry)
        rows_by_id[b.id] = (b, tuple(waits), bool(for_me))
    out = []
    for entry, why in triage(entries):
        b, waits, is_mine = rows_by_id[entry.brief_id]
        if mine and not is_mine:
            continue
        out.append(QueueRow(b.id, b.name, b.title, b.status, why, waits, is_mine))
    return out


async def stage_waits(store: Store, config: Config) -> dict[str, Wait]:
    """brief name -> the sign-off stage it waits on (for `hitl briefs`); {} when no checklist has stages."""
    if not any(c.stages for c in config.checklists.values()):
        return {}
    return {row.name: w for row in await build_queue(store, config) for w in row.waits if w.what == "stage"}

"""What waits on the person running hitl, one item per thing to do, in triage order: the expert's queue (`w` in the
station) reads this.

`waiting_items(store, config)` → `WaitItem`s: questions asked of them (by name or a role they hold), audits of
auto-approvals they may do, sign-off stages waiting on a role they hold (the variant `team.queue` names), then
calibration re-shows due to them (blind). Within a kind, oldest first. The order of kinds is `analytics.triage`'s
(asked, audit, … sign-off); re-shows come last: nobody is blocked on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..store import Store
from .experts import my_questions
from .queue import build_queue
from .routing import my_audits, reshow_queue

ASKED, AUDIT, SIGN_OFF, RESHOW = "asked", "audit", "sign-off", "re-show"


@dataclass(frozen=True)
class WaitItem:
    kind: str  # asked | audit | sign-off | re-show
    draft_id: int
    brief: str  # the brief's file name
    title: str
    variant: int  # 1-based
    summary: str  # one line: the question, why it was auto-approved, the stage, …
    since: float | None
    ref: object = None  # the Question, AuditItem, Wait (stage) or ReshowItem behind it

    @property
    def key(self) -> str:
        return f"{self.kind}:{getattr(self.ref, 'id', self.draft_id)}"


async def _variant_draft(store: Store, brief_name: str, variant: int) -> int | None:
    row = await store.brief_by_name(brief_name)
    if row is None or row.current_version_id is None:
        return None
    draft = await store.variant_draft(row.current_version_id, variant - 1)
    return draft.id if draft else None


async def waiting_items(store: Store, config: Config) -> list[WaitItem]:
    items: list[WaitItem] = []
    for q in await my_questions(store, config):
        about = " (about a claim)" if q.claim_id else ""
        items.append(WaitItem(ASKED, q.draft_id, q.brief, q.title, q.variant + 1,
                              f"{q.asked_by} asks {q.asked_of_label()}{about}: {q.text}", q.asked_at, q))
    for a in await my_audits(store, config):
        items.append(WaitItem(AUDIT, a.draft_id, a.brief, a.title, a.variant + 1,
                              "auto-approved: " + "; ".join(a.reasons), a.created_at, a))
    for row in await build_queue(store, config, mine=True):
        for w in row.waits:
            if w.what != "stage" or store.reviewer not in w.who:
                continue
            draft_id = await _variant_draft(store, row.name, w.detail["variant"])
            if draft_id is not None:
                items.append(WaitItem(SIGN_OFF, draft_id, row.name, row.title, w.detail["variant"],
                                      f"waits on your {w.detail['stage']} sign-off", None, w))
    for r in await reshow_queue(store, config):
        items.append(WaitItem(RESHOW, r.draft_id, r.brief, r.title, r.variant + 1,
                              "calibration: score it again, blind", r.decided_at, r))
    return items

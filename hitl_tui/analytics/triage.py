"""Triage: the queue ordered by where a human is needed most, with a one-word reason per row.

Core module: no UI, no store. Input: one `QueueEntry` per brief, counted for the person looking (the store knows
who asked whom, which stage waits on which role, which audits are whose). Output: `(entry, reason)` pairs, most
urgent first. The reasons, in order of urgency:

1. `asked` — a colleague asked this person a question: someone is blocked on them.
2. `audit` — an auto-approved piece sampled for audit: it is already in the outbox and may be published.
3. `failing` — a required gate fails on the current version: nothing ships without a person deciding.
4. `claims` — claims without a source: someone has to find one or cut the claim.
5. `sign-off` — a sign-off stage waits on a role this person holds.
6. `ready` — drafts are ready for review.
7. `taken` — ready, but a colleague has it open.
8. `invalid` — the brief file does not parse: its author must fix it.
9. `drafting` — new or still drafting: nothing to do yet.
10. `done` — approved or rejected.

Within one reason: more pending items first (questions, audits, failing variants, claims), then the longest
waiting, then by name. Completed briefs never rank above open work, whatever their counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

REASONS = ("asked", "audit", "failing", "claims", "sign-off", "ready", "taken", "invalid", "drafting", "done")
_RANK = {r: i for i, r in enumerate(REASONS)}


@dataclass(slots=True, frozen=True)
class QueueEntry:
    """brief_id, name; status as `Store.list_briefs` derives it (new, drafting, ready, in review, approved,
    rejected, invalid); failing_required: variants of the current version with a failing required gate;
    unsourced_claims: claims without a source on those variants; questions_for_me / audits_for_me: open questions
    asked of this person (or a role they hold) and audits assigned to them; stage_for_me: a sign-off stage waits on
    a role they hold; waiting_since: epoch seconds since it has been waiting (oldest question, or last change)."""
    brief_id: int
    name: str
    status: str
    failing_required: int = 0
    unsourced_claims: int = 0
    questions_for_me: int = 0
    audits_for_me: int = 0
    stage_for_me: bool = False
    waiting_since: float | None = None


def reason(e: QueueEntry) -> str:
    """The one word that says why a person is (or is not) needed on this brief."""
    closed = e.status in ("approved", "rejected")
    if e.questions_for_me:
        return "asked"
    if e.audits_for_me:
        return "audit"
    if e.status == "invalid":
        return "invalid"
    if not closed and e.failing_required:
        return "failing"
    if not closed and e.unsourced_claims:
        return "claims"
    if e.stage_for_me:
        return "sign-off"
    if closed:
        return "done"
    if e.status == "ready":
        return "ready"
    if e.status == "in review":
        return "taken"
    return "drafting"


def _pending(e: QueueEntry, why: str) -> int:
    return {"asked": e.questions_for_me, "audit": e.audits_for_me, "failing": e.failing_required,
            "claims": e.unsourced_claims}.get(why, 0)


def triage(entries: Iterable[QueueEntry]) -> list[tuple[QueueEntry, str]]:
    """Entries with their reason, most urgent first (see the module docstring)."""
    rows = [(e, reason(e)) for e in entries]
    rows.sort(key=lambda row: (_RANK[row[1]], -_pending(*row),
                               row[0].waiting_since if row[0].waiting_since is not None else float("inf"),
                               row[0].name))
    return rows

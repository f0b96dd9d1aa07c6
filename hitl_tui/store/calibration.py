"""Auto-approval routings and audits, calibration re-shows, and the rows agreement statistics are made from.

- Every routing decision of a finished variant is a `routings` row with its reasons (event `route`); an
  auto-approval writes its decision (reviewer `AUTO_REVIEWER`) and, when drawn, an `audits` row in the same
  transaction. An audit is upheld or overturned by a person (event `audit`); overturning undoes the auto-approval.
- Scores given on a calibration re-show go to `reshow_scores` (event `reshow_score`), never to `scores`: a
  re-show does not change the live decision or the live scores.
- `ratings()` and `gold()` are the inputs of `analytics.agreement.agreement_stats`; `approval_outcomes()` those of
  `analytics.policy.auto_approval_stats`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from .base import StoreError
from .review import ReviewOps

if TYPE_CHECKING:
    from ..analytics.agreement import Rating
    from ..analytics.policy import ApprovalOutcome, Routing
    from ..analytics.reshow import ReshowCandidate
    from ..gates import GateResult
    from .feature_rows import AuditItem, RoutingRecorded
    from .report_rows import RoutingRow

AUTO_REVIEWER = "auto-approval"  # the decisions table's reviewer for an approval no person made
AUDIT_RESULTS = ("upheld", "overturned")


class CalibrationOps(ReviewOps):
    # ------------------------------------------------------------------ auto-approval

    async def record_routing(self, draft_id: int, revision_id: int | None, routing: Routing, *,
                             gates: list[GateResult] | None = None, outbox: str | None = None,
                             audit_by: str = "") -> RoutingRecorded:
        """Log a routing with its reasons; an auto-approval also writes its decision (and its audit when drawn)."""
        reasons = list(routing.reasons)
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            decision_id = audit_id = None
            if routing.auto_approve:
                decision_id = await self._decide(db, draft_id, revision_id, "approve",
                                                 "auto-approved: " + "; ".join(reasons), gates, AUTO_REVIEWER)
            cur = await db.execute("INSERT INTO routings (draft_id, revision_id, auto_approve, audit, reasons, "
                                   "decision_id, outbox, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   (draft_id, revision_id, int(routing.auto_approve), int(routing.audit),
                                    json.dumps(reasons), decision_id, outbox, time.time()))
            routing_id = cur.lastrowid
            if routing.auto_approve and routing.audit:
                audit_id = (await db.execute("INSERT INTO audits (draft_id, routing_id, decision_id, audit_by, "
                                             "created_at) VALUES (?, ?, ?, ?, ?)",
                                             (draft_id, routing_id, decision_id, audit_by, time.time()))).lastrowid
            await self.event(db, "route", actor=AUTO_REVIEWER, brief_id=brief_id, draft_id=draft_id,
                             revision_id=revision_id, routing_id=routing_id, auto_approve=routing.auto_approve,
                             audit=routing.audit, reasons=reasons, decision_id=decision_id, audit_id=audit_id,
                             outbox=outbox)
            from .feature_rows import RoutingRecorded

            return RoutingRecorded(routing_id, decision_id, audit_id)

    async def scores_by_reviewer(self, draft_id: int) -> dict[str, dict[str, int]]:
        """reviewer (a person, or a scoring model under its name) -> dimension -> score, for `min_score`."""
        out: dict[str, dict[str, int]] = {}
        for r in await self.fetchall("SELECT reviewer, dimension, value FROM scores WHERE draft_id=?", (draft_id,)):
            out.setdefault(r["reviewer"], {})[r["dimension"]] = r["value"]
        return out

    async def routings(self, draft_id: int) -> list[RoutingRow]:
        """What auto-approval decided for a variant, each time it was routed, oldest first."""
        from .report_rows import RoutingRow

        rows = await self.fetchall("SELECT * FROM routings WHERE draft_id=? ORDER BY id", (draft_id,))
        return [RoutingRow.from_row(r | {"reasons": json.loads(r["reasons"])}) for r in rows]

    async def audit_queue(self, include_done: bool = False) -> list[AuditItem]:
        """Audits of auto-approved variants, oldest first (pending only unless include_done)."""
        rows = await self.fetchall(
            """SELECT a.*, r.reasons, r.outbox, b.id AS brief_id, b.name AS brief, b.title, d.variant
               FROM audits a JOIN routings r ON r.id = a.routing_id JOIN drafts d ON d.id = a.draft_id
               JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id"""
            + ("" if include_done else " WHERE a.result IS NULL") + " ORDER BY a.created_at, a.id")
        from .feature_rows import AuditItem

        return [AuditItem(r["id"], r["draft_id"], r["brief_id"], r["brief"], r["title"], r["variant"],
                          tuple(json.loads(r["reasons"])), r["outbox"], r["audit_by"], r["created_at"], r["result"],
                          r["reviewer"], r["reason"]) for r in rows]

    async def resolve_audit(self, audit_id: int, result: str, reason: str = "") -> AuditItem:
        """A person upholds or overturns an auto-approval. Overturning undoes its decision in the same
        transaction (the brief goes back to the queue); the caller removes the outbox file it names."""
        if result not in AUDIT_RESULTS:
            raise StoreError(f"an audit is {' or '.join(AUDIT_RESULTS)}, not {result!r}")
        if result == "overturned" and not reason.strip():
            raise StoreError("say why the auto-approval is overturned")
        async with self.tx() as db:
            row = await (await db.execute("SELECT * FROM audits WHERE id=?", (audit_id,))).fetchone()
            if row is None:
                raise StoreError(f"there is no audit {audit_id}")
            if row["result"] is not None:
                raise StoreError(f"audit {audit_id} was already {row['result']} by {row['reviewer']}")
            now = time.time()
            await db.execute("UPDATE audits SET result=?, reason=?, reviewer=?, decided_at=? WHERE id=?",
                             (result, reason.strip(), self.reviewer, now, audit_id))
            brief_id = await self._brief_of(db, row["draft_id"])
            if result == "overturned" and row["decision_id"] is not None:
                await db.execute("UPDATE decisions SET undone=1 WHERE id=?", (row["decision_id"],))
                await self.event(db, "decision_undone", brief_id=brief_id, draft_id=row["draft_id"],
                                 decision_id=row["decision_id"], decision="approve", by_audit=audit_id)
            await self.event(db, "audit", brief_id=brief_id, draft_id=row["draft_id"], audit_id=audit_id,
                             result=result, reason=reason.strip(), decision_id=row["decision_id"])
        return next(a for a in await self.audit_queue(include_done=True) if a.id == audit_id)

    async def approval_outcomes(self) -> list[ApprovalOutcome]:
        """How each approved variant got there: auto (with its audit) or by a person. An auto-approval overturned
        in audit still counts as auto-approved (and overturned); one a person undid otherwise does not count."""
        from ..analytics.policy import ApprovalOutcome

        auto = await self.fetchall(
            """SELECT x.undone, a.id AS audit_id, a.result FROM routings r JOIN decisions x ON x.id = r.decision_id
               LEFT JOIN audits a ON a.routing_id = r.id""")
        human = await self.fetchone(
            """SELECT COUNT(*) AS n FROM decisions x WHERE x.undone = 0 AND x.kind IN ('approve', 'override')
               AND NOT EXISTS (SELECT 1 FROM routings r WHERE r.decision_id = x.id)""")
        outcomes = [ApprovalOutcome("auto", r["audit_id"] is not None, r["result"]) for r in auto
                    if not r["undone"] or r["result"] == "overturned"]
        return outcomes + [ApprovalOutcome("human")] * human["n"]

    # ------------------------------------------------------------------ calibration re-shows

    async def set_reshow_score(self, draft_id: int, dimension: str, value: int) -> None:
        """This reviewer's score on a calibration re-show: logged, kept apart from the live scores."""
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            await db.execute("INSERT INTO reshow_scores (draft_id, dimension, value, reviewer, created_at) VALUES "
                             "(?, ?, ?, ?, ?) ON CONFLICT (draft_id, dimension, reviewer) DO UPDATE SET "
                             "value=excluded.value, created_at=excluded.created_at",
                             (draft_id, dimension, value, self.reviewer, time.time()))
            await self.event(db, "reshow_score", brief_id=brief_id, draft_id=draft_id, dimension=dimension,
                             value=value)

    async def reshow_candidates(self) -> list[ReshowCandidate]:
        """Judged variants (an active decision and at least one score) with who scored them live, when they were
        decided, and who has re-scored which dimensions: the input of `analytics.reshow.due_reshows`."""
        from ..analytics.reshow import ReshowCandidate

        rows = await self.fetchall(
            """SELECT d.id AS draft_id, b.name AS brief, b.title, d.variant,
                      (SELECT MAX(x.created_at) FROM decisions x WHERE x.draft_id = d.id AND x.undone = 0)
                          AS decided_at
               FROM drafts d JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
               WHERE b.deleted = 0 AND EXISTS (SELECT 1 FROM decisions x WHERE x.draft_id = d.id AND x.undone = 0)
                 AND EXISTS (SELECT 1 FROM scores s WHERE s.draft_id = d.id)
               ORDER BY d.id""")
        scorers: dict[int, set[str]] = {}
        for s in await self.fetchall("SELECT DISTINCT draft_id, reviewer FROM scores"):
            scorers.setdefault(s["draft_id"], set()).add(s["reviewer"])
        rescored: dict[int, dict[str, set[str]]] = {}
        for s in await self.fetchall("SELECT draft_id, reviewer, dimension FROM reshow_scores"):
            rescored.setdefault(s["draft_id"], {}).setdefault(s["reviewer"], set()).add(s["dimension"])
        return [ReshowCandidate(r["draft_id"], r["brief"], r["title"], r["variant"], r["decided_at"],
                                frozenset(scorers.get(r["draft_id"], ())),
                                {who: frozenset(dims) for who, dims in rescored.get(r["draft_id"], {}).items()})
                for r in rows]

    # ------------------------------------------------------------------ agreement inputs

    async def ratings(self) -> list[Rating]:
        """Every score as a `Rating`: live scores, then calibration re-show scores (reshow=True)."""
        from ..analytics.agreement import Rating

        live = await self.fetchall("SELECT draft_id, reviewer, dimension, value, created_at FROM scores")
        again = await self.fetchall("SELECT draft_id, reviewer, dimension, value, created_at FROM reshow_scores")
        return ([Rating(r["draft_id"], r["reviewer"], r["dimension"], r["value"], r["created_at"]) for r in live]
                + [Rating(r["draft_id"], r["reviewer"], r["dimension"], r["value"], r["created_at"], True)
                   for r in again])

    async def gold(self) -> dict[tuple[int, str], int]:
        """(draft id, dimension) -> expected score, for every variant of a brief version that carries
        `expected_scores` (a gold item)."""
        out = {}
        for r in await self.fetchall("SELECT d.id AS draft_id, v.fields FROM drafts d JOIN brief_versions v "
                                     "ON v.id = d.brief_version_id WHERE v.fields LIKE '%expected_scores%'"):
            for dim, value in (json.loads(r["fields"]).get("expected_scores") or {}).items():
                out[(r["draft_id"], dim)] = value
        return out

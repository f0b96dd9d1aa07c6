"""Read-only reports from the log: statistics and per-draft export rows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .base import Database

if TYPE_CHECKING:
    from .report_rows import Event, ScoreRow, VariantReport

_FINAL_ROWS = """
SELECT d.id AS draft_id, d.variant, d.model, d.label, b.id AS brief_id, b.name AS brief, b.title,
       v.version AS brief_version,
       (SELECT text FROM revisions WHERE draft_id = d.id ORDER BY id DESC LIMIT 1) AS text,
       (SELECT text FROM revisions WHERE draft_id = d.id AND kind = 'ai' ORDER BY id DESC LIMIT 1) AS ai_text,
       (SELECT status FROM revisions WHERE draft_id = d.id AND kind = 'ai' ORDER BY id DESC LIMIT 1) AS status,
       (SELECT prompt_version FROM revisions WHERE draft_id = d.id AND kind = 'ai' ORDER BY id DESC LIMIT 1)
           AS prompt_version,
       (SELECT MAX(number) FROM revisions WHERE draft_id = d.id AND kind = 'ai') AS ai_revisions,
       (SELECT kind FROM decisions WHERE draft_id = d.id AND undone = 0 ORDER BY id DESC LIMIT 1) AS decision,
       (SELECT reason FROM decisions WHERE draft_id = d.id AND undone = 0 ORDER BY id DESC LIMIT 1) AS reason,
       (SELECT reviewer FROM decisions WHERE draft_id = d.id AND undone = 0 ORDER BY id DESC LIMIT 1) AS reviewer,
       d.created_at
FROM drafts d JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
ORDER BY b.name, v.version, d.variant, d.id
"""


class ReportOps(Database):
    async def draft_rows(self) -> list[VariantReport]:
        """One row per variant in its final state: text, decision, scores, human edit rate."""
        from ..metrics import edit_rate, variant_scores
        from .report_rows import VariantReport

        rows = await self.fetchall(_FINAL_ROWS)
        given = await self.fetchall("SELECT draft_id, dimension, reviewer, value FROM scores "
                                    "ORDER BY draft_id, reviewer, dimension")
        combined: dict[int, dict[str, float]] = {}
        for (draft_id, dim), value in sorted(variant_scores(given).items()):
            combined.setdefault(draft_id, {})[dim] = round(value, 2)
        own: dict[int, dict[str, dict[str, int]]] = {}
        for s in given:
            own.setdefault(s["draft_id"], {}).setdefault(s["reviewer"], {})[s["dimension"]] = s["value"]
        return [VariantReport.from_row(row, scores=combined.get(row["draft_id"], {}),
                                       reviewer_scores=own.get(row["draft_id"], {}),
                                       edit_rate=edit_rate(row["ai_text"] or "", row["text"] or ""))
                for row in rows]

    async def score_rows(self) -> list[ScoreRow]:
        """Every score as given, one row per reviewer, variant and dimension (for agreement between reviewers)."""
        from .report_rows import ScoreRow

        return [ScoreRow.from_row(r) for r in await self.fetchall(
            """SELECT s.draft_id, b.name AS brief, v.version AS brief_version, d.variant, d.model, s.dimension,
                      s.reviewer, s.value, s.created_at
               FROM scores s JOIN drafts d ON d.id = s.draft_id JOIN brief_versions v ON v.id = d.brief_version_id
               JOIN briefs b ON b.id = v.brief_id ORDER BY s.draft_id, s.dimension, s.reviewer""")]

    async def stats(self) -> dict:
        from ..metrics import compute_stats, edit_rate
        from .drafts import BriefDraftOps

        assert isinstance(self, BriefDraftOps)
        statuses = [b.status for b in await self.list_briefs()]
        decisions = await self.fetchall(
            """SELECT x.brief_id, x.kind, d.model,
                      (SELECT MAX(number) FROM revisions r WHERE r.draft_id = d.id AND r.kind = 'ai') = 1
                        AND NOT EXISTS (SELECT 1 FROM decisions y WHERE y.brief_id = x.brief_id
                                        AND y.kind = 'reject' AND y.id < x.id AND y.undone = 0) AS first_pass
               FROM decisions x JOIN drafts d ON d.id = x.draft_id WHERE x.undone = 0""")
        scores = await self.fetchall("SELECT s.draft_id, s.dimension, s.reviewer, s.value, d.model FROM scores s "
                                     "JOIN drafts d ON d.id = s.draft_id")
        edits = []
        for row in await self.fetchall(
                """SELECT d.model,
                          (SELECT text FROM revisions WHERE draft_id = d.id ORDER BY id DESC LIMIT 1) AS final,
                          (SELECT text FROM revisions WHERE draft_id = d.id AND kind = 'ai'
                           ORDER BY id DESC LIMIT 1) AS ai
                   FROM drafts d WHERE EXISTS (SELECT 1 FROM decisions x WHERE x.draft_id = d.id
                                               AND x.undone = 0 AND x.kind IN ('approve', 'override'))"""):
            edits.append({"model": row["model"], "rate": edit_rate(row["ai"] or "", row["final"] or "")})
        failures = await self.fetchall("SELECT gate, COUNT(*) AS count FROM gate_results WHERE status = 'fail' "
                                       "GROUP BY gate")
        stats = compute_stats(statuses, decisions, scores, edits, failures)
        stats["events"] = (await self.fetchone("SELECT COUNT(*) AS n FROM events"))["n"]
        from .feedback import FeedbackOps
        from .learning import LearningOps

        assert isinstance(self, FeedbackOps) and isinstance(self, LearningOps)
        stats["feedback_addressed"] = await self.feedback_addressed()  # per model and prompt version
        stats.update(await self.learning_stats())  # win rates, review analytics, results, charts
        return stats

    async def actors(self, leave_out: tuple[str, ...] = ()) -> list[str]:
        """Everyone who has acted in the log (but `leave_out`), by name."""
        where = f"WHERE reviewer NOT IN ({','.join('?' * len(leave_out))})" if leave_out else ""
        rows = await self.fetchall(f"SELECT DISTINCT reviewer FROM events {where} ORDER BY reviewer", leave_out)
        return [r["reviewer"] for r in rows]

    async def events(self, limit: int | None = None) -> list[Event]:
        """The log, oldest first, each payload decoded."""
        from .report_rows import Event

        sql = "SELECT * FROM events ORDER BY id" + (f" LIMIT {int(limit)}" if limit else "")
        return [Event.from_row(row | {"payload": json.loads(row["payload"])}) for row in await self.fetchall(sql)]

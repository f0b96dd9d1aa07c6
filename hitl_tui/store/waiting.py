"""What the queue needs to say what each brief waits on, read in a few queries for the whole workspace."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .review import ReviewOps
from .signing import claim_record_from_row, signoff_from_row

if TYPE_CHECKING:
    from .report_rows import QueueBrief

_VARIANTS = """
SELECT b.id AS brief_id, d.id AS draft_id, d.variant,
       (SELECT text FROM revisions WHERE draft_id = d.id ORDER BY id DESC LIMIT 1) AS text,
       (SELECT status FROM revisions WHERE draft_id = d.id AND kind = 'ai' ORDER BY id DESC LIMIT 1) AS status,
       (SELECT kind FROM decisions WHERE draft_id = d.id AND undone = 0 ORDER BY id DESC LIMIT 1) AS decision,
       (SELECT COUNT(*) FROM gate_results g WHERE g.status = 'fail' AND g.required = 1
          AND g.revision_id = (SELECT MAX(g2.revision_id) FROM gate_results g2 JOIN revisions r2
                               ON r2.id = g2.revision_id WHERE r2.draft_id = d.id)) AS failing_required
FROM briefs b JOIN drafts d ON d.brief_version_id = b.current_version_id
WHERE b.deleted = 0 ORDER BY b.id, d.variant, d.id"""


class WaitingOps(ReviewOps):
    async def queue_variants(self) -> dict[int, QueueBrief]:
        """brief id -> its current version's fields and variants, each with its current text, AI status, active
        decision, required gates failing at its last check, sign-offs and claim records (`claim_sources`)."""
        from .report_rows import QueueBrief, QueueVariant

        briefs = {r["id"]: QueueBrief(json.loads(r["fields"])) for r in await self.fetchall(
            "SELECT b.id, v.fields FROM briefs b JOIN brief_versions v ON v.id = b.current_version_id "
            "WHERE b.deleted = 0")}
        variants = {}
        for row in await self.fetchall(_VARIANTS):
            variant = variants[row["draft_id"]] = QueueVariant.from_row(row)
            briefs[variant.brief_id].variants.append(variant)
        current = ("SELECT d.id FROM briefs b JOIN drafts d ON d.brief_version_id = b.current_version_id "
                   "WHERE b.deleted = 0")
        for s in await self.fetchall(f"SELECT * FROM signoffs WHERE undone = 0 AND draft_id IN ({current}) "
                                     "ORDER BY id"):
            variants[s["draft_id"]].signoffs.append(signoff_from_row(s))
        for c in await self.fetchall(f"SELECT * FROM claim_sources WHERE draft_id IN ({current})"):
            variants[c["draft_id"]].claims.append(claim_record_from_row(c))
        return briefs

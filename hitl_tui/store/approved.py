"""Approved pieces, as the learning core reads them (issue 12): the edits reviewers made before approving (rule
mining) and the approved texts with their scores and published performance (voice memory).

An approved piece is a variant with an approve or override decision that was not undone. Its text is the revision
the decision was taken on (a reviewer's edit, or the AI's text approved unchanged); the AI text it was edited from
is the variant's latest AI revision up to that one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .base import Database

if TYPE_CHECKING:  # annotations only: the store loads before the first frame, the learning core after it
    from ..learning.mining import ApprovedEdit
    from ..learning.voice_memory import ApprovedPiece

_APPROVED = """
SELECT x.id AS decision_id, x.reviewer, x.created_at AS approved_at, x.draft_id, b.id AS brief_id, b.name AS brief,
       v.fields, r.id AS revision_id, r.text,
       (SELECT a.text FROM revisions a WHERE a.draft_id = x.draft_id AND a.kind = 'ai' AND a.id <= r.id
        ORDER BY a.id DESC LIMIT 1) AS ai_text
FROM decisions x
JOIN revisions r ON r.id = COALESCE(x.revision_id, (SELECT MAX(id) FROM revisions WHERE draft_id = x.draft_id))
JOIN drafts d ON d.id = x.draft_id JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
WHERE x.undone = 0 AND x.kind IN ('approve', 'override') {where}
ORDER BY x.id
"""


def _field(row: dict, name: str) -> str:
    return str(json.loads(row["fields"] or "{}").get(name) or "")


class ApprovedOps(Database):
    async def approved_edits(self) -> list[ApprovedEdit]:
        """Every approved piece as the AI wrote it and as it was approved. `piece` is the brief's id, so a brief's
        re-approved versions and approved sibling variants count once when mining."""
        from ..learning.mining import ApprovedEdit

        return [ApprovedEdit(r["brief_id"], r["ai_text"] or "", r["text"], brief=r["brief"], reviewer=r["reviewer"],
                             channel=_field(r, "channel"), voice=_field(r, "voice"))
                for r in await self.fetchall(_APPROVED.format(where=""))]

    async def approved_pieces(self, channel: str | None = None) -> list[ApprovedPiece]:
        """Approved texts (of one channel, when given) with their mean score and, once published results were
        imported, their performance (click-through rate, else open rate)."""
        from ..learning.voice_memory import ApprovedPiece

        where, params = "", ()
        if channel is not None:
            where, params = "AND LOWER(COALESCE(json_extract(v.fields, '$.channel'), '')) = LOWER(?)", (channel,)
        rows = await self.fetchall(_APPROVED.format(where=where), params)
        scores = {r["draft_id"]: r["mean"] for r in await self.fetchall(  # each reviewer counts once, as in stats
            "SELECT draft_id, AVG(own) AS mean FROM (SELECT draft_id, AVG(value) AS own FROM scores "
            "GROUP BY draft_id, reviewer) GROUP BY draft_id")}
        performance = await self._performance()
        return [ApprovedPiece(r["revision_id"], r["text"], brief=r["brief"], channel=_field(r, "channel"),
                              voice=_field(r, "voice"), score=scores.get(r["draft_id"]),
                              performance=performance.get(r["draft_id"]), approved_at=r["approved_at"])
                for r in rows if (r["text"] or "").strip()]

    async def _performance(self) -> dict[int, float]:
        """draft id -> published click-through rate (else open rate), from the `results` table of issue 11 when
        this log has one; {} before any result was imported."""
        if not await self.fetchone("SELECT 1 FROM sqlite_master WHERE type='table' AND name='results'"):
            return {}
        rows = await self.fetchall(
            "SELECT draft_id, SUM(impressions) AS shown, SUM(clicks) AS clicks, SUM(opens) AS opens FROM results "
            "WHERE draft_id IS NOT NULL GROUP BY draft_id")
        out = {}
        for r in rows:
            if r["shown"] and r["clicks"] is not None:
                out[r["draft_id"]] = r["clicks"] / r["shown"]
            elif r["shown"] and r["opens"] is not None:
                out[r["draft_id"]] = r["opens"] / r["shown"]
        return out

"""Published results in the log (table `results`): importing a parsed file in one transaction, and reading them back.

A row is one piece on one day. Re-importing a (piece, day) that is already there replaces its figures: the newest
import of a day wins, so importing the same file twice counts nothing twice, and a corrected export from the ad
platform corrects the numbers. Each import is one transaction with one `results_imported` event (file, counts).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from .base import Database

if TYPE_CHECKING:
    from ..analytics.results import PieceFacts, PieceTotals, ResultRow
    from .report_rows import DraftFacts, PieceOrigin

FIGURES = ("impressions", "opens", "clicks", "conversions", "spend", "revenue")


class ResultOps(Database):
    async def import_results(self, rows: list[ResultRow], drafts: dict[str, int | None], *, source: str = "",
                             digest: str = "") -> dict[str, int]:
        """Write parsed rows (all or none). drafts: piece → the draft it was approved from (None if unknown).
        Returns how many rows were new, updated (other figures than before) and unchanged."""
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        now = time.time()
        async with self.tx() as db:
            for r in rows:
                values = tuple(getattr(r, f) for f in FIGURES)
                extra = json.dumps(dict(r.extra), ensure_ascii=False, sort_keys=True, default=str)
                old = await (await db.execute(
                    f"SELECT id, {', '.join(FIGURES)}, extra FROM results WHERE piece = ? AND day = ?",
                    (r.piece, r.day.isoformat()))).fetchone()
                if old is None:
                    await db.execute(
                        f"INSERT INTO results (piece, draft_id, day, {', '.join(FIGURES)}, extra, source, reviewer, "
                        f"imported_at) VALUES (?, ?, ?, {', '.join('?' * len(FIGURES))}, ?, ?, ?, ?)",
                        (r.piece, drafts.get(r.piece), r.day.isoformat(), *values, extra, source, self.reviewer,
                         now))
                    counts["new"] += 1
                elif tuple(old[f] for f in FIGURES) == values and old["extra"] == extra:
                    counts["unchanged"] += 1
                else:
                    await db.execute(
                        f"UPDATE results SET draft_id = ?, {', '.join(f'{f} = ?' for f in FIGURES)}, extra = ?, "
                        f"source = ?, reviewer = ?, imported_at = ? WHERE id = ?",
                        (drafts.get(r.piece), *values, extra, source, self.reviewer, now, old["id"]))
                    counts["updated"] += 1
            await self.event(db, "results_imported", source=source, sha256=digest, rows=len(rows), **counts)
        return counts

    async def result_rows(self) -> list[ResultRow]:
        """Every imported row, as parsed (extra columns included)."""
        from datetime import date

        from ..analytics.results import ResultRow

        rows = await self.fetchall("SELECT * FROM results ORDER BY piece, day")
        return [ResultRow(0, r["piece"], date.fromisoformat(r["day"]), *(r[f] for f in FIGURES),
                          extra=json.loads(r["extra"])) for r in rows]

    async def result_totals(self) -> tuple[list[PieceTotals], dict[str, int]]:
        """(each piece's rows summed in SQL, as `results.totals_of` sums them; piece → the draft it came from)."""
        from ..analytics.results import RATES, PieceTotals

        usable = {name: f"{num} IS NOT NULL AND {den} > 0" for name, num, den in RATES}
        rows = await self.fetchall(
            f"""SELECT piece, MAX(draft_id) AS draft_id, COUNT(*) AS n, {', '.join(f'SUM({f}) AS {f}' for f in FIGURES)},
                       {', '.join(f'SUM(CASE WHEN {usable[name]} THEN {num} END) AS {name}_hits, '
                                  f'SUM(CASE WHEN {usable[name]} THEN {den} END) AS {name}_trials, '
                                  f'SUM({usable[name]}) AS {name}_rows' for name, num, den in RATES)}
                FROM results GROUP BY piece ORDER BY piece""")
        totals = [PieceTotals(r["piece"], r["n"], {f: r[f] for f in FIGURES},
                              {name: (r[f"{name}_hits"] or 0, r[f"{name}_trials"] or 0, r[f"{name}_rows"])
                               for name, _, _ in RATES}) for r in rows]
        return totals, {r["piece"]: r["draft_id"] for r in rows if r["draft_id"] is not None}

    @staticmethod
    def piece_facts(drafts: dict[str, int], facts: list[DraftFacts]) -> dict[str, PieceFacts]:
        """piece → what the station knows of it (model, prompt version, channel, mean rubric score), from the
        `draft_facts` rows of the drafts the pieces were approved from."""
        from ..analytics.results import PieceFacts

        by_draft = {f.draft_id: f for f in facts}
        out = {}
        for piece, draft_id in drafts.items():
            f = by_draft.get(draft_id)
            if f is not None:
                score = round(sum(f.scores.values()) / len(f.scores), 2) if f.scores else None
                out[piece] = PieceFacts(piece, f.model, f.prompt_version, f.channel or "", score)
        return out

    async def pieces_ever_approved(self) -> list[PieceOrigin]:
        """Every draft ever approved (an approval undone later included: its piece may have been published), with
        its model, its brief's file name and the creation time of each of its AI revisions — what an outbox piece id
        is made of (`outbox.piece_id`) — and whether its approval still stands. (Not `approved_pieces`: that is
        issue 12's approved texts for voice memory.)"""
        from .report_rows import PieceOrigin

        return [PieceOrigin.from_row(r) for r in await self.fetchall(
            """SELECT d.id AS draft_id, d.model, b.name AS brief, r.created_at AS drafted_at,
                      EXISTS (SELECT 1 FROM active_decisions a WHERE a.draft_id = d.id
                              AND a.kind IN ('approve', 'override')) AS active
               FROM drafts d JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
               JOIN revisions r ON r.draft_id = d.id AND r.kind = 'ai'
               WHERE d.id IN (SELECT draft_id FROM decisions WHERE kind IN ('approve', 'override'))
               ORDER BY d.id, r.id""")]

"""Blind pairwise comparison: which pairs a reviewer still has to judge, and their picks (table `picks`).

The compare view calls `next_pair(version_id, plan=...)` to get the next pair to show (sides already shuffled),
`record_pick(pair, "left" | "right" | "tie" | "skip")` when the reviewer decides, and `undo_last_pick(version_id)` to
take the last one back. Every pick is one transaction with its `preference` event.

Which pairs: the finished variants of one brief version (latest AI revision done, with text), as a `plan`:
- "all" — every pair of them (n·(n−1)/2);
- "ring" — each variant against the next one, the last against the first (n pairs for n ≥ 3): far fewer judgments
  with 6–8 variants, and the comparison graph stays connected, which is what the Bradley–Terry fit needs.
A pair counts as judged for a reviewer once they have a pick on it that stands (not undone), a skip included. Pairs
are keyed by the two drafts, not their texts: editing a variant after judging it does not ask for its pairs again.

Order and sides are random but seeded by (brief version, reviewer, pair): reopening the view shows the same pair on
the same sides, and two reviewers see different orders. The texts shown are each variant's latest revision (the
reviewer's edit, if any), and the pick stores those revision ids — what was actually compared.
"""

from __future__ import annotations

import random
import time
from itertools import combinations
from typing import TYPE_CHECKING

from .base import Database, StoreError

if TYPE_CHECKING:
    from .feature_rows import ComparePair, CompareSide
    from .report_rows import LabelledPick, Pick

PICKS = ("left", "right", "tie", "skip")
PLANS = ("all", "ring")


def plan_pairs(draft_ids: list[int], plan: str = "all") -> list[tuple[int, int]]:
    """The unordered pairs (lower id first) a plan asks for among variants given in variant order."""
    if plan not in PLANS:
        raise ValueError(f"unknown compare plan {plan!r}: choose {' or '.join(PLANS)}")
    if plan == "ring" and len(draft_ids) > 2:
        ring = zip(draft_ids, draft_ids[1:] + draft_ids[:1])
    else:
        ring = combinations(draft_ids, 2)
    return sorted({(min(a, b), max(a, b)) for a, b in ring})


class PickOps(Database):
    async def _finished_variants(self, version_id: int) -> list[dict]:
        return await self.fetchall(
            """SELECT d.id AS draft_id, d.variant, d.model, d.label, v.brief_id,
                      (SELECT MAX(id) FROM revisions WHERE draft_id = d.id) AS revision_id,
                      ai.status
               FROM drafts d JOIN brief_versions v ON v.id = d.brief_version_id
               JOIN revisions ai ON ai.id = (SELECT MAX(id) FROM revisions WHERE draft_id = d.id AND kind = 'ai')
               WHERE d.brief_version_id = ? AND ai.status = 'done' AND ai.text <> ''
               ORDER BY d.variant, d.id""", (version_id,))

    async def _judged(self, version_id: int, reviewer: str) -> set[tuple[int, int]]:
        rows = await self.fetchall("SELECT left_draft_id AS a, right_draft_id AS b FROM picks "
                                   "WHERE brief_version_id = ? AND reviewer = ? AND undone = 0",
                                   (version_id, reviewer))
        return {(min(r["a"], r["b"]), max(r["a"], r["b"])) for r in rows}

    async def _plan(self, version_id: int, reviewer: str, plan: str
                    ) -> tuple[dict[int, dict], list[tuple[int, int]], int]:
        variants = await self._finished_variants(version_id)
        wanted = plan_pairs([v["draft_id"] for v in variants], plan)
        random.Random(f"{version_id}:{reviewer}").shuffle(wanted)
        judged = await self._judged(version_id, reviewer)
        return {v["draft_id"]: v for v in variants}, [p for p in wanted if p not in judged], len(wanted)

    async def pairs_to_judge(self, version_id: int, reviewer: str | None = None, *,
                             plan: str = "all") -> tuple[list[tuple[int, int]], int]:
        """(the pairs of draft ids still to judge, in the order they will be shown; how many the plan asks for)."""
        _, todo, total = await self._plan(version_id, reviewer or self.reviewer, plan)
        return todo, total

    async def next_pair(self, version_id: int, reviewer: str | None = None, *,
                        plan: str = "all") -> ComparePair | None:
        """The next pair this reviewer has to judge in the brief version, or None when every pair is judged (or
        fewer than two variants have finished)."""
        reviewer = reviewer or self.reviewer
        variants, todo, total = await self._plan(version_id, reviewer, plan)
        if not todo:
            return None
        a, b = todo[0]
        texts = {r["id"]: r["text"] for r in await self.fetchall(
            "SELECT id, text FROM revisions WHERE id IN (?, ?)",
            (variants[a]["revision_id"], variants[b]["revision_id"]))}
        if random.Random(f"{version_id}:{reviewer}:{a}:{b}").random() < 0.5:
            a, b = b, a

        from .feature_rows import ComparePair, CompareSide

        def side(draft_id: int) -> CompareSide:
            v = variants[draft_id]
            return CompareSide(draft_id, v["revision_id"], texts[v["revision_id"]], v["variant"], v["model"],
                               v["label"])

        judged = total - len(todo)
        return ComparePair(version_id, variants[a]["brief_id"], side(a), side(b), judged + 1, total, judged)

    async def record_pick(self, pair: ComparePair, pick: str, *, seconds: float | None = None) -> int:
        """Store the reviewer's pick on a pair as it was shown ("left", "right", "tie" or "skip") with its event.
        A pick of theirs that stands on the same two drafts is replaced (marked undone): one vote per person."""
        if pick not in PICKS:
            raise ValueError(f"pick must be one of {', '.join(PICKS)}, not {pick!r}")
        left, right = pair.left, pair.right
        now = time.time()
        async with self.tx() as db:
            rows = await (await db.execute(
                "SELECT id, brief_version_id FROM drafts WHERE id IN (?, ?)",
                (left.draft_id, right.draft_id))).fetchall()
            if len(rows) != 2 or {r["brief_version_id"] for r in rows} != {pair.brief_version_id}:
                raise StoreError("a pick compares two different variants of one brief version")
            earlier = [r[0] for r in await (await db.execute(
                "SELECT id FROM picks WHERE brief_version_id = ? AND reviewer = ? AND undone = 0 AND "
                "((left_draft_id = ? AND right_draft_id = ?) OR (left_draft_id = ? AND right_draft_id = ?))",
                (pair.brief_version_id, self.reviewer, left.draft_id, right.draft_id, right.draft_id,
                 left.draft_id))).fetchall()]
            if earlier:
                await db.execute(f"UPDATE picks SET undone = 1 WHERE id IN ({','.join('?' * len(earlier))})",
                                 earlier)
            cur = await db.execute(
                "INSERT INTO picks (brief_version_id, left_draft_id, left_revision_id, right_draft_id, "
                "right_revision_id, pick, reviewer, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pair.brief_version_id, left.draft_id, left.revision_id, right.draft_id, right.revision_id, pick,
                 self.reviewer, seconds, now))
            await self.event(db, "preference", brief_id=pair.brief_id, pick_id=cur.lastrowid, pick=pick,
                             brief_version_id=pair.brief_version_id,
                             left={"draft_id": left.draft_id, "revision_id": left.revision_id},
                             right={"draft_id": right.draft_id, "revision_id": right.revision_id},
                             seconds=seconds, replaces=earlier or None)
            return cur.lastrowid

    async def undo_last_pick(self, version_id: int) -> int | None:
        """Take back this reviewer's latest standing pick in the brief version (the pair is asked again);
        returns its id, or None when there is none."""
        async with self.tx() as db:
            row = await (await db.execute(
                "SELECT p.id, p.pick, v.brief_id FROM picks p JOIN brief_versions v ON v.id = p.brief_version_id "
                "WHERE p.brief_version_id = ? AND p.reviewer = ? AND p.undone = 0 ORDER BY p.id DESC LIMIT 1",
                (version_id, self.reviewer))).fetchone()
            if row is None:
                return None
            await db.execute("UPDATE picks SET undone = 1 WHERE id = ?", (row["id"],))
            await self.event(db, "preference_undone", brief_id=row["brief_id"], pick_id=row["id"], pick=row["pick"])
            return row["id"]

    async def my_picks(self, version_id: int, reviewer: str | None = None) -> list[LabelledPick]:
        """A reviewer's picks that stand on a brief version, oldest first, with each side's label (its model when it
        has none): what the compare view sums up once every pair is judged."""
        from .report_rows import LabelledPick

        return [LabelledPick.from_row(r) for r in await self.fetchall(
            """SELECT p.id, p.pick, COALESCE(NULLIF(ld.label, ''), ld.model) AS left_label,
                      COALESCE(NULLIF(rd.label, ''), rd.model) AS right_label
               FROM picks p JOIN drafts ld ON ld.id = p.left_draft_id JOIN drafts rd ON rd.id = p.right_draft_id
               WHERE p.brief_version_id = ? AND p.reviewer = ? AND p.undone = 0 ORDER BY p.id""",
            (version_id, reviewer or self.reviewer))]

    async def picks(self, version_id: int | None = None) -> list[Pick]:
        """Picks that stand (skips included), oldest first; of one brief version or all."""
        from .report_rows import Pick

        where = "undone = 0" + (" AND brief_version_id = ?" if version_id is not None else "")
        return [Pick.from_row(r) for r in await self.fetchall(f"SELECT * FROM picks WHERE {where} ORDER BY id",
                                                              (version_id,) if version_id is not None else ())]

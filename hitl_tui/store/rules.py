"""Rule proposals in the log (issue 12): patterns mined from approved edits, and what reviewers decided about them.

A proposal is recorded `open` the first time mining finds it (event `rule_proposed`); its piece count and
examples follow later mining while it is open (`rule_proposal_grew`). A reviewer accepts (with the kind it was
accepted as), rejects or ignores it (`rule_accepted` / `rule_rejected` / `rule_ignored`); an ignored one is mined
again once it has spread to more pieces than when it was ignored, and then opens again (`rule_reopened`). The rule
an accepted proposal became lives in the workspace's learned-rules.toml (`feedback_loop/rules.py` writes both).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Iterable

from .base import Database, StoreError

if TYPE_CHECKING:  # annotations only: the store loads before the first frame, the learning core after it
    from ..learning.mining import Proposal
    from .report_rows import RuleProposalRow

DECIDED = ("accepted", "rejected", "ignored")


def _row(row) -> RuleProposalRow:
    from .report_rows import RuleProposalRow

    return RuleProposalRow.from_row(dict(row) | {"proposal": json.loads(row["proposal"])})


class RuleProposalOps(Database):
    async def proposal_filters(self) -> tuple[set[str], dict[str, int]]:
        """What mining should leave out: ids accepted or rejected, and {ignored id: pieces when ignored}."""
        rows = await self.fetchall("SELECT id, status, decided_pieces FROM rule_proposals WHERE status <> 'open'")
        skip = {r["id"] for r in rows if r["status"] in ("accepted", "rejected")}
        held = {r["id"]: r["decided_pieces"] or 0 for r in rows if r["status"] == "ignored"}
        return skip, held

    async def sync_proposals(self, proposals: Iterable[Proposal]) -> int:
        """Record what mining found (new ones open, open ones updated, ignored ones that spread reopened), in one
        transaction. Returns how many rows changed."""
        now, changed = time.time(), 0
        async with self.tx() as db:
            for p in proposals:
                body = json.dumps(p.to_dict(), ensure_ascii=False)
                row = await (await db.execute("SELECT status, pieces FROM rule_proposals WHERE id=?",
                                              (p.id,))).fetchone()
                if row is None:
                    await db.execute(
                        "INSERT INTO rule_proposals (id, kind, pattern, replacement, status, pieces, proposal, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                        (p.id, p.kind, p.before, p.after, p.pieces, body, now, now))
                    await self.event(db, "rule_proposed", proposal_id=p.id, pattern_kind=p.kind, summary=p.summary,
                                     pieces=p.pieces)
                elif row["status"] == "open" and row["pieces"] != p.pieces:
                    await db.execute("UPDATE rule_proposals SET pieces=?, proposal=?, updated_at=? WHERE id=?",
                                     (p.pieces, body, now, p.id))
                    await self.event(db, "rule_proposal_grew", proposal_id=p.id, pieces=p.pieces,
                                     previous=row["pieces"])
                elif row["status"] == "ignored":  # mining only returns an ignored one once it has spread further
                    await db.execute("UPDATE rule_proposals SET status='open', pieces=?, proposal=?, updated_at=? "
                                     "WHERE id=?", (p.pieces, body, now, p.id))
                    await self.event(db, "rule_reopened", proposal_id=p.id, pieces=p.pieces)
                else:
                    continue
                changed += 1
        return changed

    async def rule_proposals(self, status: str | None = None) -> list[RuleProposalRow]:
        """Every proposal (or those with one status), open ones first, then most widespread: the table's columns
        with `proposal` decoded (`Proposal.to_dict()`: summary, options, examples, reviewers, channels)."""
        where, params = ("WHERE status=?", (status,)) if status else ("", ())
        rows = await self.fetchall(f"SELECT * FROM rule_proposals {where} ORDER BY status <> 'open', "
                                   "pieces DESC, id", params)
        return [_row(r) for r in rows]

    async def rule_proposal(self, proposal_id: str) -> RuleProposalRow | None:
        row = await self.fetchone("SELECT * FROM rule_proposals WHERE id=?", (proposal_id,))
        return _row(row) if row else None

    async def decide_proposal(self, proposal_id: str, status: str, accepted_as: str | None = None,
                              text: str | None = None) -> RuleProposalRow:
        """Accept (as banned, regex or voice), reject or ignore a proposal, with its event (`text`: the rule's words
        when the reviewer edited them); a decision may be changed later. Returns the row as it was before."""
        if status not in DECIDED:
            raise StoreError(f"a proposal is {', '.join(DECIDED)}, not {status!r}")
        async with self.tx() as db:
            row = await (await db.execute("SELECT * FROM rule_proposals WHERE id=?", (proposal_id,))).fetchone()
            if row is None:
                raise StoreError(f"no rule proposal {proposal_id!r} (`hitl rules` lists them)")
            await db.execute("UPDATE rule_proposals SET status=?, accepted_as=?, decided_by=?, decided_at=?, "
                             "decided_pieces=pieces, updated_at=? WHERE id=?",
                             (status, accepted_as if status == "accepted" else None, self.reviewer, time.time(),
                              time.time(), proposal_id))
            await self.event(db, f"rule_{status}", proposal_id=proposal_id, pattern_kind=row["kind"],
                             summary=json.loads(row["proposal"]).get("summary", ""), pieces=row["pieces"],
                             accepted_as=accepted_as, previous=row["status"],
                             **({"text": text} if text is not None else {}))
            return _row(row)

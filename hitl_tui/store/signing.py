"""Sign-offs bound to the exact text, the claims register, and edits that say which sign-offs they void (issue 13).

Sign-offs are append-only rows; whether one still counts is worked out from the text's hash (approval/signoff.py),
so undoing an edit back to the signed words makes its sign-offs count again. The claims register keeps one row per
(variant, claim id) in `claim_sources` (the store's `claims` table holds brief leases). Every change writes its
event in the same transaction: `sign_off`, `claim_source` (attached or marked removed), `signoff_voided`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from .review import ReviewOps

if TYPE_CHECKING:
    from ..approval.claims import Claim, ClaimRecord, Source
    from ..approval.signoff import SignOff
    from ..briefs import Brief
    from ..gates import GateResult
    from .feature_rows import EditSaved


def signoff_from_row(row) -> SignOff:
    from ..approval.signoff import SignOff

    return SignOff(row["stage"], row["reviewer"], row["text_hash"], row["created_at"])


def claim_record_from_row(row) -> ClaimRecord:
    """A `claim_sources` row as the register's record."""
    from ..approval.claims import ClaimRecord, Source

    source = Source(row["source_kind"], row["source_ref"], row["source_quote"] or "", row["reviewer"],
                    row["updated_at"]) if row["source_kind"] else None
    return ClaimRecord(row["claim_id"], row["kind"], row["text"], source, bool(row["removed"]), row["reviewer"])


class SigningOps(ReviewOps):
    async def brief_for_draft(self, draft_id: int) -> Brief | None:
        """The brief version a variant was drafted from (not necessarily the brief's current version)."""
        from ..briefs import Brief

        row = await self.fetchone("SELECT b.name, b.error, v.fields, v.content_hash FROM drafts d "
                                  "JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id "
                                  "WHERE d.id=?", (draft_id,))
        if row is None:
            return None
        return Brief.from_fields(row["name"], json.loads(row["fields"]), None, row["content_hash"])

    # ------------------------------------------------------------------ sign-offs

    async def sign_offs(self, draft_id: int) -> list[SignOff]:
        """Every sign-off given on the variant (valid or not: validity is the text's hash), oldest first."""
        return await self._sign_offs_in(self.db, draft_id)

    async def _insert_signoff(self, db, draft_id: int, revision_id: int | None, signoff: SignOff,
                              **why) -> int:
        brief_id = await self._brief_of(db, draft_id)
        cur = await db.execute("INSERT INTO signoffs (draft_id, revision_id, stage, reviewer, text_hash, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (draft_id, revision_id, signoff.stage, signoff.reviewer,
                                                             signoff.text_hash, signoff.at))
        await self.event(db, "sign_off", brief_id=brief_id, draft_id=draft_id, revision_id=revision_id,
                         stage=signoff.stage, text_hash=signoff.text_hash, signoff_id=cur.lastrowid, **why)
        return cur.lastrowid

    async def sign_off(self, draft_id: int, revision_id: int | None, signoff: SignOff) -> int:
        """Record a sign-off made by `approval.signoff.sign` (who may sign was checked there)."""
        async with self.tx() as db:
            return await self._insert_signoff(db, draft_id, revision_id, signoff)

    async def undo_sign_off(self, draft_id: int, stage: str) -> bool:
        """Take back this reviewer's latest sign-off of the stage on the variant; False when there is none."""
        async with self.tx() as db:
            row = await (await db.execute("SELECT id FROM signoffs WHERE draft_id=? AND stage=? AND reviewer=? AND "
                                          "undone=0 ORDER BY id DESC LIMIT 1",
                                          (draft_id, stage, self.reviewer))).fetchone()
            if row is None:
                return False
            await db.execute("UPDATE signoffs SET undone=1 WHERE id=?", (row["id"],))
            await self.event(db, "sign_off_undone", brief_id=await self._brief_of(db, draft_id), draft_id=draft_id,
                             stage=stage, signoff_id=row["id"])
            return True

    async def record_approval(self, draft_id: int, revision_id: int | None, *, signoff: SignOff | None,
                              decision: str | None, reason: str = "", gates: list[GateResult] | None = None
                              ) -> tuple[int | None, int | None]:
        """A sign-off and/or the approval decision (approve / override) in one transaction: the last stage's
        sign-off and the piece's approval never exist one without the other. Returns (signoff id, decision id)."""
        async with self.tx() as db:
            signoff_id = decision_id = None
            if signoff is not None:
                signoff_id = await self._insert_signoff(db, draft_id, revision_id, signoff)
            if gates is not None and revision_id is not None:
                await self._write_gates(db, revision_id, gates)
            if decision is not None:
                decision_id = await self._decide(db, draft_id, revision_id, decision, reason, gates)
            return signoff_id, decision_id

    # ------------------------------------------------------------------ edits

    async def save_edit_checked(self, draft_id: int, text: str, session: str) -> EditSaved:
        """`save_edit`, plus in the same transaction: the sign-offs this save voids (logged as `signoff_voided`)
        and the claims register's wording brought up to date (a claim keeps its id, and so its source, while its
        number or quote is unchanged)."""
        from ..approval.claims import find_claims, with_wording
        from ..approval.signoff import describe_voided, voided_by_edit

        async with self.tx() as db:
            before = await (await db.execute("SELECT text FROM revisions WHERE draft_id=? ORDER BY id DESC LIMIT 1",
                                             (draft_id,))).fetchone()
            revision_id = await self._save_edit(db, draft_id, text, session)
            old = before["text"] if before else ""
            signoffs = await self._sign_offs_in(db, draft_id)
            voided = voided_by_edit(signoffs, old, text)
            if voided:
                await self.event(db, "signoff_voided", brief_id=await self._brief_of(db, draft_id),
                                 draft_id=draft_id, revision_id=revision_id,
                                 voided=[{"stage": s.stage, "reviewer": s.reviewer, "text_hash": s.text_hash}
                                         for s in voided])
            records = await self._claim_records_in(db, draft_id)
            if records:
                updated = with_wording(records, find_claims(text))
                for cid, rec in updated.items():
                    if rec.text != records[cid].text:
                        await db.execute("UPDATE claim_sources SET text=? WHERE draft_id=? AND claim_id=?",
                                         (rec.text, draft_id, cid))
            from .feature_rows import EditSaved

            return EditSaved(revision_id, tuple(voided), describe_voided(voided))

    async def _sign_offs_in(self, db, draft_id: int) -> list[SignOff]:
        rows = await (await db.execute("SELECT stage, reviewer, text_hash, created_at FROM signoffs WHERE "
                                       "draft_id=? AND undone=0 ORDER BY id", (draft_id,))).fetchall()
        return [signoff_from_row(r) for r in rows]

    # ------------------------------------------------------------------ claims register

    async def claim_records(self, draft_id: int) -> dict[str, ClaimRecord]:
        """The variant's claims register: claim id -> its record (wording last seen, source, removed)."""
        return await self._claim_records_in(self.db, draft_id)

    async def _claim_records_in(self, db, draft_id: int) -> dict[str, ClaimRecord]:
        rows = await (await db.execute("SELECT * FROM claim_sources WHERE draft_id=? ORDER BY claim_id",
                                       (draft_id,))).fetchall()
        return {r["claim_id"]: claim_record_from_row(r) for r in rows}

    async def attach_source(self, draft_id: int, claim: Claim, source: Source) -> None:
        """Attach a source (from `approval.claims.make_source`) to a claim; it is no longer marked removed."""
        await self._write_claim(draft_id, claim, source, removed=False)

    async def mark_claim_removed(self, draft_id: int, claim: Claim) -> None:
        """The reviewer will take the claim out. While it is still in the text it needs a source all the same."""
        await self._write_claim(draft_id, claim, None, removed=True)

    async def _write_claim(self, draft_id: int, claim: Claim, source: Source | None, removed: bool) -> None:
        now = time.time()
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            if source is not None:
                await db.execute(
                    "INSERT INTO claim_sources (draft_id, claim_id, kind, text, source_kind, source_ref, source_quote, "
                    "removed, reviewer, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (draft_id, "
                    "claim_id) DO UPDATE SET text=excluded.text, source_kind=excluded.source_kind, "
                    "source_ref=excluded.source_ref, source_quote=excluded.source_quote, removed=0, "
                    "reviewer=excluded.reviewer, updated_at=excluded.updated_at",
                    (draft_id, claim.id, claim.kind, claim.text, source.kind, source.ref, source.quote,
                     self.reviewer, now))
            else:  # marked removed: an earlier source stays on record (the claim may come back)
                await db.execute(
                    "INSERT INTO claim_sources (draft_id, claim_id, kind, text, removed, reviewer, updated_at) "
                    "VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (draft_id, claim_id) DO UPDATE SET "
                    "text=excluded.text, removed=1, reviewer=excluded.reviewer, updated_at=excluded.updated_at",
                    (draft_id, claim.id, claim.kind, claim.text, self.reviewer, now))
            await self.event(db, "claim_source", brief_id=brief_id, draft_id=draft_id, claim_id=claim.id,
                             claim=claim.text, removed=removed,
                             source=None if source is None else {"kind": source.kind, "ref": source.ref,
                                                                 "quote": source.quote})

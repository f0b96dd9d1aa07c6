"""Review actions: edits, scores, ticks, notes, gate results, decisions and brief claims (undo is in undo.py)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from .active_time import APPROVALS, record_active_time
from .base import Database
from .rows import Decision

if TYPE_CHECKING:  # only for annotations: the store loads before the first frame, the gates after it
    from ..gates import GateResult

CLAIM_TTL = 30.0  # seconds; an open brief renews its claim every ~10 s


class ReviewOps(Database):
    async def _brief_of(self, db, draft_id: int) -> int:
        row = await (await db.execute("SELECT v.brief_id FROM drafts d JOIN brief_versions v "
                                      "ON v.id = d.brief_version_id WHERE d.id=?", (draft_id,))).fetchone()
        return row[0]

    async def save_edit(self, draft_id: int, text: str, session: str) -> int:
        """Autosave a human edit. One editing session keeps one snapshot row, updated in place; a new session
        (or an AI revision in between) starts a new snapshot, so history shows every round of edits."""
        async with self.tx() as db:
            return await self._save_edit(db, draft_id, text, session)

    async def _save_edit(self, db, draft_id: int, text: str, session: str) -> int:
        """save_edit inside the caller's transaction (signing.py adds what the edit voids to the same one)."""
        now = time.time()
        brief_id = await self._brief_of(db, draft_id)
        top = await (await db.execute("SELECT id, kind, number, feedback FROM revisions WHERE draft_id=? "
                                      "ORDER BY id DESC LIMIT 1", (draft_id,))).fetchone()
        if top and top["kind"] == "human" and json.loads(top["feedback"] or "{}").get("session") == session:
            await db.execute("UPDATE revisions SET text=?, updated_at=? WHERE id=?", (text, now, top["id"]))
            revision_id = top["id"]
        else:
            number = top["number"] if top else 1
            cur = await db.execute("INSERT INTO revisions (draft_id, number, kind, text, status, feedback, "
                                   "created_at, updated_at) VALUES (?, ?, 'human', ?, 'done', ?, ?, ?)",
                                   (draft_id, number, text, json.dumps({"session": session}), now, now))
            revision_id = cur.lastrowid
        await self.event(db, "edit", brief_id=brief_id, draft_id=draft_id, revision_id=revision_id,
                         session=session, chars=len(text))
        return revision_id

    async def set_score(self, draft_id: int, dimension: str, value: int) -> int | None:
        """Set this reviewer's score; returns their previous value, which the event keeps too (undo restores it
        from there). Colleagues' scores are untouched."""
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            old = await (await db.execute("SELECT value FROM scores WHERE draft_id=? AND dimension=? AND reviewer=?",
                                          (draft_id, dimension, self.reviewer))).fetchone()
            await db.execute("INSERT INTO scores (draft_id, dimension, value, reviewer, created_at) "
                             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (draft_id, dimension, reviewer) DO UPDATE SET "
                             "value=excluded.value, created_at=excluded.created_at",
                             (draft_id, dimension, value, self.reviewer, time.time()))
            await self.event(db, "score", brief_id=brief_id, draft_id=draft_id, dimension=dimension, value=value,
                             previous=old["value"] if old else None)
            return old["value"] if old else None

    async def clear_score(self, draft_id: int, dimension: str, restore: int | None = None) -> None:
        """Undo this reviewer's score: back to `restore`, or none."""
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            mine = (draft_id, dimension, self.reviewer)
            if restore is None:
                await db.execute("DELETE FROM scores WHERE draft_id=? AND dimension=? AND reviewer=?", mine)
            else:
                await db.execute("UPDATE scores SET value=? WHERE draft_id=? AND dimension=? AND reviewer=?",
                                 (restore, *mine))
            await self.event(db, "score_undone", brief_id=brief_id, draft_id=draft_id, dimension=dimension,
                             restored=restore)

    async def scores(self, draft_id: int, reviewer: str | None = None) -> dict[str, int]:
        """One reviewer's own scores of a variant: this store's reviewer unless another is named."""
        rows = await self.fetchall("SELECT dimension, value FROM scores WHERE draft_id=? AND reviewer=?",
                                   (draft_id, reviewer or self.reviewer))
        return {r["dimension"]: r["value"] for r in rows}

    async def colleagues_who_scored(self, draft_id: int) -> list[str]:
        rows = await self.fetchall("SELECT DISTINCT reviewer FROM scores WHERE draft_id=? AND reviewer<>? "
                                   "ORDER BY reviewer", (draft_id, self.reviewer))
        return [r["reviewer"] for r in rows]

    async def set_tick(self, draft_id: int, item: str, checked: bool) -> None:
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            old = await (await db.execute("SELECT checked FROM ticks WHERE draft_id=? AND item=?",
                                          (draft_id, item))).fetchone()
            await db.execute("INSERT INTO ticks (draft_id, item, checked, reviewer, updated_at) VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT (draft_id, item) DO UPDATE SET checked=excluded.checked, "
                             "reviewer=excluded.reviewer, updated_at=excluded.updated_at",
                             (draft_id, item, int(checked), self.reviewer, time.time()))
            await self.event(db, "tick", brief_id=brief_id, draft_id=draft_id, item=item, checked=checked,
                             previous=bool(old["checked"]) if old else None)  # for undo

    async def ticks(self, draft_id: int) -> dict[str, bool]:
        return {r["item"]: bool(r["checked"]) for r in
                await self.fetchall("SELECT item, checked FROM ticks WHERE draft_id=?", (draft_id,))}

    async def set_note(self, draft_id: int, text: str) -> None:
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            old = await (await db.execute("SELECT text FROM notes WHERE draft_id=?", (draft_id,))).fetchone()
            await db.execute("INSERT INTO notes (draft_id, text, reviewer, updated_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (draft_id) DO UPDATE SET text=excluded.text, reviewer=excluded.reviewer, "
                             "updated_at=excluded.updated_at", (draft_id, text, self.reviewer, time.time()))
            await self.event(db, "note", brief_id=brief_id, draft_id=draft_id, text=text,
                             previous=old["text"] if old else None)  # for undo

    async def note(self, draft_id: int) -> str:
        row = await self.fetchone("SELECT text FROM notes WHERE draft_id=?", (draft_id,))
        return row["text"] if row else ""

    async def record_gates(self, revision_id: int, results: list[GateResult]) -> None:
        async with self.tx() as db:
            await self._write_gates(db, revision_id, results)

    async def decide(self, draft_id: int, revision_id: int | None, kind: str, reason: str = "",
                     gates: list[GateResult] | None = None) -> int:
        async with self.tx() as db:
            return await self._decide(db, draft_id, revision_id, kind, reason, gates)

    async def _decide(self, db, draft_id: int, revision_id: int | None, kind: str, reason: str = "",
                      gates: list[GateResult] | None = None, reviewer: str | None = None) -> int:
        """decide inside the caller's transaction; `reviewer` names who decided when it is not this store's person
        (an auto-approval)."""
        brief_id = await self._brief_of(db, draft_id)
        cur = await db.execute("INSERT INTO decisions (brief_id, draft_id, revision_id, kind, reason, reviewer, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (brief_id, draft_id, revision_id, kind, reason, reviewer or self.reviewer, time.time()))
        if kind in APPROVALS:
            await record_active_time(db, cur.lastrowid)  # final from now on: statistics read it from here
        await self.event(db, kind, brief_id=brief_id, draft_id=draft_id, revision_id=revision_id, reason=reason,
                         decision_id=cur.lastrowid, gates=[g.to_dict() for g in gates or []], actor=reviewer)
        return cur.lastrowid

    async def decisions(self, draft_id: int) -> list[Decision]:
        """A variant's decisions that stand (not undone), oldest first."""
        return [Decision.from_row(r) for r in
                await self.fetchall("SELECT * FROM decisions WHERE draft_id=? AND undone=0 ORDER BY id", (draft_id,))]

    # ------------------------------------------------------------------ claims (leases)

    async def claim(self, brief_id: int, instance: str, ttl: float = CLAIM_TTL, take_over: bool = True
                    ) -> tuple[bool, str | None]:
        """Take the lease on a brief to review it. Returns (ok, holder) — holder is who has it when refused.

        A colleague's live lease is respected. The same person's lease from another session is taken over (unless
        `take_over` is False): that session is gone (a crash leaves its lease for CLAIM_TTL) or it is theirs
        anyway; if it still runs, it learns at its next `renew` that it lost the brief."""
        now = time.time()
        async with self.tx() as db:
            row = await (await db.execute("SELECT reviewer, instance, expires_at FROM claims WHERE brief_id=?",
                                          (brief_id,))).fetchone()
            if row and row["instance"] != instance and row["expires_at"] > now and \
                    (row["reviewer"] != self.reviewer or not take_over):
                return False, row["reviewer"]
            await self._hold(db, brief_id, instance, now + ttl, taken_from=row)
            return True, None

    async def renew(self, brief_id: int, instance: str, ttl: float = CLAIM_TTL) -> tuple[bool, str | None]:
        """Extend our lease. Refused (ok False, holder) if another session has taken it since — a renewal never
        takes a brief back, so two sessions of one person do not fight over it."""
        now = time.time()
        async with self.tx() as db:
            row = await (await db.execute("SELECT reviewer, instance, expires_at FROM claims WHERE brief_id=?",
                                          (brief_id,))).fetchone()
            if row and row["instance"] != instance and row["expires_at"] > now:
                return False, row["reviewer"]
            await self._hold(db, brief_id, instance, now + ttl, taken_from=row)
            return True, None

    async def _hold(self, db, brief_id: int, instance: str, expires: float, taken_from) -> None:
        await db.execute("INSERT INTO claims (brief_id, reviewer, instance, expires_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (brief_id) DO UPDATE SET reviewer=excluded.reviewer, "
                         "instance=excluded.instance, expires_at=excluded.expires_at",
                         (brief_id, self.reviewer, instance, expires))
        if not taken_from or taken_from["instance"] != instance:
            await self.event(db, "claim", brief_id=brief_id, instance=instance,
                             taken_over=taken_from["instance"] if taken_from and
                             taken_from["expires_at"] > time.time() else None)

    async def release(self, brief_id: int, instance: str) -> None:
        async with self.tx() as db:
            cur = await db.execute("DELETE FROM claims WHERE brief_id=? AND instance=?", (brief_id, instance))
            if cur.rowcount:
                await self.event(db, "release", brief_id=brief_id, instance=instance)

    async def release_all(self, instance: str) -> None:
        async with self.tx() as db:
            rows = await (await db.execute("SELECT brief_id FROM claims WHERE instance=?", (instance,))).fetchall()
            await db.execute("DELETE FROM claims WHERE instance=?", (instance,))
            for row in rows:
                await self.event(db, "release", brief_id=row["brief_id"], instance=instance)

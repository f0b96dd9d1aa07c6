"""Store operations: briefs and versions, drafts and revisions, review actions, claims.

Every state change runs in one BEGIN IMMEDIATE transaction together with its event.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING

from ..records import record
from .base import Database
from .rows import BriefRow, Draft, Revision

if TYPE_CHECKING:  # only for annotations: the store loads before the first frame, the briefs and gates after it
    from ..briefs import Brief
    from ..gates import GateResult
    from ..learning.feedback import FeedbackItem

# Briefs written per transaction by a sync: a few hundred milliseconds of write lock at most, so other writers
# (a colleague's score) take their turn in between.
SYNC_CHUNK = 500
# The pause between two chunks. A writer waiting on the lock polls it every 100 ms (SQLite's busy handler); a
# bulk writer that began its next chunk at once would keep it waiting for the whole sync.
CHUNK_PAUSE = 0.1


def _chunks(items: list) -> list[list]:
    return [items[i:i + SYNC_CHUNK] for i in range(0, len(items), SYNC_CHUNK)]


@record
class SyncResult:
    """A brief file synced into the log: its id, and whether it brought a new version."""
    brief_id: int
    version_id: int | None
    new_version: bool


def drafts_outcome(row: BriefRow) -> str | None:
    """"failed" or "interrupted" when no variant of the current version is done or still coming (nothing to
    review: calling it ready was a lie, seen as 'ready · 0/9'); "interrupted" when every one was cut short."""
    if not row.drafts or row.done or row.active:
        return None
    return "interrupted" if row.interrupted == row.drafts else "failed"


def brief_status(row: BriefRow, now: float | None = None) -> str:
    """new, drafting, ready, failed, interrupted, in review, approved, rejected or invalid, from one row of
    `list_briefs`."""
    if row.error:
        return "invalid"
    if row.approved:
        return "approved"
    if row.drafts and row.rejected >= row.drafts:
        return "rejected"
    if row.claimed_by and (row.claim_expires or 0) > (now or time.time()):
        return "in review"
    if row.active:
        return "drafting"
    if row.drafts:
        return drafts_outcome(row) or "ready"
    return "new"


class BriefDraftOps(Database):
    writer_id: int | None = None  # the process writing new AI revisions (see writers.py); `_beat` is there too

    # ------------------------------------------------------------------ briefs

    async def sync_brief(self, brief: Brief) -> SyncResult:
        """Record a parsed brief; a changed content hash becomes a new version (old drafts stay with the old one)."""
        return (await self.sync_briefs([brief]))[0]

    async def sync_briefs(self, briefs: list[Brief], file_sigs: dict[str, str] | None = None) -> list[SyncResult]:
        """Record many briefs, a chunk per transaction (one fsync per chunk, not one per brief). `file_sigs`
        (name -> size and mtime of the file read) lets the next scan skip files that have not changed."""
        sigs = file_sigs or {}
        results: list[SyncResult] = []
        # In chunks, each its own transaction: 10,000 briefs in one held the write lock for many seconds, and
        # every colleague's score waited behind it.
        for n, chunk in enumerate(_chunks(briefs)):
            if n:
                await asyncio.sleep(CHUNK_PAUSE)
            async with self.tx() as db:
                results += [await self._sync(db, brief, time.time(), sigs.get(brief.name)) for brief in chunk]
        return results

    async def file_sigs(self) -> dict[str, str]:
        """name -> file signature of every brief in the inbox, as last read."""
        rows = await self.fetchall("SELECT name, file_sig FROM briefs WHERE deleted = 0")
        return {r["name"]: r["file_sig"] for r in rows}

    async def _sync(self, db, brief: Brief, now: float, file_sig: str | None) -> SyncResult:
        row = await (await db.execute(
            "SELECT b.id, b.current_version_id, b.title, b.channel, b.error, b.deleted, v.content_hash "
            "FROM briefs b LEFT JOIN brief_versions v ON v.id = b.current_version_id WHERE b.name=?",
            (brief.name,))).fetchone()
        if row is None:
            cur = await db.execute("INSERT INTO briefs (name, title, channel, error, file_sig, created_at, "
                                   "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   (brief.name, brief.title, brief.channel, brief.error, file_sig, now, now))
            brief_id = cur.lastrowid
            await self.event(db, "brief_added", brief_id=brief_id, name=brief.name, error=brief.error)
            current = None
        else:
            brief_id, current = row["id"], row["current_version_id"]
            same = (row["title"], row["channel"], row["error"], row["deleted"]) == \
                (brief.title, brief.channel, brief.error, 0)
            if same and (brief.error or row["content_hash"] == brief.content_hash):
                if file_sig is not None:  # touched, not changed: remember the new signature, nothing else
                    await db.execute("UPDATE briefs SET file_sig=? WHERE id=?", (file_sig, brief_id))
                return SyncResult(brief_id, current, False)
            await db.execute("UPDATE briefs SET title=?, channel=?, error=?, deleted=0, file_sig=?, updated_at=? "
                             "WHERE id=?", (brief.title, brief.channel, brief.error, file_sig, now, brief_id))
            if brief.error and brief.error != row["error"]:
                await self.event(db, "brief_invalid", brief_id=brief_id, error=brief.error)
            if row["deleted"]:
                await self.event(db, "brief_restored", brief_id=brief_id)
            if not brief.error and row["content_hash"] == brief.content_hash:
                return SyncResult(brief_id, current, False)
        if brief.error:
            return SyncResult(brief_id, current, False)
        number = (await (await db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM brief_versions "
                                          "WHERE brief_id=?", (brief_id,))).fetchone())[0]
        cur = await db.execute("INSERT INTO brief_versions (brief_id, version, content_hash, fields, created_at) "
                               "VALUES (?, ?, ?, ?, ?)",
                               (brief_id, number, brief.content_hash, json.dumps(brief.fields()), now))
        version_id = cur.lastrowid
        await db.execute("UPDATE briefs SET current_version_id=? WHERE id=?", (version_id, brief_id))
        await self.event(db, "brief_version", brief_id=brief_id, version=number, version_id=version_id)
        return SyncResult(brief_id, version_id, True)

    async def mark_deleted(self, name: str) -> int | None:
        return (await self.mark_deleted_many([name])).get(name)

    async def mark_deleted_many(self, names: list[str]) -> dict[str, int]:
        """Briefs whose files are gone: kept with their history, hidden from the queue. Returns name -> id."""
        gone: dict[str, int] = {}
        for n, chunk in enumerate(_chunks(names)):
            if n:
                await asyncio.sleep(CHUNK_PAUSE)
            async with self.tx() as db:
                for name in chunk:
                    row = await (await db.execute("SELECT id FROM briefs WHERE name=? AND deleted=0",
                                                  (name,))).fetchone()
                    if row is None:
                        continue
                    await db.execute("UPDATE briefs SET deleted=1, file_sig=NULL, updated_at=? WHERE id=?",
                                     (time.time(), row["id"]))
                    await self.event(db, "brief_deleted", brief_id=row["id"], name=name)
                    gone[name] = row["id"]
        return gone

    async def queue_state(self) -> tuple[int, list[BriefRow]]:
        """What the station's queue shows and the newest event it reflects (read first: a change made between
        the two reads is then seen as new at the next poll, never missed)."""
        return await self.last_event_id(), await self.list_briefs()

    async def list_briefs(self, include_deleted: bool = False) -> list[BriefRow]:
        """One row per brief with what the queue shows, including its derived `status`."""
        rows = await self.fetchall(
            """SELECT b.id, b.name, b.title, b.channel, b.error, b.deleted, b.current_version_id,
                      c.reviewer AS claimed_by, c.instance AS claim_instance, c.expires_at AS claim_expires
               FROM briefs b LEFT JOIN claims c ON c.brief_id = b.id
               WHERE b.deleted = 0 OR ? ORDER BY b.name""", (int(include_deleted),))
        counts = {r["v"]: r for r in await self.fetchall(
            """SELECT d.brief_version_id AS v, COUNT(*) AS drafts,
                      SUM(r.status IN ('pending', 'streaming')) AS active,
                      SUM(r.status = 'done') AS done, SUM(r.status IN ('failed', 'interrupted')) AS failed,
                      SUM(r.status = 'interrupted') AS interrupted
               FROM drafts d JOIN revisions r ON r.id = (SELECT MAX(id) FROM revisions
                                                         WHERE draft_id = d.id AND kind = 'ai')
               GROUP BY d.brief_version_id""")}
        decided = {r["v"]: r for r in await self.fetchall(
            """SELECT d.brief_version_id AS v, SUM(x.kind IN ('approve', 'override')) AS approved,
                      COUNT(DISTINCT CASE WHEN x.kind = 'reject' THEN x.draft_id END) AS rejected
               FROM decisions x JOIN drafts d ON d.id = x.draft_id WHERE x.undone = 0
               GROUP BY d.brief_version_id""")}
        now = time.time()
        briefs = []
        for r in rows:
            c = counts.get(r["current_version_id"], {})
            d = decided.get(r["current_version_id"], {})
            row = BriefRow(r["id"], r["name"], r["title"], r["channel"], r["error"], r["deleted"],
                           r["current_version_id"], claimed_by=r["claimed_by"], claim_instance=r["claim_instance"],
                           claim_expires=r["claim_expires"], drafts=c.get("drafts", 0),
                           active=c.get("active", 0) or 0, done=c.get("done", 0) or 0,
                           failed=c.get("failed", 0) or 0, interrupted=c.get("interrupted", 0) or 0,
                           approved=d.get("approved", 0) or 0,
                           rejected=d.get("rejected", 0) or 0)
            row.status = brief_status(row, now)
            briefs.append(row)
        return briefs

    async def brief_by_name(self, name: str) -> BriefRow | None:
        row = await self.fetchone("SELECT * FROM briefs WHERE name=?", (name,))
        return BriefRow.from_row(row) if row else None

    async def current_brief(self, brief_id: int) -> Brief | None:
        row = await self.fetchone(
            "SELECT b.name, b.error, v.fields, v.content_hash FROM briefs b "
            "LEFT JOIN brief_versions v ON v.id = b.current_version_id WHERE b.id=?", (brief_id,))
        if row is None or row["fields"] is None:
            return None
        from ..briefs import Brief

        return Brief.from_fields(row["name"], json.loads(row["fields"]), row["error"], row["content_hash"])

    # ------------------------------------------------------------------ drafts and revisions

    async def create_draft(self, version_id: int, variant: int, model: str, label: str, temperature: float,
                           prompt_version: str) -> tuple[int, int]:
        return (await self.create_drafts(version_id, [(variant, model, label, temperature)], prompt_version))[0]

    async def create_drafts(self, version_id: int, variants: list[tuple[int, str, str, float]], prompt_version: str,
                            *, only_if_none: bool = False) -> list[tuple[int, int]]:
        """Create variants (variant, model, label, temperature) of a brief version with their first revisions,
        in one transaction. `only_if_none` makes it the claim of auto-drafting: the check that the version has
        no drafts and their creation are one BEGIN IMMEDIATE, so of several stations (processes) that see a new
        brief at once exactly one drafts it; the others get [] and do nothing. Returns (draft_id, revision_id)."""
        now = time.time()
        async with self.tx() as db:
            if only_if_none and await (await db.execute("SELECT 1 FROM drafts WHERE brief_version_id=? LIMIT 1",
                                                        (version_id,))).fetchone():
                return []
            brief_id = (await (await db.execute("SELECT brief_id FROM brief_versions WHERE id=?",
                                                (version_id,))).fetchone())[0]
            created = []
            for variant, model, label, temperature in variants:
                cur = await db.execute("INSERT INTO drafts (brief_version_id, variant, model, label, temperature, "
                                       "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                                       (version_id, variant, model, label, temperature, now))
                draft_id = cur.lastrowid
                cur = await db.execute("INSERT INTO revisions (draft_id, number, kind, status, prompt_version, model, "
                                       "writer_id, created_at, updated_at) VALUES (?, 1, 'ai', 'pending', ?, ?, ?, ?, ?)",
                                       (draft_id, prompt_version, model, self.writer_id, now, now))
                await self.event(db, "draft_created", brief_id=brief_id, draft_id=draft_id,
                                 revision_id=cur.lastrowid, variant=variant, model=model,
                                 prompt_version=prompt_version, temperature=temperature)
                created.append((draft_id, cur.lastrowid))
            await self._beat(db, now)
            return created

    async def add_ai_revision(self, draft_id: int, model: str, prompt_version: str, feedback: dict | None,
                              kind_of_request: str) -> int:
        """A new AI revision (revise: N+1 with feedback) or a fresh generation (regenerate) of a variant."""
        now = time.time()
        async with self.tx() as db:
            number = (await (await db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM revisions WHERE draft_id=? "
                                              "AND kind='ai'", (draft_id,))).fetchone())[0]
            cur = await db.execute("INSERT INTO revisions (draft_id, number, kind, status, feedback, prompt_version, "
                                   "model, writer_id, created_at, updated_at) VALUES (?, ?, 'ai', 'pending', ?, ?, ?, "
                                   "?, ?, ?)", (draft_id, number, json.dumps(feedback) if feedback else None,
                                                prompt_version, model, self.writer_id, now, now))
            await self._beat(db, now)
            await self.event(db, kind_of_request, draft_id=draft_id, revision_id=cur.lastrowid, number=number,
                             feedback=feedback, model=model)
            return cur.lastrowid

    async def save_partials(self, partials: dict[int, tuple[str, int]]) -> None:
        """Streaming checkpoint for every live stream in one transaction (one fsync, not one per stream), so a
        crash keeps the partial text. A revision that has already ended is left alone."""
        now = time.time()
        async with self.tx() as db:
            await db.executemany("UPDATE revisions SET text=?, tokens_out=?, status='streaming', updated_at=? "
                                 "WHERE id=? AND status IN ('pending', 'streaming')",
                                 [(text, tokens, now, rid) for rid, (text, tokens) in partials.items()])

    async def finish_revision(self, revision_id: int, *, status: str, text: str, error: str | None = None,
                              tokens_in: int | None = None, tokens_out: int | None = None, cost: float | None = None,
                              latency_ms: int | None = None, finish_reason: str | None = None,
                              gates: list[GateResult] | None = None, marks: list[FeedbackItem] | None = None) -> None:
        """End a revision (done / failed / interrupted); a finished draft's gate results and a finished revise's
        feedback marks go in the same commit."""
        async with self.tx() as db:
            await db.execute("UPDATE revisions SET status=?, text=?, error=?, tokens_in=?, tokens_out=?, cost=?, "
                             "latency_ms=?, finish_reason=?, updated_at=? WHERE id=?",
                             (status, text, error, tokens_in, tokens_out, cost, latency_ms, finish_reason,
                              time.time(), revision_id))
            await self.event(db, f"draft_{status}", revision_id=revision_id, error=error, tokens_in=tokens_in,
                             tokens_out=tokens_out, cost=cost, latency_ms=latency_ms, finish_reason=finish_reason,
                             chars=len(text))
            if gates is not None:
                await self._write_gates(db, revision_id, gates)
            if marks:
                from .feedback import write_marks

                await write_marks(self, db, revision_id, marks)

    async def interrupt_revision(self, revision_id: int, text: str, error: str) -> bool:
        """End a revision its writer could not end (its process died), unless it ended after all."""
        async with self.tx() as db:
            cur = await db.execute("UPDATE revisions SET status='interrupted', text=?, error=?, updated_at=? "
                                   "WHERE id=? AND status IN ('pending', 'streaming')",
                                   (text, error, time.time(), revision_id))
            if cur.rowcount:
                await self.event(db, "draft_interrupted", revision_id=revision_id, error=error, chars=len(text))
            return bool(cur.rowcount)

    async def drafts_for_version(self, version_id: int) -> list[Draft]:
        """Each variant of a brief version with its revisions (`latest`, `latest_ai`)."""
        drafts = await self.fetchall("SELECT * FROM drafts WHERE brief_version_id=? ORDER BY variant, id",
                                     (version_id,))
        return [Draft.from_row(d, revisions=await self.revisions(d["id"])) for d in drafts]

    async def variant_draft(self, version_id: int, variant: int) -> Draft | None:
        """A brief version's variant by its number (0-based), without its revisions."""
        row = await self.fetchone("SELECT * FROM drafts WHERE brief_version_id=? AND variant=? ORDER BY id LIMIT 1",
                                  (version_id, variant))
        return Draft.from_row(row) if row else None

    async def count_drafts(self, version_id: int) -> int:
        return (await self.fetchone("SELECT COUNT(*) AS n FROM drafts WHERE brief_version_id=?", (version_id,)))["n"]

    async def revisions(self, draft_id: int) -> list[Revision]:
        """A variant's revisions, oldest first."""
        return [Revision.from_row(r) for r in
                await self.fetchall("SELECT * FROM revisions WHERE draft_id=? ORDER BY id", (draft_id,))]

    async def revision(self, revision_id: int) -> Revision | None:
        row = await self.fetchone("SELECT * FROM revisions WHERE id=?", (revision_id,))
        return Revision.from_row(row) if row else None

    async def draft(self, draft_id: int, with_revisions: bool = False) -> Draft | None:
        """A variant and the brief it belongs to (`brief_id`); its revisions too if asked."""
        row = await self.fetchone(
            "SELECT d.*, v.brief_id FROM drafts d JOIN brief_versions v ON v.id = d.brief_version_id WHERE d.id=?",
            (draft_id,))
        if row is None:
            return None
        return Draft.from_row(row, revisions=await self.revisions(draft_id) if with_revisions else [])

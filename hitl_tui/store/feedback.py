"""Tracked feedback in the log (issue 12): each revise's items and their marks, reviewers' ticks, the voice memory
each AI revision was given, the share of feedback addressed, and a brief's revision history.

The items a revision was sent live in `revisions.feedback` (`learning.feedback.feedback_payload`); their marks in
`feedback_marks` — written automatically in the transaction that finishes the revision (`write_marks`, called by
`finish_revision`), then changed by reviewers (`tick_feedback`). A revision's items with their current marks come
from `feedback_items`.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import TYPE_CHECKING, Iterable

from .base import Database, StoreError
from .rows import Revision

if TYPE_CHECKING:  # annotations only: the store loads before the first frame, the learning core after it
    from ..learning.feedback import FeedbackItem
    from ..learning.marking import SentItem
    from .report_rows import RevisionHistory, VariantHistory


async def write_marks(store: Database, db, revision_id: int, items: Iterable[FeedbackItem]) -> None:
    """A finished revise's automatic marks and their event; call inside the transaction that finishes it. A mark a
    reviewer already gave is never overwritten."""
    marked = [i for i in items if i.mark and not i.dropped]
    if not marked:
        return
    await db.executemany(
        "INSERT INTO feedback_marks (revision_id, item_id, mark, why, marked_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (revision_id, item_id) DO NOTHING",
        [(revision_id, i.id, i.mark, i.why, i.marked_by or "auto", time.time()) for i in marked])
    await store.event(db, "feedback_marked", revision_id=revision_id, counts=dict(Counter(i.mark for i in marked)),
                      marks={i.id: i.mark for i in marked})


class FeedbackOps(Database):
    # ------------------------------------------------------------------ items and marks

    async def _marks(self, revision_ids: list[int]) -> dict[int, dict[str, dict]]:
        if not revision_ids:
            return {}
        marks: dict[int, dict[str, dict]] = {}
        for start in range(0, len(revision_ids), 500):  # SQLite's limit on host parameters
            chunk = revision_ids[start:start + 500]
            rows = await self.fetchall(
                f"SELECT * FROM feedback_marks WHERE revision_id IN ({','.join('?' * len(chunk))})", tuple(chunk))
            for row in rows:
                marks.setdefault(row["revision_id"], {})[row["item_id"]] = row
        return marks

    @staticmethod
    def _with_marks(payload: str | None, marks: dict[str, dict]) -> list[FeedbackItem]:
        from dataclasses import replace

        from ..learning.feedback import items_from_payload

        items = items_from_payload(json.loads(payload) if payload else None)
        return [replace(i, mark=m["mark"], why=m["why"], marked_by=m["marked_by"]) if (m := marks.get(i.id)) else i
                for i in items]

    async def feedback_items(self, revision_id: int) -> list[FeedbackItem]:
        """The items a revision was sent (dropped ones too), each with its current mark (None: not marked yet)."""
        row = await self.fetchone("SELECT feedback FROM revisions WHERE id=?", (revision_id,))
        if row is None:
            raise StoreError(f"no revision {revision_id}")
        return self._with_marks(row["feedback"], (await self._marks([revision_id])).get(revision_id, {}))

    async def last_feedback(self, draft_id: int) -> tuple[Revision | None, list[FeedbackItem]]:
        """A variant's latest AI revision and the items it was sent with their marks ([] for a fresh draft or a
        regeneration: nothing of an earlier revise carries over a new start)."""
        row = await self.fetchone("SELECT * FROM revisions WHERE draft_id=? AND kind='ai' ORDER BY id DESC LIMIT 1",
                                  (draft_id,))
        rev = Revision.from_row(row) if row else None
        if rev is None or not rev.feedback:
            return rev, []
        return rev, self._with_marks(rev.feedback, (await self._marks([rev.id])).get(rev.id, {}))

    async def tick_feedback(self, revision_id: int, item_id: str, mark: str) -> FeedbackItem:
        """A reviewer's verdict on one item a revision was sent: addressed, not_addressed, or unclear (undecided
        again). Any item may be ticked, an automatic mark overruled. Returns the item with its new mark."""
        from dataclasses import replace

        from ..learning.feedback import MARKS, items_from_payload

        if mark not in MARKS:
            raise StoreError(f"a feedback mark is one of {', '.join(MARKS)}, not {mark!r}")
        async with self.tx() as db:
            row = await (await db.execute(
                "SELECT r.feedback, r.draft_id, v.brief_id FROM revisions r JOIN drafts d ON d.id = r.draft_id "
                "JOIN brief_versions v ON v.id = d.brief_version_id WHERE r.id=?", (revision_id,))).fetchone()
            if row is None:
                raise StoreError(f"no revision {revision_id}")
            items = {i.id: i for i in items_from_payload(json.loads(row["feedback"] or "null"))}
            if item_id not in items:
                raise StoreError(f"revision {revision_id} was not sent a feedback item {item_id!r}")
            old = await (await db.execute("SELECT mark FROM feedback_marks WHERE revision_id=? AND item_id=?",
                                          (revision_id, item_id))).fetchone()
            why = f"ticked by {self.reviewer}"
            await db.execute(
                "INSERT INTO feedback_marks (revision_id, item_id, mark, why, marked_by, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (revision_id, item_id) DO UPDATE SET mark=excluded.mark, "
                "why=excluded.why, marked_by=excluded.marked_by, updated_at=excluded.updated_at",
                (revision_id, item_id, mark, why, self.reviewer, time.time()))
            await self.event(db, "feedback_ticked", brief_id=row["brief_id"], draft_id=row["draft_id"],
                             revision_id=revision_id, item_id=item_id, mark=mark,
                             previous=old["mark"] if old else None)
        return replace(items[item_id], mark=mark, why=why, marked_by=self.reviewer)

    # ------------------------------------------------------------------ voice memory given to a revision

    async def save_examples(self, memories: dict[int, dict]) -> None:
        """What voice memory each new AI revision was given (`VoiceMemory.to_dict()`), with one event."""
        if not memories:
            return
        async with self.tx() as db:
            await db.executemany("UPDATE revisions SET examples=? WHERE id=?",
                                 [(json.dumps(m), rid) for rid, m in memories.items()])
            first = next(iter(memories.values()))
            await self.event(db, "voice_memory", revision_id=next(iter(memories)), revisions=list(memories),
                             examples=first.get("examples", []), lines=len(first.get("lines", [])))

    # ------------------------------------------------------------------ reports

    async def feedback_rows(self) -> list[SentItem]:
        """One row per item sent (not dropped) to a finished revise, with its mark (None: not marked yet)."""
        from ..learning.marking import SentItem

        revs = await self.fetchall("SELECT id, model, prompt_version, feedback FROM revisions WHERE kind='ai' "
                                   "AND status='done' AND feedback LIKE '%\"items\"%' ORDER BY id")
        marks = await self._marks([r["id"] for r in revs])
        return [SentItem(r["model"], r["prompt_version"], i.mark)
                for r in revs for i in self._with_marks(r["feedback"], marks.get(r["id"], {})) if not i.dropped]

    async def feedback_addressed(self) -> list[dict]:
        """Share of feedback addressed per model and prompt version (`learning.marking.feedback_share`)."""
        from ..learning.marking import feedback_share

        return feedback_share(await self.feedback_rows())

    async def brief_history(self, brief_id: int) -> list[VariantHistory]:
        """Each variant of every version of a brief with its revisions in order: what produced each, the items a
        revise was sent with their marks, and the voice memory (example pieces, learned lines) it was given."""
        from .report_rows import RevisionHistory, VariantHistory

        drafts = await self.fetchall(
            "SELECT d.id AS draft_id, d.variant, d.model, d.label, v.version AS brief_version FROM drafts d "
            "JOIN brief_versions v ON v.id = d.brief_version_id WHERE v.brief_id=? ORDER BY v.version, d.variant, "
            "d.id", (brief_id,))
        revs = [Revision.from_row(r) for r in await self.fetchall(
            "SELECT r.* FROM revisions r JOIN drafts d ON d.id = r.draft_id JOIN brief_versions v "
            "ON v.id = d.brief_version_id WHERE v.brief_id=? ORDER BY r.id", (brief_id,))]
        marks = await self._marks([r.id for r in revs if r.feedback and r.is_ai])
        memories = {r.id: json.loads(r.examples) for r in revs if r.examples}
        shown = await self._example_pieces({e for m in memories.values() for e in m.get("examples", [])})
        by_draft: dict[int, list[RevisionHistory]] = {}
        for r in revs:
            memory = memories.get(r.id)
            items = self._with_marks(r.feedback, marks.get(r.id, {})) if r.is_ai else []
            by_draft.setdefault(r.draft_id, []).append(RevisionHistory(
                r.id, r.number, r.kind, r.request, r.status, r.model, r.prompt_version, r.created_at, r.text,
                items=[i.to_dict() | {"mark": i.mark} for i in items],
                examples=None if memory is None else [shown.get(e, {"revision_id": e})
                                                      for e in memory.get("examples", [])],
                learned_lines=None if memory is None else memory.get("lines", [])))
        return [VariantHistory.from_row(d, revisions=by_draft.get(d["draft_id"], [])) for d in drafts]

    async def _example_pieces(self, revision_ids: set) -> dict[int, dict]:
        ids = sorted(i for i in revision_ids if isinstance(i, int))
        if not ids:
            return {}
        rows = await self.fetchall(
            "SELECT r.id AS revision_id, b.name AS brief, d.label, d.variant FROM revisions r "
            "JOIN drafts d ON d.id = r.draft_id JOIN brief_versions v ON v.id = d.brief_version_id "
            f"JOIN briefs b ON b.id = v.brief_id WHERE r.id IN ({','.join('?' * len(ids))})", tuple(ids))
        return {r["revision_id"]: r for r in rows}

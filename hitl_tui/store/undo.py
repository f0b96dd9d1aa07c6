"""Undo: a reviewer's own last action on one brief — a score, tick, note, edit session, decision or sign-off — taken
back.

Undo is read from the event log, not kept in memory: it reaches exactly this reviewer's actions on this brief (never
another brief, never a colleague's work) and still works after a restart. Each undo is one transaction that makes
the change and appends a `<kind>_undone` event naming the event it undoes, so pressing `u` again steps further back
and the log stays the whole story. An edit session is undone by a new snapshot holding the text from before it:
history keeps every round, the undone one included.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from .base import Database

if TYPE_CHECKING:
    from .feature_rows import Undone

DECISIONS = ("approve", "override", "reject")
UNDOABLE = ("score", "tick", "note", "edit", "sign_off") + DECISIONS
UNDO_EVENTS = ("score_undone", "tick_undone", "note_undone", "edit_undone", "decision_undone", "sign_off_undone")


class UndoOps(Database):
    async def undo_last(self, brief_id: int) -> Undone | None:
        """Undo this reviewer's last not-yet-undone action on the brief; None if there is none."""
        async with self.tx() as db:
            found = await self._last_action(db, brief_id)
            if found is None:
                return None
            event, payload = found
            draft = await (await db.execute("SELECT variant, brief_version_id FROM drafts WHERE id=?",
                                            (event["draft_id"],))).fetchone()
            from .feature_rows import Undone

            undone = Undone(event["kind"], event["draft_id"], draft["variant"], draft["brief_version_id"])
            undo = getattr(self, f"_undo_{'decision' if event['kind'] in DECISIONS else event['kind']}")
            event_payload = await undo(db, undone, payload)
            if not undone.blocked:
                kind = "decision_undone" if undone.kind in DECISIONS else f"{undone.kind}_undone"
                await self.event(db, kind, brief_id=brief_id, draft_id=undone.draft_id, undoes=event["id"],
                                 **event_payload)
            return undone

    async def _last_action(self, db, brief_id: int) -> tuple[dict, dict] | None:
        kinds = UNDOABLE + UNDO_EVENTS
        rows = await (await db.execute(
            f"SELECT id, kind, draft_id, payload FROM events WHERE brief_id=? AND reviewer=? "
            f"AND kind IN ({','.join('?' * len(kinds))}) ORDER BY id DESC",
            (brief_id, self.reviewer, *kinds))).fetchall()
        undone_ids: set[int] = set()
        undone_sessions: set[str] = set()
        undone_decisions: set[int] = set()
        undone_signoffs: set[int] = set()
        for row in rows:  # newest first: an undo is always seen before the action it undid
            payload = json.loads(row["payload"] or "{}")
            kind = row["kind"]
            if kind in UNDO_EVENTS:
                undone_ids.add(payload.get("undoes"))
                if kind == "edit_undone":
                    undone_sessions.add(payload.get("session"))
                elif kind == "decision_undone":  # logs from before undo named its event carry only this
                    undone_decisions.add(payload.get("decision_id"))
                elif kind == "sign_off_undone":  # Store.undo_sign_off names the sign-off, not the event
                    undone_signoffs.add(payload.get("signoff_id"))
            elif row["id"] in undone_ids or (kind == "edit" and payload.get("session") in undone_sessions) \
                    or payload.get("decision_id") in undone_decisions and kind in DECISIONS \
                    or kind == "sign_off" and payload.get("signoff_id") in undone_signoffs:
                continue
            else:
                return dict(row), payload
        return None

    async def _undo_score(self, db, undone: Undone, payload: dict) -> dict:
        undone.dimension, undone.value, undone.restored = payload["dimension"], payload["value"], payload["previous"]
        # Only this reviewer's own score changes (scores are kept per reviewer; OR REPLACE fits either key).
        await db.execute("DELETE FROM scores WHERE draft_id=? AND dimension=? AND reviewer=?",
                         (undone.draft_id, undone.dimension, self.reviewer))
        if undone.restored is not None:
            await db.execute("INSERT OR REPLACE INTO scores (draft_id, dimension, value, reviewer, created_at) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (undone.draft_id, undone.dimension, undone.restored, self.reviewer, time.time()))
        return {"dimension": undone.dimension, "value": undone.value, "restored": undone.restored}

    async def _undo_tick(self, db, undone: Undone, payload: dict) -> dict:
        undone.item, undone.checked, undone.restored = payload["item"], payload["checked"], payload.get("previous")
        if undone.restored is None:
            await db.execute("DELETE FROM ticks WHERE draft_id=? AND item=?", (undone.draft_id, undone.item))
        else:
            await db.execute("UPDATE ticks SET checked=?, reviewer=?, updated_at=? WHERE draft_id=? AND item=?",
                             (int(undone.restored), self.reviewer, time.time(), undone.draft_id, undone.item))
        return {"item": undone.item, "checked": undone.checked, "restored": undone.restored}

    async def _undo_note(self, db, undone: Undone, payload: dict) -> dict:
        undone.restored = payload.get("previous")
        if undone.restored is None:
            await db.execute("DELETE FROM notes WHERE draft_id=?", (undone.draft_id,))
        else:
            await db.execute("UPDATE notes SET text=?, reviewer=?, updated_at=? WHERE draft_id=?",
                             (undone.restored, self.reviewer, time.time(), undone.draft_id))
        return {"restored": undone.restored}

    async def _undo_edit(self, db, undone: Undone, payload: dict) -> dict:
        session = payload["session"]
        revisions = [dict(r) for r in await (await db.execute(
            "SELECT id, number, kind, text, feedback FROM revisions WHERE draft_id=? ORDER BY id",
            (undone.draft_id,))).fetchall()]
        mine = [i for i, r in enumerate(revisions) if _session(r) == session]
        # What came after the session, leaving out sessions already undone and the snapshots that undid them.
        undone_sessions = {_feedback(r).get("undo_of") for r in revisions} - {None}
        live = [r for r in revisions if not _feedback(r).get("undo_of") and _session(r) not in undone_sessions]
        top = live[-1]
        if _session(top) != session:
            later = "an edit by someone else" if top["kind"] == "human" else f"revision {top['number']}"
            undone.blocked = f"{later} came after it"
            return {}
        undone.text = revisions[mine[0] - 1]["text"]  # the text the session started from
        now = time.time()
        cur = await db.execute("INSERT INTO revisions (draft_id, number, kind, text, status, feedback, created_at, "
                               "updated_at) VALUES (?, ?, 'human', ?, 'done', ?, ?, ?)",
                               (undone.draft_id, revisions[-1]["number"], undone.text,
                                json.dumps({"session": f"undo:{session}", "undo_of": session}), now, now))
        return {"session": session, "revision_id": cur.lastrowid, "chars": len(undone.text)}

    async def _undo_sign_off(self, db, undone: Undone, payload: dict) -> dict:
        """A sign-off taken back: it no longer counts (the row stays, marked undone, like Store.undo_sign_off)."""
        undone.stage = payload.get("stage")
        await db.execute("UPDATE signoffs SET undone=1 WHERE id=?", (payload["signoff_id"],))
        return {"signoff_id": payload["signoff_id"], "stage": undone.stage}

    async def _undo_decision(self, db, undone: Undone, payload: dict) -> dict:
        undone.decision_id = payload["decision_id"]
        await db.execute("UPDATE decisions SET undone=1 WHERE id=?", (undone.decision_id,))
        return {"decision_id": undone.decision_id, "decision": undone.kind}


def _feedback(revision: dict) -> dict:
    return json.loads(revision["feedback"] or "{}") if revision["kind"] == "human" else {}


def _session(revision: dict) -> str | None:
    return _feedback(revision).get("session")

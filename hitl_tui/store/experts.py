"""Questions to an expert and their answers (issue 13).

A question is asked on a variant (optionally about one of its claims) of a person or of a role; whoever holds the
role may answer. An answer is a note, approve-for-my-stage (it may carry the expert's sign-off, written in the same
transaction) or a request for changes; it closes the question. Answers feed the variant's next revision as feedback
items (`learning.feedback.Answer`). Events: `ask`, `answer`, `question_withdrawn` (and `sign_off`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Iterable

from .base import StoreError
from .signing import SigningOps

if TYPE_CHECKING:
    from ..approval.signoff import SignOff
    from .feature_rows import ExpertAnswer, Question

ANSWER_KINDS = ("note", "approve", "changes")
_QUESTION_SQL = """
SELECT q.*, b.name AS brief, b.title, d.variant FROM questions q JOIN briefs b ON b.id = q.brief_id
JOIN drafts d ON d.id = q.draft_id"""


def _question(row: dict, answers: Iterable[ExpertAnswer] = ()) -> Question:
    from .feature_rows import Question

    return Question(row["id"], row["brief_id"], row["brief"], row["title"], row["draft_id"], row["variant"],
                    row["revision_id"], row["claim_id"], row["asked_of"], bool(row["of_role"]), row["text"],
                    row["asked_by"], row["asked_at"], row["status"], row["closed_at"], tuple(answers))


def _answer(row: dict) -> ExpertAnswer:
    from .feature_rows import ExpertAnswer

    return ExpertAnswer(row["id"], row["question_id"], row["draft_id"], row["kind"], row["text"], row["reviewer"],
                        row["role"], row["text_hash"], row["created_at"])


class ExpertOps(SigningOps):
    async def ask(self, draft_id: int, asked_of: str, text: str, *, of_role: bool, claim_id: str | None = None
                  ) -> int:
        """Ask a person (or everyone holding a role) a question about a variant or one of its claims."""
        asked_of, text = asked_of.strip(), text.strip()
        if not asked_of or not text:
            raise StoreError("a question needs someone to ask and the question itself")
        async with self.tx() as db:
            brief_id = await self._brief_of(db, draft_id)
            top = await (await db.execute("SELECT id FROM revisions WHERE draft_id=? ORDER BY id DESC LIMIT 1",
                                          (draft_id,))).fetchone()
            cur = await db.execute(
                "INSERT INTO questions (brief_id, draft_id, revision_id, claim_id, asked_of, of_role, text, asked_by, "
                "asked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (brief_id, draft_id, top["id"] if top else None, claim_id, asked_of, int(of_role), text,
                 self.reviewer, time.time()))
            await self.event(db, "ask", brief_id=brief_id, draft_id=draft_id, question_id=cur.lastrowid,
                             asked_of=asked_of, of_role=of_role, claim_id=claim_id, text=text)
            return cur.lastrowid

    async def answer(self, question_id: int, kind: str, text: str, *, role: str = "", text_hash: str = "",
                     signoff: SignOff | None = None) -> int:
        """Answer an open question (closing it); with `signoff`, the expert's stage sign-off goes in the same
        transaction. Refused with a StoreError when the question is no longer open."""
        if kind not in ANSWER_KINDS:
            raise StoreError(f"an answer is one of {', '.join(ANSWER_KINDS)}, not {kind!r}")
        now = time.time()
        async with self.tx() as db:
            q = await (await db.execute("SELECT * FROM questions WHERE id=?", (question_id,))).fetchone()
            if q is None:
                raise StoreError(f"there is no question {question_id}")
            if q["status"] != "open":
                raise StoreError(f"question {question_id} was already {q['status']}")
            cur = await db.execute("INSERT INTO answers (question_id, draft_id, kind, text, reviewer, role, text_hash, "
                                   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   (question_id, q["draft_id"], kind, text.strip(), self.reviewer, role, text_hash,
                                    now))
            await db.execute("UPDATE questions SET status='answered', closed_at=? WHERE id=?", (now, question_id))
            await self.event(db, "answer", brief_id=q["brief_id"], draft_id=q["draft_id"], question_id=question_id,
                             answer_id=cur.lastrowid, answer=kind, text=text.strip(), role=role)
            if signoff is not None:
                top = await (await db.execute("SELECT id FROM revisions WHERE draft_id=? ORDER BY id DESC LIMIT 1",
                                              (q["draft_id"],))).fetchone()
                await self._insert_signoff(db, q["draft_id"], top["id"] if top else None, signoff,
                                           question_id=question_id)
            return cur.lastrowid

    async def withdraw_question(self, question_id: int) -> bool:
        """The asker takes an open question back; False when it is not open."""
        async with self.tx() as db:
            q = await (await db.execute("SELECT brief_id, draft_id FROM questions WHERE id=? AND status='open'",
                                        (question_id,))).fetchone()
            if q is None:
                return False
            await db.execute("UPDATE questions SET status='withdrawn', closed_at=? WHERE id=?",
                             (time.time(), question_id))
            await self.event(db, "question_withdrawn", brief_id=q["brief_id"], draft_id=q["draft_id"],
                             question_id=question_id)
            return True

    async def open_questions(self) -> list[Question]:
        """Every open question in the workspace, oldest first."""
        rows = await self.fetchall(_QUESTION_SQL + " WHERE q.status='open' ORDER BY q.asked_at, q.id")
        return [_question(r) for r in rows]

    async def questions_for(self, reviewer: str, roles: Iterable[str] = ()) -> list[Question]:
        """Open questions asked of this person by name or of a role they hold (`approval.signoff` roles_of),
        oldest first: what the expert's queue shows at the top."""
        roles = list(roles)
        marks = ", ".join("?" * len(roles))
        role_clause = f" OR (q.of_role = 1 AND q.asked_of IN ({marks}))" if roles else ""
        rows = await self.fetchall(_QUESTION_SQL + " WHERE q.status='open' AND ((q.of_role = 0 AND q.asked_of = ?)"
                                   + role_clause + ") ORDER BY q.asked_at, q.id", (reviewer, *roles))
        return [_question(r) for r in rows]

    async def questions_on(self, draft_id: int) -> list[Question]:
        """A variant's questions, open and closed, each with its answers: for its history."""
        rows = await self.fetchall(_QUESTION_SQL + " WHERE q.draft_id=? ORDER BY q.asked_at, q.id", (draft_id,))
        answers: dict[int, list[ExpertAnswer]] = {}
        for a in await self.answers_for(draft_id):
            answers.setdefault(a.question_id, []).append(a)
        return [_question(r, answers.get(r["id"], ())) for r in rows]

    async def answers_for(self, draft_id: int) -> list[ExpertAnswer]:
        """Every answer given on a variant, oldest first (the revise step turns them into feedback items)."""
        return [_answer(r) for r in await self.fetchall("SELECT * FROM answers WHERE draft_id=? ORDER BY id",
                                                        (draft_id,))]

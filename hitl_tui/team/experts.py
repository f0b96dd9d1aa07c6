"""Asking an expert and answering (issue 13).

- `ask(store, config, draft_id, asked_of, question, claim_id=None)`: `asked_of` is a role from `[roles]` (everyone
  holding it may answer) or a person's name. A claim can be sent to legal with `asked_of="legal"` and its id.
- `answer(store, ws, question_id, kind, text)`: kind is `note`, `approve` (approve-for-my-stage: when the piece's
  checklist has a stage this person holds and it is that stage's turn, the answer signs it, in the same
  transaction; if that was the last stage the piece is approved and written to the outbox) or `changes`.
- `my_questions(store, config)`: what was asked of the person running hitl (by name or role), oldest first.
- `expert_answers(store, config, draft_id)`: the variant's answers as `learning.feedback.Answer` items for the next
  revise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..approval import signoff as signoffs
from ..approval.signoff import SignOff, SignOffError, Waiting
from ..config import Config
from ..store import Question, Store, StoreError
from ..workspace import Workspace
from .approve import ApprovalResult, failing_checks, finish_approval
from .variant import load_variant, roles_of


@dataclass(frozen=True)
class Asked:
    question_id: int
    asked_of: str
    of_role: bool
    who: tuple[str, ...]  # the people who may answer
    message: str


@dataclass(frozen=True)
class Answered:
    answer_id: int
    message: str
    signed: SignOff | None = None
    waiting: Waiting | None = None
    approval: ApprovalResult | None = None  # when the answer's sign-off was the last one


async def ask(store: Store, config: Config, draft_id: int, asked_of: str, question: str,
              claim_id: str | None = None) -> Asked:
    asked_of = asked_of.strip()
    of_role = asked_of in config.roles
    who = tuple(config.roles[asked_of]) if of_role else (asked_of,)
    if of_role and not who:
        raise StoreError(f"nobody holds the role {asked_of}: add them under [roles] in hitl.toml")
    qid = await store.ask(draft_id, asked_of, question, of_role=of_role, claim_id=claim_id)
    label = f"{asked_of} ({', '.join(who)})" if of_role else asked_of
    return Asked(qid, asked_of, of_role, who, f"Asked {label}" + (" about a claim." if claim_id else "."))


async def my_questions(store: Store, config: Config) -> list[Question]:
    return await store.questions_for(store.reviewer, roles_of(store.reviewer, config.roles))


async def answer(store: Store, ws: Workspace, question_id: int, kind: str, text: str = "",
                 now: float | None = None) -> Answered:
    now = time.time() if now is None else now
    q = next((q for q in await store.open_questions() if q.id == question_id), None)
    if q is None:
        raise StoreError(f"question {question_id} is not open")
    mine = roles_of(store.reviewer, ws.config.roles)
    if (q.of_role and q.asked_of not in mine) or (not q.of_role and q.asked_of != store.reviewer):
        raise StoreError(f"question {question_id} was asked of {q.asked_of_label()}, not {store.reviewer}")
    role = q.asked_of if q.of_role else ""
    v = await load_variant(store, ws.config, q.draft_id)
    digest = signoffs.text_hash(v.text)
    signed, note = None, ""
    if kind == "approve" and v.stages:
        waiting = v.waiting()
        if waiting is not None and waiting.stage in mine:
            signed = signoffs.sign(store.reviewer, waiting.stage, v.stages, v.signoffs, v.text, v.roles, now)
            role = waiting.stage
        elif waiting is not None:
            my_stages = [s for s in v.stages if s in mine]
            if my_stages:
                try:
                    signoffs.sign(store.reviewer, my_stages[0], v.stages, v.signoffs, v.text, v.roles, now)
                except SignOffError as exc:
                    note = f" {my_stages[0]} is not signed: {exc}."
    aid = await store.answer(question_id, kind, text, role=role, text_hash=digest, signoff=signed)
    what = {"note": "Answered", "approve": "Approved", "changes": "Asked for changes"}[kind]
    if signed is None:
        return Answered(aid, f"{what} (question from {q.asked_by}).{note}")
    after = signoffs.waiting_on(v.stages, [*v.signoffs, signed], v.text, v.roles)
    if after is not None:
        return Answered(aid, f"{what} and signed {signed.stage}. Now waits on {after.describe()}.", signed, after)
    gates = v.gates()
    v.signoffs.append(signed)
    failing = failing_checks(v, gates, await store.ticks(v.draft_id))
    if failing:  # every stage is signed, but a person must still fix (or override) what fails
        return Answered(aid, f"{what} and signed {signed.stage}; every stage is signed, but it is not approved: "
                        + "; ".join(failing), signed)
    result = await finish_approval(store, ws, v, kind="approve", reason="", gates=gates, signed=None, now=now)
    return Answered(aid, f"Answered and signed {signed.stage}; every stage is signed. {result.message}", signed,
                    None, result)


async def expert_answers(store: Store, config: Config, draft_id: int) -> list:
    """The variant's answers as feedback items' input (`learning.feedback.Answer`), oldest first."""
    from ..learning.feedback import Answer

    return [Answer(a.reviewer, a.text, a.role) for a in await store.answers_for(draft_id) if a.text.strip()]

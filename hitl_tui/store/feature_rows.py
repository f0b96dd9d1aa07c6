"""Rows of the team and feature views: questions and answers, audits and routings, compare pairs, a saved edit, an
undo. Slotted dataclasses like store/rows.py, kept apart so that they are defined when first used (the store's mixins
import them inside their methods), not while the station starts (tests/test_startup_lean.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..approval.signoff import SignOff


@dataclass(frozen=True, slots=True)
class ExpertAnswer:
    """An expert's answer to a question: a note, an approval, or changes asked for."""
    id: int
    question_id: int
    draft_id: int
    kind: str  # note | approve | changes
    text: str
    reviewer: str
    role: str  # the role they answered as ('' when asked by name)
    text_hash: str  # the text they looked at
    created_at: float


@dataclass(frozen=True, slots=True)
class Question:
    """A question asked of an expert about one variant, with where it stands."""
    id: int
    brief_id: int
    brief: str  # the brief's file name
    title: str
    draft_id: int
    variant: int
    revision_id: int | None  # the revision the question was asked on
    claim_id: str | None  # the claim it is about, if any
    asked_of: str  # a person's name, or a role
    of_role: bool
    text: str
    asked_by: str
    asked_at: float
    status: str  # open | answered | withdrawn
    closed_at: float | None
    answers: tuple[ExpertAnswer, ...] = ()

    def asked_of_label(self) -> str:
        return f"role {self.asked_of}" if self.of_role else self.asked_of


@dataclass(frozen=True, slots=True)
class AuditItem:
    """An auto-approved piece picked for a person to check, with why it was approved."""
    id: int
    draft_id: int
    brief_id: int
    brief: str
    title: str
    variant: int
    reasons: tuple[str, ...]  # why it was auto-approved
    outbox: str | None  # the file it was written to
    audit_by: str  # the role whose holders audit it ('' = anyone)
    created_at: float
    result: str | None = None  # upheld | overturned, None while pending
    reviewer: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RoutingRecorded:
    """What recording one routing wrote: the routing, and its decision or audit row."""
    routing_id: int
    decision_id: int | None
    audit_id: int | None


@dataclass(slots=True, frozen=True)
class CompareSide:
    """One side as shown. model and label are for after the pick (the blind view must not show them)."""
    draft_id: int
    revision_id: int
    text: str
    variant: int
    model: str
    label: str


@dataclass(slots=True, frozen=True)
class ComparePair:
    """The next pair to judge. number: its place among the reviewer's pairs of this version (1-based); total: how
    many pairs the plan asks of them; judged: how many of those they have judged (skips included)."""
    brief_version_id: int
    brief_id: int
    left: CompareSide
    right: CompareSide
    number: int
    total: int
    judged: int

    @property
    def remaining(self) -> int:
        return self.total - self.judged


@dataclass(frozen=True, slots=True)
class EditSaved:
    """What saving an edit did: the revision it went into, the sign-offs it voided (latest per stage, given for the
    text before this save) and the sentence to show ('' when none)."""
    revision_id: int
    voided: tuple[SignOff, ...] = ()
    notice: str = ""


@dataclass
class Undone:
    """What one undo took back (or, with `blocked` set, why the last action could not be, nothing changed)."""

    kind: str  # the action: score, tick, note, edit, sign_off, approve, override or reject
    draft_id: int
    variant: int  # the draft's variant number in its brief version (0-based)
    brief_version_id: int
    dimension: str | None = None  # score
    value: int | None = None  # score: the value taken back
    restored: int | bool | str | None = None  # score/tick/note: the value in place again (None: none was set)
    item: str | None = None  # tick
    checked: bool | None = None  # tick: the tick taken back
    text: str | None = None  # edit: the text in place again
    decision_id: int | None = None
    stage: str | None = None  # sign_off: the stage whose sign-off was taken back
    blocked: str = ""

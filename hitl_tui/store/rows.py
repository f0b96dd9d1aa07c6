"""Typed rows out of the store: what a brief, a variant, a revision and a decision are, as slotted dataclasses.

"The latest AI revision" is `Draft.latest_ai`, not a query or a comprehension at each use. A row is built from
a query's columns by `from_row`, which ignores columns it does not know (a later migration may add some).

Every read of the store returns these (or a team's rows beside its mixin), read by attribute (`draft.latest_ai.text`);
a row is not a dict. `to_dict()` gives the fields for JSON output.
A new table: its row type here, built in the store method that reads it (see ARCHITECTURE "a store table").
"""

from __future__ import annotations

from dataclasses import asdict, field, fields
from typing import Any, ClassVar

from ..records import record


class Row:
    """Shared by the row types: building from a query's columns. Rows are read by attribute (`draft.latest_ai`);
    there is no `row["key"]`: a string-key look-up is a TypeError, so a caller reading a column that is not there
    fails where it reads, not later with a None."""

    __slots__ = ()
    _FIELDS: ClassVar[frozenset[str]]

    @classmethod
    def from_row(cls, row: dict, **extra: Any):
        names = cls._field_names()
        return cls(**{k: v for k, v in row.items() if k in names}, **extra)

    @classmethod
    def _field_names(cls) -> frozenset[str]:
        names = cls.__dict__.get("_FIELDS")
        if names is None:
            names = frozenset(f.name for f in fields(cls))
            cls._FIELDS = names
        return names

    def to_dict(self) -> dict:
        return asdict(self)


@record(slots=True)
class Revision(Row):
    """One text of a variant: an AI revision (drafted, revised, regenerated) or a human edit."""

    id: int
    draft_id: int
    number: int
    kind: str  # "ai" or "human"
    status: str  # pending, streaming, done, failed, interrupted (a human edit is "done")
    text: str = ""
    error: str | None = None
    feedback: str | None = None  # JSON: what a revise sent
    prompt_version: str | None = None
    model: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost: float | None = None
    latency_ms: int | None = None
    finish_reason: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    writer_id: int | None = None  # the process that writes it while it streams (store/writers.py)
    examples: str | None = None  # JSON: the approved examples its prompt carried (voice memory)

    @property
    def is_ai(self) -> bool:
        return self.kind == "ai"

    @property
    def request(self) -> str:
        """What produced it: draft, revise, regenerate (AI) or edit (a person)."""
        if self.kind == "human":
            return "edit"
        if self.feedback:
            return "revise"
        return "draft" if self.number == 1 else "regenerate"


@record(slots=True)
class Draft(Row):
    """A variant of a brief version, with its revisions oldest first (when read with them)."""

    id: int
    brief_version_id: int
    variant: int
    model: str
    label: str
    temperature: float | None = None
    created_at: float = 0.0
    brief_id: int | None = None  # when read with its brief (Store.draft)
    revisions: list[Revision] = field(default_factory=list)

    @property
    def latest(self) -> Revision:
        """What the variant says now: the newest revision, AI or human."""
        return self.revisions[-1]

    @property
    def latest_ai(self) -> Revision:
        """The newest AI revision (what an edit is measured against; its status is the stream's)."""
        return next(r for r in reversed(self.revisions) if r.kind == "ai")

    @property
    def latest_finished_ai(self) -> Revision | None:
        """The newest AI revision that finished (what a revise's feedback is measured against); None before any."""
        return next((r for r in reversed(self.revisions) if r.kind == "ai" and r.status == "done"), None)

    @property
    def shown(self) -> Revision:
        """The revision the reviewer judges: the newest human edit or finished AI text (a failed stream's partial
        text is not what they saw as the variant), else the newest."""
        return next((r for r in reversed(self.revisions) if r.kind == "human" or r.status == "done"), self.latest)

    @property
    def edited(self) -> bool:
        """A human edit is on top and says something else than the AI (an undone edit is not an edit)."""
        top = self.latest
        return top.kind == "human" and top.text != self.latest_ai.text

    def to_dict(self) -> dict:
        """The variant without its revisions (what the drafting worker is sent)."""
        return {f: getattr(self, f) for f in self._field_names() if f != "revisions"}


@record(slots=True)
class Decision(Row):
    """A decision on a draft: approve, override or reject, by whom, on which revision, and why."""
    id: int
    draft_id: int
    kind: str  # approve, override, reject
    reviewer: str
    brief_id: int | None = None
    revision_id: int | None = None
    reason: str = ""
    undone: int = 0
    created_at: float = 0.0
    active_seconds: float | None = None  # time spent on the brief before deciding (v8)


@record(slots=True)
class BriefRow(Row):
    """A brief as the queue shows it: its file, title, claim and its current version's counts and status."""

    id: int
    name: str
    title: str = ""
    channel: str = ""
    error: str | None = None
    deleted: int = 0
    current_version_id: int | None = None
    file_sig: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    claimed_by: str | None = None
    claim_instance: str | None = None
    claim_expires: float | None = None
    drafts: int = 0
    active: int = 0
    done: int = 0
    failed: int = 0
    interrupted: int = 0  # of `failed`, those cut short (the app or its worker went away)
    approved: int = 0
    rejected: int = 0
    status: str = "new"

"""Typed rows of the store's report paths: exports, statistics, history, rules, results, the team queue.

Their queries join several tables, so a field is a column name of that query; JSON columns are decoded where the
row is built. Kept apart from `rows.py` (the queue's and the station's rows) and imported inside the store methods
that build them: making a slotted dataclass costs about a millisecond at import, and none of these is needed for
the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rows import Row


@dataclass(slots=True)
class VariantReport(Row):
    """A variant in its final state (`Store.draft_rows`): what `hitl export` writes, one row per variant."""

    draft_id: int
    variant: int
    model: str
    label: str
    brief_id: int
    brief: str  # the brief's file name
    title: str
    brief_version: int
    text: str | None  # the latest revision's text (AI or human)
    ai_text: str | None  # the latest AI revision's text
    status: str | None  # the latest AI revision's status
    prompt_version: str | None
    ai_revisions: int | None
    decision: str | None  # the standing decision's kind
    reason: str | None
    reviewer: str | None
    created_at: float
    scores: dict[str, float] = field(default_factory=dict)  # dimension -> the mean over its reviewers
    reviewer_scores: dict[str, dict[str, int]] = field(default_factory=dict)  # reviewer -> dimension -> score
    edit_rate: float = 0.0  # how much of the AI text a person changed


@dataclass(slots=True)
class ScoreRow(Row):
    """One score as given (`Store.score_rows`): per reviewer, variant and dimension."""

    draft_id: int
    brief: str
    brief_version: int
    variant: int
    model: str
    dimension: str
    reviewer: str
    value: int
    created_at: float


@dataclass(slots=True)
class Event(Row):
    """One entry of the append-only log (`Store.events`), its payload decoded."""

    id: int
    ts: float
    reviewer: str
    kind: str
    brief_id: int | None = None
    draft_id: int | None = None
    revision_id: int | None = None
    payload: dict = field(default_factory=dict)


@dataclass(slots=True)
class RuleProposalRow(Row):
    """A mined rule proposal and the decision on it (`Store.rule_proposals`); `proposal` is `Proposal.to_dict()`
    (summary, options, examples, reviewers, channels)."""

    id: str
    kind: str
    pattern: str
    status: str  # open, accepted, rejected, ignored
    pieces: int
    proposal: dict
    replacement: str = ""
    accepted_as: str | None = None
    decided_by: str | None = None
    decided_at: float | None = None
    decided_pieces: int | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def summary(self) -> str:
        return self.proposal.get("summary", "")


@dataclass(slots=True)
class RoutingRow(Row):
    """What auto-approval decided for a variant and why (`Store.routings`)."""

    id: int
    draft_id: int
    auto_approve: int
    audit: int
    reasons: list[str]
    created_at: float
    revision_id: int | None = None
    decision_id: int | None = None
    outbox: str | None = None


@dataclass(slots=True)
class Pick(Row):
    """A blind-compare pick that stands (`Store.picks`)."""

    id: int
    brief_version_id: int
    left_draft_id: int
    left_revision_id: int
    right_draft_id: int
    right_revision_id: int
    pick: str  # left, right, tie, skip
    reviewer: str
    created_at: float
    seconds: float | None = None
    undone: int = 0


@dataclass(slots=True)
class LabelledPick(Row):
    """A reviewer's pick with each side's label (`Store.my_picks`): what the compare view sums up."""

    id: int
    pick: str
    left_label: str
    right_label: str

    @property
    def winner(self) -> str | None:
        """The label of the side picked; None for a tie or a skip."""
        return self.left_label if self.pick == "left" else self.right_label if self.pick == "right" else None


@dataclass(slots=True)
class PieceOrigin(Row):
    """An AI revision of a draft that was ever approved (`Store.pieces_ever_approved`): what an outbox piece id is
    made of, and whether the approval still stands."""

    draft_id: int
    model: str
    brief: str
    drafted_at: float
    active: int


@dataclass(slots=True)
class DraftFacts(Row):
    """A variant as the analytics read it (`Store.draft_facts`, from the `final_drafts` view): what produced it,
    its cost, its standing decision, and `scores` (dimension -> the mean of its reviewers' scores)."""

    draft_id: int
    brief_id: int
    brief: str
    channel: str | None
    brief_version_id: int
    brief_version: int
    variant: int
    model: str
    drafted_at: float
    ai_revision_id: int | None  # the latest AI revision
    ai_revisions: int | None
    status: str | None  # the latest AI revision's
    prompt_version: str | None
    final_revision_id: int | None  # the latest revision, AI or human
    final_author: str | None
    tokens_in: int | None
    tokens_out: int | None
    cost: float | None
    decision: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: float | None
    decided_revision_id: int | None
    ai_text: str | None = None  # read only when asked (`texts=True`)
    final_text: str | None = None
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class PromptInput(Row):
    """What it takes to rebuild the messages of an AI revision whose messages were not logged
    (`Store.prompt_inputs`)."""

    revision_id: int
    number: int
    feedback: str | None  # JSON: what a revise sent
    prompt_version: str | None
    variant: int
    brief: str
    fields: str  # JSON: the brief version's fields
    rank: int  # among the same model's variants of the brief version: the angle it was given
    previous: str | None  # the text before it (for a revise)


@dataclass(slots=True)
class QueueVariant(Row):
    """A variant of a brief's current version as the team queue reads it (`Store.queue_variants`)."""

    brief_id: int
    draft_id: int
    variant: int
    text: str | None  # the latest revision's
    status: str | None  # the latest AI revision's
    decision: str | None  # the standing decision's kind
    failing_required: int  # required gates failing at its last check
    signoffs: list = field(default_factory=list)  # `SignOff`s that stand
    claims: list = field(default_factory=list)  # `ClaimRecord`s (the claims register)

    @property
    def in_play(self) -> bool:
        """Finished and not rejected: what a brief can still be approved from."""
        return self.decision != "reject" and self.status == "done"


@dataclass(slots=True)
class QueueBrief(Row):
    """A brief's current version for the team queue: its fields and its variants."""

    fields: dict = field(default_factory=dict)
    variants: list[QueueVariant] = field(default_factory=list)


@dataclass(slots=True)
class RevisionHistory(Row):
    """A revision as a brief's history shows it (`Store.brief_history`): what produced it, the items a revise was
    sent (`FeedbackItem.to_dict()` with its `mark`) and the voice memory it was given (None: none recorded)."""

    revision_id: int
    number: int
    kind: str
    request: str  # draft, revise, regenerate or edit
    status: str
    model: str | None
    prompt_version: str | None
    created_at: float
    text: str
    items: list[dict] = field(default_factory=list)
    examples: list[dict] | None = None  # the approved pieces shown: brief, label, variant, revision_id
    learned_lines: list[str] | None = None


@dataclass(slots=True)
class VariantHistory(Row):
    """A variant of a brief version with its revisions in order (`Store.brief_history`)."""

    draft_id: int
    variant: int
    model: str
    label: str
    brief_version: int
    revisions: list[RevisionHistory] = field(default_factory=list)

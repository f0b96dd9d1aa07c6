"""Pairwise preferences: explicit picks from the compare view and the implicit pairs the log already holds.

Core module: no UI, no store. Inputs are `Variant` rows (one per draft, as the log has it); outputs are `Pair`s that
both the Bradley–Terry fit (`bradley_terry.win_rates`) and the fine-tuning exports (`finetune`) read.

A `Pair` is (winner, loser) or a tie (then winner/loser are just the two sides, in shown order). Its `kind` says
where it came from and is kept all the way into export rows and win-rate filters:

- `explicit` — a reviewer's pick in the blind compare view (left better / right better / tie).
- `approved_over_rejected` — within one brief version, each approved variant over each rejected one.
- `edit_over_ai` — a reviewer's final (approved) text over the AI text it started from. Both sides carry the same
  model, so it says nothing about model against model: the fit skips it as a self-pair, the exports use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

EXPLICIT, APPROVED_OVER_REJECTED, EDIT_OVER_AI = "explicit", "approved_over_rejected", "edit_over_ai"
KINDS = (EXPLICIT, APPROVED_OVER_REJECTED, EDIT_OVER_AI)
APPROVALS = ("approve", "override")


@dataclass(slots=True, frozen=True)
class Variant:
    """One variant (a `drafts` row) in its final state, with its active decision.

    brief, brief_version: `briefs.name`, `brief_versions.version` (pairs never cross brief versions).
    draft_id: `drafts.id`; ai_revision_id / final_revision_id: the latest AI revision and the latest revision of
        any kind (`revisions.id`); equal when nobody edited.
    model, prompt_version, channel: from the draft, its latest AI revision and the brief.
    ai_text: the latest AI revision's text; final_text: the latest revision's text (the human edit, if any).
    decision: the latest decision not undone — "approve", "override", "reject" or None; reviewer, decided_at: who
        made it and when (epoch seconds).
    messages: the chat messages the model was sent for `ai_text` (system, user), for the exports; empty if unknown.
    prompt_source: "logged" (the messages as sent, from the log) or "rebuilt" (re-made from the brief and the
        prompt templates for a log that predates logging them); the exports carry it in `meta`.
    scores: rubric dimension → 1..5 for this draft (the mean over reviewers when several scored it).
    """
    brief: str
    brief_version: int
    draft_id: int
    model: str
    ai_text: str
    final_text: str
    decision: str | None = None
    reviewer: str | None = None
    decided_at: float | None = None
    prompt_version: str | None = None
    channel: str = ""
    ai_revision_id: int | None = None
    final_revision_id: int | None = None
    messages: tuple[Mapping[str, str], ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    prompt_source: str = "logged"

    @property
    def approved(self) -> bool:
        return self.decision in APPROVALS

    @property
    def edited(self) -> bool:
        return self.final_text.strip() != self.ai_text.strip()


@dataclass(slots=True, frozen=True)
class Side:
    """One side of a pair: a text and where it came from. author is "ai" or "human" (a reviewer's edit);
    messages and prompt_source: the prompt of the AI text it is (or started from), as for `Variant`."""
    draft_id: int
    revision_id: int | None
    model: str
    prompt_version: str | None
    text: str
    author: str = "ai"
    messages: tuple[Mapping[str, str], ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    prompt_source: str = "logged"


@dataclass(slots=True, frozen=True)
class Pair:
    """A preference between two texts of one brief version. With tie=True neither side is preferred."""
    winner: Side
    loser: Side
    kind: str
    brief: str
    brief_version: int
    reviewer: str | None = None
    ts: float | None = None
    tie: bool = False

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.winner, self.loser


def side_of(variant: Variant, *, final: bool = False) -> Side:
    """The variant's AI text (default) or its final text as a pair side."""
    if final and variant.edited:
        return Side(variant.draft_id, variant.final_revision_id, variant.model, variant.prompt_version,
                    variant.final_text, "human", variant.messages, variant.scores, variant.prompt_source)
    return Side(variant.draft_id, variant.ai_revision_id, variant.model, variant.prompt_version, variant.ai_text,
                "ai", variant.messages, variant.scores, variant.prompt_source)


def explicit_pair(left: Variant, right: Variant, pick: str, *, reviewer: str | None = None,
                  ts: float | None = None) -> Pair:
    """A compare-view judgment: pick is "left", "right" or "tie" (as shown to the reviewer).

    The sides are the texts the reviewer saw: each variant's final text (a human edit, if any)."""
    if pick not in ("left", "right", "tie"):
        raise ValueError(f"pick must be left, right or tie, not {pick!r}")
    if (left.brief, left.brief_version) != (right.brief, right.brief_version):
        raise ValueError("a pair compares two variants of the same brief version")
    a, b = side_of(left, final=True), side_of(right, final=True)
    winner, loser = (b, a) if pick == "right" else (a, b)
    return Pair(winner, loser, EXPLICIT, left.brief, left.brief_version, reviewer, ts, tie=pick == "tie")


def approved_over_rejected(variants: Iterable[Variant]) -> list[Pair]:
    """Within each brief version: every approved variant (its final text) over every rejected one (its AI text).

    Undecided variants give no pair: nobody said they were worse. Reviewer and time are the approval's."""
    groups: dict[tuple[str, int], list[Variant]] = defaultdict(list)
    for v in variants:
        groups[(v.brief, v.brief_version)].append(v)
    pairs = []
    for (brief, version), members in groups.items():
        approved = [v for v in members if v.approved]
        rejected = [v for v in members if v.decision == "reject"]
        for good in approved:
            for bad in rejected:
                pairs.append(Pair(side_of(good, final=True), side_of(bad), APPROVED_OVER_REJECTED, brief, version,
                                  good.reviewer, good.decided_at))
    return pairs


def edit_over_ai(variants: Iterable[Variant]) -> list[Pair]:
    """For each approved variant a reviewer edited: the approved final text over the AI text it started from."""
    return [Pair(side_of(v, final=True), side_of(v), EDIT_OVER_AI, v.brief, v.brief_version, v.reviewer,
                 v.decided_at) for v in variants if v.approved and v.edited]


def implicit_pairs(variants: Iterable[Variant]) -> list[Pair]:
    """Both kinds of implicit pair from the same variant rows."""
    variants = list(variants)
    return approved_over_rejected(variants) + edit_over_ai(variants)

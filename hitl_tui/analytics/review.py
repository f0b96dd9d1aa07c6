"""Review analytics from plain rows: approval, revisions, edits, time, cost, gate failures and gate false positives.

Core module: no UI, no store. Inputs are one `VariantFacts` per variant (a draft) and the `GateRow`s of its
revisions; `review_stats` returns a JSON-ready dict with the same block of numbers overall and per model, per
prompt version and per channel (`by_model`, `by_prompt_version`, `by_channel`), plus `override_reasons`.

Definitions (one variant = one draft of a brief version):

- decided: the variant has a decision, or a sibling in its brief version was approved (it was passed over).
  Variants of brief versions nobody has decided yet are left out of every rate below.
- `approval_rate` = approved / decided; `first_pass_approval_rate` = approved on its first AI text (no revise, no
  regenerate) / decided.
- `revisions_per_approval` = revise/regenerate rounds spent on decided variants / approvals.
- `human_edit_rate` = mean edit rate (0 untouched … 1 rewritten) of approved text against its AI text.
- `time_to_approve_minutes` = median minutes from the variant's first draft to its approval;
  `active_review_minutes` = median active review time per approved piece where known (see `activity.py`).
- `cost_per_approved` / `tokens_per_approved` = all cost / tokens of decided variants (rejected ones included:
  they are the price of the approvals) / approvals.
- `gate_failures` / `gate_warnings`: gate results with that status on AI revisions, per gate.
- `gate_false_positive_rate`, per gate: of the decided variants the gate flagged, the share where people judged
  it wrong. A required gate *flags* a variant when it failed on any of its AI revisions; it was a false positive when
  the variant was then approved by override while the gate still failed on the approved text. An advisory gate
  (warn, or fail when not required) flags a variant when it spoke on any of its AI revisions; it was a false
  positive when the latest AI text still carried the warning and was approved unchanged (edit rate 0). Each entry:
  `flags`, `false_positives`, `rate` (None without flags), `required`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from statistics import median

APPROVALS = ("approve", "override")
GROUPS = {"by_model": "model", "by_prompt_version": "prompt_version", "by_channel": "channel"}


@dataclass(slots=True, frozen=True)
class VariantFacts:
    """One draft. drafted_at: `drafts.created_at`; ai_revisions: its highest AI revision number; tokens/cost: sums
    over its AI revisions; decision/reason/decided_at/decided_revision_id: its latest decision not undone (None if
    none); edit_rate: final text vs latest AI text (`metrics.edit_rate`), None if unknown; ai_revision_id: its latest
    AI revision; active_seconds: active review time up to the decision (`activity.active_seconds`), None if unknown.
    """
    draft_id: int
    brief_version_id: int
    model: str
    drafted_at: float
    ai_revisions: int = 1
    prompt_version: str | None = None
    channel: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    decision: str | None = None
    reason: str = ""
    decided_at: float | None = None
    decided_revision_id: int | None = None
    ai_revision_id: int | None = None
    edit_rate: float | None = None
    active_seconds: float | None = None

    @property
    def approved(self) -> bool:
        return self.decision in APPROVALS


@dataclass(slots=True, frozen=True)
class GateRow:
    """A `gate_results` row with its draft: ai says whether the revision was an AI one (else a human edit)."""
    draft_id: int
    revision_id: int
    gate: str
    status: str
    required: bool
    ai: bool = True


def _rate(num: float, den: float, digits: int = 3) -> float | None:
    return round(num / den, digits) if den else None


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


@dataclass(slots=True, frozen=True)
class _GateSummary:
    """One variant's gate facts, worked out once and summed per group: the gates that failed / warned on its AI
    revisions (once per result), and for a variant with a decision, (gate, required, false positive?) per flag."""
    failures: tuple[str, ...]
    warnings: tuple[str, ...]
    judged: tuple[tuple[str, bool, bool], ...]


def _summarise(v: VariantFacts, rows: list[GateRow]) -> _GateSummary:
    ai_rows = [g for g in rows if g.ai]
    failures = tuple(g.gate for g in ai_rows if g.status == "fail")
    warnings = tuple(g.gate for g in ai_rows if g.status == "warn")
    if v.decision is None:
        return _GateSummary(failures, warnings, ())  # passed over: its gates were neither confirmed nor overruled
    decided_rows = [g for g in rows if g.revision_id == v.decided_revision_id] or \
        [g for g in ai_rows if g.revision_id == v.ai_revision_id]
    still_failing = {g.gate for g in decided_rows if g.status == "fail"}
    latest_speaks = {g.gate for g in ai_rows if g.revision_id == v.ai_revision_id and g.status != "pass"}
    required_of: dict[str, bool] = {}
    for g in ai_rows:
        if g.status == "fail" or (g.status != "pass" and not g.required):
            required_of[g.gate] = required_of.get(g.gate, False) or g.required
    judged = tuple((gate, required, v.decision == "override" and gate in still_failing) if required else
                   (gate, required, v.approved and v.edit_rate == 0 and gate in latest_speaks)
                   for gate, required in required_of.items())
    return _GateSummary(failures, warnings, judged)


def _false_positives(summaries: list[_GateSummary]) -> dict[str, dict]:
    judged = list(chain.from_iterable(s.judged for s in summaries))
    flags = Counter(gate for gate, _, _ in judged)
    wrong = Counter(gate for gate, _, false_positive in judged if false_positive)
    required = {gate for gate, req, _ in judged if req}
    return {gate: {"flags": flags[gate], "false_positives": wrong[gate], "rate": _rate(wrong[gate], flags[gate]),
                   "required": gate in required} for gate in sorted(flags)}


def _counted(gates: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(gates).items(), key=lambda kv: (-kv[1], kv[0])))


def _block(members: list[VariantFacts], approved_versions: set[int], gates: dict[int, _GateSummary]) -> dict:
    decided = [v for v in members if v.decision is not None or v.brief_version_id in approved_versions]
    approved = [v for v in decided if v.approved]
    n = len(approved)
    mine = [gates[v.draft_id] for v in members]
    return {
        "variants": len(members), "decided": len(decided), "approved": n,
        "overridden": sum(v.decision == "override" for v in decided),
        "rejected": sum(v.decision == "reject" for v in decided),
        "approval_rate": _rate(n, len(decided)),
        "first_pass_approval_rate": _rate(sum(v.ai_revisions <= 1 for v in approved), len(decided)),
        "revisions_per_approval": _rate(sum(max(v.ai_revisions - 1, 0) for v in decided), n, 2),
        "human_edit_rate": _rate(sum(rates := [v.edit_rate for v in approved if v.edit_rate is not None]),
                                 len(rates)),
        "time_to_approve_minutes": _median([(v.decided_at - v.drafted_at) / 60 for v in approved
                                            if v.decided_at is not None]),
        "active_review_minutes": _median([v.active_seconds / 60 for v in approved if v.active_seconds is not None]),
        "cost_per_approved": _rate(sum(v.cost or 0.0 for v in decided), n, 6),
        "tokens_per_approved": _rate(sum((v.tokens_in or 0) + (v.tokens_out or 0) for v in decided), n, 1),
        "gate_failures": _counted(chain.from_iterable(s.failures for s in mine)),
        "gate_warnings": _counted(chain.from_iterable(s.warnings for s in mine)),
        "gate_false_positive_rate": _false_positives(mine),
    }


def override_reasons(variants: Iterable[VariantFacts]) -> list[dict]:
    """Reasons given for approving over a failing required gate, most frequent first; spelling variants that differ
    only in case and spacing count as one (shown as first written)."""
    counts: Counter = Counter()
    shown: dict[str, str] = {}
    for v in variants:
        if v.decision == "override":
            text = " ".join((v.reason or "").split()) or "(no reason)"
            key = text.casefold()
            shown.setdefault(key, text)
            counts[key] += 1
    return [{"reason": shown[k], "count": n} for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def review_stats(variants: Iterable[VariantFacts], gates: Iterable[GateRow] = ()) -> dict:
    """The block of numbers described in the module docstring: `overall`, `by_model`, `by_prompt_version`,
    `by_channel` (each a dict of group name → block; a missing prompt version or channel is grouped as "—"), and
    `override_reasons`."""
    variants = list(variants)
    by_draft: dict[int, list[GateRow]] = defaultdict(list)
    for g in gates:
        by_draft[g.draft_id].append(g)
    approved_versions = {v.brief_version_id for v in variants if v.approved}
    summaries = {v.draft_id: _summarise(v, by_draft.get(v.draft_id, [])) for v in variants}
    out: dict = {"overall": _block(variants, approved_versions, summaries)}
    for name, attr in GROUPS.items():
        groups: dict[str, list[VariantFacts]] = defaultdict(list)
        for v in variants:
            groups[getattr(v, attr) or "—"].append(v)
        out[name] = {g: _block(members, approved_versions, summaries) for g, members in sorted(groups.items())}
    out["override_reasons"] = override_reasons(variants)
    return out

"""Auto-approval policy with audits: when no human is needed, and a random share checked by one anyway.

Core module: no UI, no store.

A checklist may carry a policy, off by default, e.g. in `hitl.toml`:

    [checklists.social]
    auto_approve = { when = "all-gates-pass", audit = 0.1, min_score = { model = "judge", value = 4 } }

- `when`: "all-gates-pass" — every automatic gate passed (no failure, no advisory warning either: a warning is
  something a person should weigh); or "required-gates-pass" — no required gate failed (warnings are listed in the
  reasons but do not stop it).
- `audit`: the share (0..1) of auto-approved variants that also go to the audit queue, where a human approves or
  overturns them. The draw is seeded per variant (`seed` + `key`), so the same variant always gets the same answer.
- `min_score` (optional): a scoring model's minimum score, `model` and `value`, on one `dimension` or (default) the
  mean over its dimensions. A missing score means no auto-approval.
- `seed` (optional, default 0): the audit draw's seed, so a workspace can pick a different but reproducible sample.
- `audit_by` (optional): the role whose holders do the audits (default: anyone).

`route(policy, gates, scores, key=...)` → `Routing(auto_approve, audit, reasons)`; every reason is a short phrase for
the log and the outbox front matter. `auto_approval_stats` counts what happened afterwards for `hitl stats`.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .results import wilson

WHEN = ("all-gates-pass", "required-gates-pass")


class PolicyError(ValueError):
    """A policy in hitl.toml that cannot be used; the message is one line naming the setting."""


@dataclass(slots=True, frozen=True)
class MinScore:
    model: str
    value: float
    dimension: str | None = None


@dataclass(slots=True, frozen=True)
class AutoApprovePolicy:
    when: str = "all-gates-pass"
    audit: float = 0.1
    min_score: MinScore | None = None
    seed: int = 0
    audit_by: str = ""

    @classmethod
    def from_config(cls, raw: Mapping | None, where: str = "auto_approve") -> AutoApprovePolicy | None:
        """The policy from its TOML table, or None when absent (off). Raises PolicyError naming the bad setting."""
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise PolicyError(f"{where} must be a table like {{ when = \"all-gates-pass\", audit = 0.1 }}")
        unknown = sorted(set(raw) - {"when", "audit", "min_score", "seed", "audit_by"})
        if unknown:
            raise PolicyError(f"{where}: unknown setting {unknown[0]!r} (when, audit, min_score, seed, audit_by)")
        when = raw.get("when", "all-gates-pass")
        if when not in WHEN:
            raise PolicyError(f"{where}.when must be one of {', '.join(WHEN)}, not {when!r}")
        audit = raw.get("audit", 0.1)
        if isinstance(audit, bool) or not isinstance(audit, (int, float)) or not 0 <= audit <= 1:
            raise PolicyError(f"{where}.audit must be a share between 0 and 1, not {audit!r}")
        min_score = None
        if (ms := raw.get("min_score")) is not None:
            if not isinstance(ms, Mapping) or not isinstance(ms.get("model"), str) or not ms.get("model"):
                raise PolicyError(f"{where}.min_score needs a model, e.g. {{ model = \"judge\", value = 4 }}")
            value = ms.get("value")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise PolicyError(f"{where}.min_score.value must be a number, not {value!r}")
            dimension = ms.get("dimension")
            if dimension is not None and not isinstance(dimension, str):
                raise PolicyError(f"{where}.min_score.dimension must be a rubric dimension name")
            min_score = MinScore(ms["model"], float(value), dimension)
        seed = raw.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise PolicyError(f"{where}.seed must be a whole number, not {seed!r}")
        audit_by = raw.get("audit_by", "")
        if not isinstance(audit_by, str):
            raise PolicyError(f"{where}.audit_by must be a role name, not {audit_by!r}")
        return cls(when, float(audit), min_score, seed, audit_by.strip())


@dataclass(slots=True, frozen=True)
class Routing:
    auto_approve: bool
    audit: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"auto_approve": self.auto_approve, "audit": self.audit, "reasons": list(self.reasons)}


def _gate(g: object) -> tuple[str, str, bool]:
    """(id, status, required) from a `gates.GateResult`, a `gate_results` row or a plain mapping."""
    if isinstance(g, Mapping):
        return str(g.get("id") or g.get("gate")), str(g["status"]), bool(g["required"])
    return str(g.id), str(g.status), bool(g.required)


def audit_draw(key: Hashable, share: float, seed: int | str = 0) -> bool:
    """Whether this variant goes to audit: a draw seeded by (seed, key), the same every time it is asked."""
    return share > 0 and random.Random(f"{seed}:{key}").random() < share


def route(policy: AutoApprovePolicy | None, gates: Iterable[object],
          scores: Mapping[str, Mapping[str, float]] | None = None, *, key: Hashable, seed: int | str = 0,
          blockers: Sequence[str] = ()) -> Routing:
    """Decide whether a finished variant is approved without review, and whether it is audited.

    gates: the variant's automatic gate results; scores: scoring model → dimension → score; key: a stable id of the
    variant (its draft id) for the audit draw; blockers: reasons from elsewhere that need a person (e.g. "stage
    legal", "unsourced claim"), each of which stops auto-approval."""
    if policy is None:
        return Routing(False, False, ("auto-approval off",))
    results = [_gate(g) for g in gates]
    stops = list(blockers)
    notes = []
    if not results:
        stops.append("no automatic gate ran")
    for gate_id, status, required in results:
        if status == "pass":
            continue
        label = f"gate {gate_id} {'failed' if status == 'fail' else 'warned'}" + ("" if required else " (advisory)")
        if policy.when == "all-gates-pass" or (status == "fail" and required):
            stops.append(label)
        else:
            notes.append(f"{label}, allowed")
    if policy.min_score:
        ms = policy.min_score
        given = (scores or {}).get(ms.model) or {}
        values = ([given[ms.dimension]] if ms.dimension in given else []) if ms.dimension else list(given.values())
        what = f"{ms.model}" + (f" {ms.dimension}" if ms.dimension else "")
        if not values:
            stops.append(f"no score from {what}")
        else:
            score = sum(values) / len(values)
            (notes if score >= ms.value else stops).append(
                f"score {round(score, 2):g} {'≥' if score >= ms.value else '<'} {ms.value:g} ({what})")
    if stops:
        return Routing(False, False, tuple(stops))
    passed = f"all {len(results)} gates pass" if policy.when == "all-gates-pass" else \
        f"required gates pass ({len(results)} ran)"
    audit = audit_draw(key, policy.audit, seed)
    reasons = (passed, *notes) + ((f"sampled for audit ({policy.audit:.0%})",) if audit else ())
    return Routing(True, audit, reasons)


@dataclass(slots=True, frozen=True)
class ApprovalOutcome:
    """How an approved piece got there: route "auto" or "human"; audited: sent to audit; audit_result "upheld",
    "overturned" or None (audit not done yet)."""
    route: str
    audited: bool = False
    audit_result: str | None = None


def auto_approval_stats(outcomes: Iterable[ApprovalOutcome], level: float = 0.95) -> dict:
    """`auto_approved`, `human_approved`, `audited`, `audit_pending`, `overturned`, and the rates
    `auto_approved_rate` (of approvals) and `overturned_rate` (of finished audits, with a Wilson interval)."""
    outcomes = list(outcomes)
    auto = [o for o in outcomes if o.route == "auto"]
    human = len(outcomes) - len(auto)
    audited = [o for o in auto if o.audited]
    done = [o for o in audited if o.audit_result is not None]
    overturned = sum(o.audit_result == "overturned" for o in done)
    interval = wilson(overturned, len(done), level)
    return {"auto_approved": len(auto), "human_approved": human, "audited": len(audited),
            "audit_pending": len(audited) - len(done), "overturned": overturned,
            "auto_approved_rate": round(len(auto) / len(outcomes), 3) if outcomes else None,
            "overturned_rate": round(overturned / len(done), 3) if done else None,
            "overturned_low": round(interval[0], 3) if interval else None,
            "overturned_high": round(interval[1], 3) if interval else None}

"""Calibration re-shows: which judged variants a reviewer is shown again, blind, and when.

Core module: no UI, no store. `[calibration]` in hitl.toml (config.CalibrationConfig) sets the share of judged
variants re-shown, to whom ("same": each reviewer who scored it, for self-consistency; "other": one reviewer who
did not, for agreement) and how long after the decision. The pick is a draw seeded per variant (`seed` +
draft id), so the same variants are re-shown whoever asks and however often.

Input: `ReshowCandidate`s (judged variants, from `Store.reshow_candidates`). Output: the `ReshowItem`s due for one
reviewer, oldest decision first. A re-show is done for a reviewer once they have re-scored every rubric
dimension; with "other", once any one reviewer who had not scored it has done so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .policy import audit_draw


@dataclass(frozen=True, slots=True)
class ReshowCandidate:
    draft_id: int
    brief: str
    title: str
    variant: int
    decided_at: float
    scored_by: frozenset[str]  # who scored it live
    rescored: Mapping[str, frozenset[str]] = field(default_factory=dict)  # reviewer -> dimensions re-scored


@dataclass(frozen=True, slots=True)
class ReshowItem:
    draft_id: int
    brief: str
    title: str
    variant: int
    decided_at: float
    mode: str  # same | other
    done_dimensions: frozenset[str] = frozenset()  # already re-scored in this re-show


def picked(draft_id: int, share: float, seed: int = 0) -> bool:
    """Whether this judged variant is one of the share re-shown (the same answer every time)."""
    return audit_draw(f"reshow:{draft_id}", share, seed)


def due_reshows(candidates: Iterable[ReshowCandidate], reviewer: str, *, share: float, to: str,
                delay_hours: float, dimensions: Iterable[str], now: float, seed: int = 0) -> list[ReshowItem]:
    dims = frozenset(dimensions)
    out = []
    for c in candidates:
        if not picked(c.draft_id, share, seed) or c.decided_at + delay_hours * 3600 > now:
            continue
        mine = c.rescored.get(reviewer, frozenset())
        if dims <= mine:
            continue
        if to == "same":
            if reviewer not in c.scored_by:
                continue
        else:
            finished = [r for r, d in c.rescored.items() if r not in c.scored_by and dims <= d]
            if reviewer in c.scored_by or finished:
                continue
        out.append(ReshowItem(c.draft_id, c.brief, c.title, c.variant, c.decided_at, to, mine & dims))
    return sorted(out, key=lambda i: (i.decided_at, i.draft_id))

"""The team's numbers for `hitl stats` (and the statistics screen): `agreement` and `auto_approval`.

- `agreement` (analytics.agreement over every score in the log, each reviewer's own, plus calibration re-show
  scores): `by_dimension` {dimension: {alpha, items, reviewers}} — Krippendorff's alpha (ordinal) across reviewers;
  `by_pair` [{reviewers, kappa, items, by_dimension}] — quadratic-weighted Cohen's kappa per reviewer pair;
  `self_consistency` {reviewer: {items, kappa, exact, mean_abs_diff}} — first against latest score of items they
  were shown again; `gold` {reviewer: {items, exact, within_one, mae, bias}} — against briefs' `expected_scores`.
- `auto_approval` (analytics.policy.auto_approval_stats): `auto_approved`, `human_approved`, `audited`,
  `audit_pending`, `overturned`, `auto_approved_rate`, `overturned_rate` (with `overturned_low`/`_high`).

A number that cannot be computed is None.
"""

from __future__ import annotations

from ..store import Store


async def team_stats(store: Store) -> dict:
    from ..analytics.agreement import agreement_stats
    from ..analytics.policy import auto_approval_stats

    return {"agreement": agreement_stats(await store.ratings(), await store.gold()),
            "auto_approval": auto_approval_stats(await store.approval_outcomes())}

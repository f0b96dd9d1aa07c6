"""Agreement and calibration of rubric scores: Krippendorff's alpha, weighted kappa, self-consistency, gold accuracy.

Core module: no UI, no store. numpy and krippendorff are imported inside the functions that need them.

Input: `Rating`s — one score a reviewer gave one item (the text scored: a draft or revision id) on one rubric
dimension, with its time and whether it was a calibration re-show. Outputs (JSON-ready):

- `alpha_by_dimension` — Krippendorff's alpha (ordinal, over the rubric's value domain, via the `krippendorff`
  package) across all reviewers, per dimension: `alpha`, `items` (items scored by at least two reviewers),
  `reviewers`. Each reviewer's *first* score of an item counts, so re-shows to the same person do not inflate it.
- `kappa_by_pair` — Cohen's kappa with quadratic weights per reviewer pair over the items both scored (first
  scores), pooled over dimensions (`kappa`, `items`) and per dimension (`by_dimension`).
- `self_consistency` — per reviewer, their first against their latest score of items shown to them again:
  `items`, `kappa` (quadratic), `exact` (share identical), `mean_abs_diff`.
- `gold_accuracy` — per reviewer against expected scores: `items`, `exact`, `within_one`, `mae` and `bias` (mean of
  reviewer minus gold: negative = harsher than gold).

A statistic that cannot be computed (too few items, or no variation at all) is None rather than a made-up number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

DOMAIN = (1, 2, 3, 4, 5)


@dataclass(slots=True, frozen=True)
class Rating:
    item: Hashable
    reviewer: str
    dimension: str
    value: int
    ts: float = 0.0
    reshow: bool = False


def _by_unit(ratings: Iterable[Rating]) -> dict[str, dict[Hashable, dict[str, list[Rating]]]]:
    """dimension → item → reviewer → that reviewer's ratings of it, oldest first."""
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in ratings:
        out[r.dimension][r.item][r.reviewer].append(r)
    for items in out.values():
        for reviewers in items.values():
            for rs in reviewers.values():
                rs.sort(key=lambda r: (r.ts, r.reshow))
    return out


def krippendorff_alpha(matrix: Sequence[Sequence[float | None]], domain: Sequence[int] = DOMAIN,
                       level: str = "ordinal") -> float | None:
    """Alpha for a reviewers × items matrix (None = not scored), via the krippendorff package."""
    import krippendorff
    import numpy as np

    data = np.array([[np.nan if v is None else float(v) for v in row] for row in matrix], dtype=float)
    if data.size == 0 or not np.any((~np.isnan(data)).sum(0) >= 2):
        return None
    if np.unique(data[~np.isnan(data)]).size < 2:
        return None  # everyone gave one and the same value: agreement is undefined, not perfect
    value = krippendorff.alpha(reliability_data=data, value_domain=list(domain), level_of_measurement=level)
    return None if np.isnan(value) else float(value)


def weighted_kappa(a: Sequence[int], b: Sequence[int], domain: Sequence[int] = DOMAIN,
                   weights: str = "quadratic") -> float | None:
    """Cohen's weighted kappa for two raters' paired scores: 1 − Σ w·observed / Σ w·expected, with disagreement
    weights (x − y)² ("quadratic"), |x − y| ("linear") or 0/1 ("none"); expected from the two raters' marginals.
    None when it is undefined or says nothing: fewer than two pairs (one pair always gives 0), or both raters
    constant."""
    import numpy as np

    if len(a) != len(b):
        raise ValueError("weighted_kappa needs paired scores")
    if len(a) < 2:
        return None
    index = {v: i for i, v in enumerate(domain)}
    k = len(domain)
    observed = np.zeros((k, k))
    for x, y in zip(a, b):
        observed[index[x], index[y]] += 1
    expected = np.outer(observed.sum(1), observed.sum(0)) / observed.sum()
    values = np.asarray(domain, dtype=float)
    diff = values[:, None] - values[None, :]
    w = {"quadratic": diff ** 2, "linear": np.abs(diff), "none": (diff != 0).astype(float)}[weights]
    chance = (w * expected).sum()
    if chance == 0:
        return None
    return float(1.0 - (w * observed).sum() / chance)


def _r(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def alpha_by_dimension(ratings: Iterable[Rating], domain: Sequence[int] = DOMAIN) -> dict[str, dict]:
    out = {}
    for dim, items in sorted(_by_unit(ratings).items()):
        reviewers = sorted({rv for by_rv in items.values() for rv in by_rv})
        units = [item for item, by_rv in items.items() if len(by_rv) >= 2]
        matrix = [[items[u][rv][0].value if rv in items[u] else None for u in units] for rv in reviewers]
        out[dim] = {"alpha": _r(krippendorff_alpha(matrix, domain) if units else None), "items": len(units),
                    "reviewers": len(reviewers)}
    return out


def kappa_by_pair(ratings: Iterable[Rating], domain: Sequence[int] = DOMAIN) -> list[dict]:
    by_dim = _by_unit(ratings)
    reviewers = sorted({rv for items in by_dim.values() for by_rv in items.values() for rv in by_rv})
    out = []
    for x, y in combinations(reviewers, 2):
        pooled_a: list[int] = []
        pooled_b: list[int] = []
        per_dim = {}
        for dim, items in sorted(by_dim.items()):
            both = [(by_rv[x][0].value, by_rv[y][0].value) for by_rv in items.values() if x in by_rv and y in by_rv]
            if both:
                a, b = zip(*both)
                per_dim[dim] = {"kappa": _r(weighted_kappa(a, b, domain)), "items": len(both)}
                pooled_a += a
                pooled_b += b
        if pooled_a:
            out.append({"reviewers": [x, y], "kappa": _r(weighted_kappa(pooled_a, pooled_b, domain)),
                        "items": len(pooled_a), "by_dimension": per_dim})
    return out


def self_consistency(ratings: Iterable[Rating], domain: Sequence[int] = DOMAIN) -> dict[str, dict]:
    pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for items in _by_unit(ratings).values():
        for by_rv in items.values():
            for reviewer, rs in by_rv.items():
                if len(rs) >= 2:
                    pairs[reviewer].append((rs[0].value, rs[-1].value))
    out = {}
    for reviewer, both in sorted(pairs.items()):
        a, b = zip(*both)
        out[reviewer] = {"items": len(both), "kappa": _r(weighted_kappa(a, b, domain)),
                         "exact": _r(sum(x == y for x, y in both) / len(both)),
                         "mean_abs_diff": _r(sum(abs(x - y) for x, y in both) / len(both), 2)}
    return out


def gold_accuracy(ratings: Iterable[Rating], gold: Mapping[tuple[Hashable, str], int]) -> dict[str, dict]:
    """gold: (item, dimension) → expected score. Each reviewer's first score of a gold item counts."""
    diffs: dict[str, list[int]] = defaultdict(list)
    for dim, items in _by_unit(ratings).items():
        for item, by_rv in items.items():
            if (item, dim) in gold:
                for reviewer, rs in by_rv.items():
                    diffs[reviewer].append(rs[0].value - gold[(item, dim)])
    return {rv: {"items": len(d), "exact": _r(sum(x == 0 for x in d) / len(d)),
                 "within_one": _r(sum(abs(x) <= 1 for x in d) / len(d)),
                 "mae": _r(sum(abs(x) for x in d) / len(d), 2), "bias": _r(sum(d) / len(d), 2)}
            for rv, d in sorted(diffs.items())}


def agreement_stats(ratings: Iterable[Rating], gold: Mapping[tuple[Hashable, str], int] | None = None,
                    domain: Sequence[int] = DOMAIN) -> dict:
    """Everything above under the keys `hitl stats --json` uses: `by_dimension` (alpha, items), `by_pair`
    (reviewers, kappa, items), `self_consistency`, `gold`."""
    ratings = list(ratings)
    return {"by_dimension": alpha_by_dimension(ratings, domain), "by_pair": kappa_by_pair(ratings, domain),
            "self_consistency": self_consistency(ratings, domain), "gold": gold_accuracy(ratings, gold or {})}

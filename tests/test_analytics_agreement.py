"""Agreement and calibration (analytics/agreement.py), against published worked examples and the libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hitl_tui.analytics.agreement import (Rating, agreement_stats, alpha_by_dimension, gold_accuracy,
                                          kappa_by_pair, krippendorff_alpha, self_consistency, weighted_kappa)

N = None
# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for Communication,
# University of Pennsylvania, section C ("Nominal data, any number of observers, missing data"): observers A–D,
# 12 units, values 1–5, "." where an observer gave none. Published results: nominal α = 0.743, ordinal α = 0.815,
# interval α = 0.849, ratio α = 0.797.
KRIPPENDORFF_2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
}


def as_ratings(table: dict[str, list[int | None]], dimension: str = "clarity") -> list[Rating]:
    return [Rating(unit, reviewer, dimension, value, ts=float(unit))
            for reviewer, values in table.items() for unit, value in enumerate(values) if value is not None]


def test_alpha_reproduces_krippendorffs_published_example():
    matrix = list(KRIPPENDORFF_2011.values())
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    assert {level: round(krippendorff_alpha(matrix, level=level), 3) for level in published} == published
    # Through the rubric path: per dimension, from plain rating rows. Unit 12 has one value only, so 11 items.
    assert alpha_by_dimension(as_ratings(KRIPPENDORFF_2011)) == {"clarity": {"alpha": 0.815, "items": 11,
                                                                             "reviewers": 4}}


def test_alpha_equals_the_library_on_the_same_data():
    import krippendorff
    import numpy as np

    data = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011.values()], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, value_domain=[1, 2, 3, 4, 5], level_of_measurement="ordinal")
    assert alpha_by_dimension(as_ratings(KRIPPENDORFF_2011))["clarity"]["alpha"] == round(float(expected), 3)


def test_alpha_is_none_when_it_is_undefined():
    assert alpha_by_dimension(as_ratings({"A": [3, 3], "B": [3, 3]}))["clarity"]["alpha"] is None   # no variation
    assert alpha_by_dimension(as_ratings({"A": [3, N], "B": [N, 4]})) == \
        {"clarity": {"alpha": None, "items": 0, "reviewers": 2}}                                   # nothing shared


# Altman, D. G. (1991). Practical Statistics for Medical Research, Chapman & Hall, section 14.3, Table 14.2: two
# radiologists' assessments of 85 xeromammograms (Boyd et al., 1982), rows radiologist A, columns radiologist B,
# categories normal, benign, suspected cancer, cancer. Published: κ = 0.47, weighted κ (weights 1 − |i−j|/(g−1))
# = 0.57; Stata's kappaetc on the same data (webuse rate2) prints Cohen's kappa 0.4728.
ALTMAN_14_2 = [[21, 12, 0, 0], [4, 17, 1, 0], [3, 9, 15, 2], [0, 0, 0, 1]]


def expand(table: list[list[int]]) -> tuple[list[int], list[int]]:
    a, b = [], []
    for i, row in enumerate(table, 1):
        for j, count in enumerate(row, 1):
            a += [i] * count
            b += [j] * count
    return a, b


def test_weighted_kappa_reproduces_altmans_worked_example():
    a, b = expand(ALTMAN_14_2)
    assert round(weighted_kappa(a, b, (1, 2, 3, 4), "none"), 4) == 0.4728
    assert round(weighted_kappa(a, b, (1, 2, 3, 4), "linear"), 2) == 0.57


def test_quadratic_kappa_reproduces_published_values():
    """Maple's EssayTools[QuadraticWeightedKappa] help page, examples 1 and 2 (scores 1–10): 0.758620689655172
    and 0.438095238095238."""
    domain = tuple(range(1, 11))
    first = [9, 7, 8, 7, 6, 8, 3, 5, 10]
    assert weighted_kappa(first, [8, 8, 6, 6, 7, 6, 1, 4, 8], domain) == pytest.approx(0.758620689655172, abs=1e-12)
    assert weighted_kappa(first, [3, 5, 6, 6, 7, 6, 1, 4, 8], domain) == pytest.approx(0.438095238095238, abs=1e-12)
    assert weighted_kappa([3, 3], [3, 3]) is None and weighted_kappa([], []) is None
    assert weighted_kappa([5], [4]) is None      # one item: chance agreement equals observed, always 0
    with pytest.raises(ValueError):
        weighted_kappa([1], [1, 2])


def test_kappa_per_reviewer_pair_pools_dimensions_and_counts_items():
    a, b = expand(ALTMAN_14_2)
    ratings = [Rating(n, "ana", "clarity", x) for n, x in enumerate(a)] + \
        [Rating(n, "ben", "clarity", y) for n, y in enumerate(b)] + \
        [Rating(0, "ana", "brand", 5), Rating(0, "cy", "brand", 4)]
    pairs = {tuple(p["reviewers"]): p for p in kappa_by_pair(ratings)}
    assert set(pairs) == {("ana", "ben"), ("ana", "cy")}         # ben and cy never scored the same item
    ana_ben = pairs[("ana", "ben")]
    assert ana_ben["items"] == 85
    assert ana_ben["kappa"] == round(weighted_kappa(a, b, (1, 2, 3, 4, 5)), 3) == 0.671
    assert ana_ben["by_dimension"] == {"clarity": {"kappa": 0.671, "items": 85}}
    assert pairs[("ana", "cy")]["kappa"] is None and pairs[("ana", "cy")]["items"] == 1


def test_self_consistency_compares_first_and_latest_scores_of_reshown_items():
    ratings = [Rating(item, "ana", "clarity", v, ts=1.0) for item, v in enumerate([1, 2, 3, 4, 5])] + \
        [Rating(item, "ana", "clarity", v, ts=9.0, reshow=True) for item, v in enumerate([1, 2, 4, 4, 5])] + \
        [Rating(0, "ben", "clarity", 3, ts=1.0)]
    # By hand: observed Σ(x−y)² = (3−4)² = 1; expected Σ(i−j)²·a_i·b_j / n with a = one each of 1..5 and
    # b = {1, 2, 4, 4, 5}: (30 + 15 + 15 + 15 + 30) / 5 = 21; κ = 1 − 1/21 = 0.952.
    assert self_consistency(ratings) == {"ana": {"items": 5, "kappa": 0.952, "exact": 0.8, "mean_abs_diff": 0.2}}
    # Inter-rater statistics take each reviewer's first score: the re-show does not count twice.
    assert alpha_by_dimension(ratings)["clarity"]["items"] == 1


def test_accuracy_against_gold_reports_bias():
    gold = {(1, "clarity"): 4, (2, "clarity"): 2, (3, "clarity"): 5}
    ratings = [Rating(1, "ana", "clarity", 3), Rating(2, "ana", "clarity", 2), Rating(3, "ana", "clarity", 3),
               Rating(1, "ben", "clarity", 4), Rating(9, "ben", "clarity", 1)]
    assert gold_accuracy(ratings, gold) == {
        "ana": {"items": 3, "exact": 0.333, "within_one": 0.667, "mae": 1.0, "bias": -1.0},   # harsher than gold
        "ben": {"items": 1, "exact": 1.0, "within_one": 1.0, "mae": 0.0, "bias": 0.0}}
    assert set(agreement_stats(ratings, gold)) == {"by_dimension", "by_pair", "self_consistency", "gold"}


def test_importing_the_analytics_modules_loads_no_numpy():
    code = ("import sys\nimport hitl_tui.analytics.agreement, hitl_tui.analytics.bradley_terry, "
            "hitl_tui.analytics.policy, hitl_tui.analytics.results\n"
            "print(sorted(m for m in ('numpy', 'krippendorff') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

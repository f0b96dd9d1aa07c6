"""Pairwise preferences and Bradley–Terry win rates (analytics/pairs.py, analytics/bradley_terry.py)."""

from __future__ import annotations

import pytest

from hitl_tui.analytics.bradley_terry import by_prompt_version, win_rates
from hitl_tui.analytics.pairs import (APPROVED_OVER_REJECTED, EDIT_OVER_AI, EXPLICIT, Pair, Side, Variant,
                                      approved_over_rejected, edit_over_ai, explicit_pair, implicit_pairs)


def side(model: str, prompt_version: str = "p1", draft_id: int = 1) -> Side:
    return Side(draft_id, draft_id, model, prompt_version, f"text by {model}")


def picks(winner: str, loser: str, n: int, *, tie: bool = False) -> list[Pair]:
    return [Pair(side(winner), side(loser), EXPLICIT, "brief.toml", 1, tie=tie)] * n


def rated(rows) -> dict[str, float | None]:
    return {w.item: w.rating for w in rows}


def test_two_items_match_the_closed_form():
    """Hand check. Two items, no prior: the likelihood is (π_A/(π_A+π_B))^w (π_B/(π_A+π_B))^l, maximised at
    π_A/π_B = w/l, so P(A beats B) = w/(w+l). A won 6, lost 2 and tied 2: ties count half, so w = 7, l = 3 and
    A's rating (its expected win rate against the field, here just B) is exactly 0.7; B's is 0.3."""
    pairs = picks("A", "B", 6) + picks("B", "A", 2) + picks("A", "B", 2, tie=True)
    rows = win_rates(pairs, prior_games=0, bootstrap=0)
    assert [(w.item, w.rating, w.comparisons, w.wins, w.ties) for w in rows] == \
        [("A", 0.7, 10, 7.0, 2), ("B", 0.3, 10, 3.0, 2)]


def test_three_items_recover_strengths_that_fit_exactly():
    """Hand check. With strengths π = (4, 2, 1): P(A>B) = 2/3, P(B>C) = 2/3, P(A>C) = 4/5. Data with exactly those
    shares (20–10, 20–10, 24–6) satisfy the likelihood equations W_i = Σ_j n_ij π_i/(π_i+π_j) (A: 44 = 30·2/3 +
    30·4/5), so the MLE is π ∝ (4, 2, 1) and the ratings are A = (2/3 + 4/5)/2 = 0.7333, B = (1/3 + 2/3)/2 = 0.5,
    C = (1/5 + 1/3)/2 = 0.2667."""
    pairs = (picks("A", "B", 20) + picks("B", "A", 10) + picks("B", "C", 20) + picks("C", "B", 10)
             + picks("A", "C", 24) + picks("C", "A", 6))
    assert rated(win_rates(pairs, prior_games=0, bootstrap=0)) == {"A": 0.7333, "B": 0.5, "C": 0.2667}
    # The default weak prior shrinks toward even but keeps the order and nearly the values on 60 comparisons each.
    shrunk = win_rates(pairs, seed=7)
    assert [w.item for w in shrunk] == ["A", "B", "C"]
    assert 0.70 < shrunk[0].rating < 0.7333 and 0.2667 < shrunk[2].rating < 0.30


def test_clear_order_ranks_with_intervals_around_each_rating():
    pairs = picks("strong", "middle", 9) + picks("middle", "strong", 1) + picks("middle", "weak", 8) + \
        picks("weak", "middle", 2) + picks("strong", "weak", 10)
    rows = win_rates(pairs, seed=1)
    assert [w.item for w in rows] == ["strong", "middle", "weak"]
    for w in rows:
        assert w.low <= w.rating <= w.high and w.comparisons == 20
    # Expected win rates against the field always average 0.5.
    assert sum(w.rating for w in rows) / 3 == pytest.approx(0.5, abs=1e-3)
    assert rows[0].to_dict().keys() >= {"rating", "low", "high", "comparisons"}


def test_more_comparisons_narrow_the_interval_and_a_seed_repeats_it():
    few = picks("A", "B", 6) + picks("B", "A", 4)
    many = few * 20
    width = [w.high - w.low for w in (win_rates(few, seed=3)[0], win_rates(many, seed=3)[0])]
    assert width[1] < width[0] / 2
    assert win_rates(few, seed=3) == win_rates(few, seed=3)


def test_an_item_that_never_wins_or_never_loses_gets_a_finite_rating():
    pairs = picks("always", "never", 5) + picks("always", "sometimes", 3) + picks("sometimes", "never", 2)
    rows = {w.item: w for w in win_rates(pairs, seed=1)}
    assert 0.5 < rows["always"].rating < 1.0 and 0.0 < rows["never"].rating < 0.5
    assert rows["never"].wins == 0
    with pytest.raises(ValueError, match="won and lost"):
        win_rates(pairs, prior_games=0, bootstrap=0)


def test_disconnected_comparisons_are_labelled_and_stay_finite():
    pairs = picks("A", "B", 4) + picks("B", "A", 1) + picks("C", "D", 1)
    rows = {w.item: w for w in win_rates(pairs, seed=1)}
    assert rows["A"].component == rows["B"].component == 0        # the larger part first
    assert rows["C"].component == rows["D"].component == 1
    assert rows["A"].rating > rows["B"].rating and rows["C"].rating > rows["D"].rating
    # C won its only comparison: the prior keeps it well short of certain, with a wide interval.
    assert rows["C"].rating < 0.8 and rows["C"].high - rows["C"].low > 0.1


def test_no_pairs_give_no_ratings_and_named_items_report_nothing_to_say():
    assert win_rates([]) == []
    rows = win_rates([], items=["gpt", "claude"])
    assert [(w.item, w.rating, w.low, w.high, w.comparisons) for w in rows] == \
        [("claude", None, None, None, 0), ("gpt", None, None, None, 0)]


def test_self_pairs_are_skipped_and_kinds_filter():
    edit = Pair(side("A"), side("A"), EDIT_OVER_AI, "b", 1)
    implicit = Pair(side("B"), side("A"), APPROVED_OVER_REJECTED, "b", 1)
    explicit = picks("A", "B", 1)
    assert {w.item: w.comparisons for w in win_rates([edit, implicit, *explicit], bootstrap=0)} == {"A": 2, "B": 2}
    assert rated(win_rates([edit, implicit, *explicit], kinds={EXPLICIT}, bootstrap=0))["A"] > 0.5


def test_win_rates_by_prompt_version():
    pairs = [Pair(side("m", "v2"), side("m", "v1"), EXPLICIT, "b", 1)] * 4
    assert [w.item for w in win_rates(pairs, by_prompt_version, bootstrap=0)] == ["v2", "v1"]


def variant(draft_id: int, model: str, decision: str | None, *, version: int = 1, final: str | None = None,
            brief: str = "sale.toml") -> Variant:
    ai = f"AI text {draft_id}"
    return Variant(brief, version, draft_id, model, ai, final if final is not None else ai, decision,
                   reviewer="dana" if decision else None, decided_at=1000.0 + draft_id if decision else None,
                   ai_revision_id=draft_id * 10, final_revision_id=draft_id * 10 + (1 if final else 0))


def test_approved_over_rejected_pairs_stay_within_a_brief_version():
    rows = [variant(1, "A", "approve"), variant(2, "B", "reject"), variant(3, "C", None),
            variant(4, "B", "reject", version=2), variant(5, "A", "override", version=2),
            variant(6, "C", "reject", version=2)]
    pairs = approved_over_rejected(rows)
    assert sorted((p.brief_version, p.winner.draft_id, p.loser.draft_id) for p in pairs) == \
        [(1, 1, 2), (2, 5, 4), (2, 5, 6)]
    assert {p.kind for p in pairs} == {APPROVED_OVER_REJECTED}
    assert all(p.reviewer == "dana" and not p.tie for p in pairs)


def test_edit_over_ai_keeps_the_human_text_and_its_source():
    rows = [variant(1, "A", "approve", final="Edited by a person"), variant(2, "B", "approve"),
            variant(3, "C", "reject", final="Edited then rejected")]
    [pair] = edit_over_ai(rows)
    assert (pair.winner.author, pair.winner.text, pair.winner.revision_id) == ("human", "Edited by a person", 11)
    assert (pair.loser.author, pair.loser.text, pair.loser.revision_id) == ("ai", "AI text 1", 10)
    # Both approved variants beat the rejected one, plus the edit pair.
    assert sorted(p.kind for p in implicit_pairs(rows)) == [APPROVED_OVER_REJECTED] * 2 + [EDIT_OVER_AI]


def test_explicit_pair_follows_the_side_picked():
    left, right = variant(1, "A", None), variant(2, "B", None, final="B edited")
    assert explicit_pair(left, right, "right", reviewer="kim", ts=5.0).winner.text == "B edited"
    tie = explicit_pair(left, right, "tie")
    assert tie.tie and tie.kind == EXPLICIT
    with pytest.raises(ValueError):
        explicit_pair(left, variant(3, "C", None, version=2), "left")
    with pytest.raises(ValueError):
        explicit_pair(left, right, "both")


def test_the_plain_mle_refuses_bootstrap_intervals_up_front():
    """Without the prior a resample where some item never won has no MLE: the answer must not depend on the draw."""
    pairs = picks("A", "B", 1) + picks("B", "A", 1)
    assert rated(win_rates(pairs, prior_games=0, bootstrap=0)) == {"A": 0.5, "B": 0.5}
    for seed in range(5):
        with pytest.raises(ValueError, match="bootstrap=0"):
            win_rates(pairs, prior_games=0, seed=seed)

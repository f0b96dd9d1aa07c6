"""Win rates from pairwise preferences: a Bradley–Terry fit with bootstrap intervals.

Core module: no UI, no store; numpy is imported inside the functions.

Input: `pairs.Pair`s and a key that names the item of a side (its model by default, or its prompt version).
Output: one `WinRate` per item, best first, with

- `rating` — the item's **expected win rate against the field**: the mean, over every other compared item j, of the
  fitted P(item beats j) = π_item / (π_item + π_j). 0.5 is average; with two items it is simply P(A beats B).
- `low`, `high` — a percentile bootstrap interval (95% by default): the pairs are resampled with replacement, the
  model refitted, and the rating recomputed each time. `seed` fixes the resampling for tests.
- `comparisons` — pairs this item took part in (ties included); `wins` counts ties as half; `ties`.
- `component` — which connected part of the comparison graph the item is in (0 = the largest). Items in different
  components were never compared, even indirectly: their ratings meet only through the prior below.

The model: P(i beats j) = π_i / (π_i + π_j), fitted by Hunter's (2004) MM algorithm. A tie counts as half a win for
each side (the usual convention; Davidson's tie model would need a tie parameter we have too little data for).
Pairs whose two sides have the same key (an edit over its own model's text) carry no information and are skipped.

Regularisation: every item also plays `prior_games` (default 1) virtual games against a fixed reference of strength
1, winning half of them. That is a weak prior pulling each strength toward the reference: an item that never won or
never lost gets a finite rating instead of 0 or 1; disconnected groups of items are tied together only through the
reference, so their cross-group comparisons stay near even with wide intervals; a few real comparisons quickly
outweigh it. `prior_games=0` is the plain maximum-likelihood fit (strengths scaled to geometric mean 1); it exists
only where the MLE does (every item has won and lost), which is what a hand-checked test needs, and without
intervals (a resample may have no MLE).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from .pairs import Pair, Side


def by_model(side: Side) -> str | None:
    return side.model


def by_prompt_version(side: Side) -> str | None:
    return side.prompt_version


@dataclass(slots=True, frozen=True)
class WinRate:
    item: str
    rating: float | None
    low: float | None
    high: float | None
    comparisons: int
    wins: float = 0.0
    ties: int = 0
    component: int | None = None

    def to_dict(self) -> dict:
        """The keys `hitl stats --json` promises (`rating`, `low`, `high`, `comparisons`) and the counts."""
        return {"rating": self.rating, "low": self.low, "high": self.high, "comparisons": self.comparisons,
                "wins": self.wins, "ties": self.ties, "component": self.component}


def outcomes(pairs: Iterable[Pair], key: Callable[[Side], str | None] = by_model,
             kinds: Collection[str] | None = None) -> list[tuple[str, str, float]]:
    """(a, b, score of a) per usable pair: 1.0 when a won, 0.5 for a tie. Self-pairs and unnamed sides are skipped."""
    out = []
    for pair in pairs:
        if kinds is not None and pair.kind not in kinds:
            continue
        a, b = key(pair.winner), key(pair.loser)
        if a is None or b is None or a == b:
            continue
        out.append((a, b, 0.5 if pair.tie else 1.0))
    return out


def fit(items: list[str], cells: list[tuple[int, int, float]], counts, prior_games: float = 1.0, *,
        tol: float = 1e-9, max_iter: int = 100):
    """Strengths π for one or many data sets at once.

    cells: the distinct outcomes (i, j, score of i); counts: array (R, len(cells)) — how often each happened in each
    of R data sets (R = 1 for the data itself, R = bootstrap size). Returns an array (R, len(items)).

    Maximises the log-likelihood in θ = log π by Newton's method, batched over the R data sets (a handful of steps;
    Hunter's MM iteration reaches the same optimum but needed thousands of steps on large, lopsided logs). The
    log-likelihood is concave, so damped Newton steps (at most 2 in θ at a time) converge from θ = 0."""
    import numpy as np

    k = len(items)
    counts = np.asarray(counts, dtype=float).reshape(-1, len(cells))
    wins_of = np.zeros((len(cells), k))
    games_of = np.zeros((len(cells), k * k))
    for c, (i, j, score) in enumerate(cells):
        wins_of[c, i] += score
        wins_of[c, j] += 1.0 - score
        games_of[c, i * k + j] += 1.0
        games_of[c, j * k + i] += 1.0
    wins = counts @ wins_of                                    # (R, k)
    games = (counts @ games_of).reshape(-1, k, k)              # (R, k, k), symmetric
    if prior_games <= 0:
        played = games.sum(-1)
        if np.any((wins <= 0) | (wins >= played)):
            raise ValueError("prior_games=0 needs every item to have won and lost at least once")
    free = k if prior_games > 0 else k - 1     # without the prior, θ is fixed only up to a constant: pin the last
    theta = np.zeros_like(wins)
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(theta[:, None, :] - theta[:, :, None]))      # p[r, i, j] = P(i beats j)
        p_ref = 1.0 / (1.0 + np.exp(-theta))                                  # P(i beats the reference)
        grad = wins + prior_games / 2.0 - (games * p).sum(-1) - prior_games * p_ref
        info = games * p * (1.0 - p)
        hess = info - np.eye(k) * (info.sum(-1) + prior_games * p_ref * (1.0 - p_ref))[:, :, None]
        step = np.linalg.solve(-hess[:, :free, :free], grad[:, :free, None])[..., 0]
        step *= np.minimum(1.0, 2.0 / np.maximum(np.abs(step).max(-1, keepdims=True), 1e-300))
        theta[:, :free] += step
        if np.abs(step).max() < tol:
            break
    if prior_games <= 0:
        theta -= theta.mean(-1, keepdims=True)
    return np.exp(theta)


def expected_win_rates(pi):
    """Each item's mean P(beats j) over the other items j, for an array of strengths (R, k)."""
    import numpy as np

    pi = np.atleast_2d(pi)
    k = pi.shape[1]
    if k < 2:
        return np.full(pi.shape, 0.5)
    p = pi[:, :, None] / (pi[:, :, None] + pi[:, None, :])
    return (p.sum(-1) - 0.5) / (k - 1)     # the diagonal holds P(i beats i) = 0.5


def _components(items: list[str], edges: Iterable[tuple[int, int]]) -> list[int]:
    parent = list(range(len(items)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), min(items[i] for i in g)))
    label = [0] * len(items)
    for n, members in enumerate(ordered):
        for i in members:
            label[i] = n
    return label


def win_rates(pairs: Iterable[Pair], key: Callable[[Side], str | None] = by_model, *,
              kinds: Collection[str] | None = None, items: Iterable[str] = (), prior_games: float = 1.0,
              bootstrap: int = 1000, level: float = 0.95, seed: int | None = None) -> list[WinRate]:
    """Bradley–Terry win rates per item (see the module docstring), best first.

    kinds: keep only these pair kinds (e.g. {"explicit"}); items: names to report even with no comparison (their
    rating and interval are None: there is nothing to say); bootstrap=0 skips the intervals (low/high None)."""
    import numpy as np

    if prior_games <= 0 and bootstrap > 0:
        # A resample where some item never won has no MLE: whether it raised would depend on the draw.
        raise ValueError("prior_games=0 (the plain MLE) gives no bootstrap interval: pass bootstrap=0")
    results = outcomes(pairs, key, kinds)
    names = sorted({a for a, _, _ in results} | {b for _, b, _ in results})
    index = {name: i for i, name in enumerate(names)}
    tally: dict[tuple[int, int, float], int] = {}
    comparisons = [0] * len(names)
    wins = [0.0] * len(names)
    ties = [0] * len(names)
    for a, b, score in results:
        i, j = index[a], index[b]
        if i > j:
            i, j, score = j, i, 1.0 - score
        tally[(i, j, score)] = tally.get((i, j, score), 0) + 1
        comparisons[i] += 1
        comparisons[j] += 1
        wins[i] += score
        wins[j] += 1.0 - score
        if score == 0.5:
            ties[i] += 1
            ties[j] += 1
    out: list[WinRate] = []
    if names:
        cells = list(tally)
        counts = np.array([tally[c] for c in cells], dtype=float)
        point = expected_win_rates(fit(names, cells, counts, prior_games))[0]
        low = high = [None] * len(names)
        if bootstrap > 0:
            rng = np.random.default_rng(seed)
            draws = rng.multinomial(int(counts.sum()), counts / counts.sum(), size=bootstrap)
            spread = expected_win_rates(fit(names, cells, draws, prior_games))
            tail = (1.0 - level) / 2.0
            low, high = (np.round(q, 4).tolist() for q in np.quantile(spread, [tail, 1.0 - tail], axis=0))
        component = _components(names, ((i, j) for i, j, _ in cells))
        for n, name in enumerate(names):
            out.append(WinRate(name, round(float(point[n]), 4), low[n], high[n], comparisons[n],
                               round(wins[n], 1), ties[n], component[n]))
    out.sort(key=lambda w: (-w.rating, w.item))
    out += [WinRate(name, None, None, None, 0) for name in sorted(set(items) - set(names))]
    return out

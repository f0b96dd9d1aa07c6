"""The learning half of `hitl stats`: win rates, review analytics, published results and chart series in one dict.

Core module: no UI, no store. The store gathers the rows (`store/learning.py`) and calls `learning_summary`; the CLI
prints it (`cli/stats_tables.py`), the statistics screen draws it. Keys (all documented in README, "hitl stats"):

- `win_rates`: `by_model` and `by_prompt_version`, each name → `rating`, `low`, `high`, `comparisons`, `wins`,
  `ties`, `component` (see `bradley_terry.WinRate`), best first, names never compared last with None; `pairs`:
  pairs by kind; `notes`: per grouping, why there is nothing to compare (absent when there is something).
- `review`: `review.review_stats` (overall, by_model, by_prompt_version, by_channel, override_reasons); and its
  headline numbers at the top level: `time_to_approve_minutes`, `active_review_minutes`, `cost_per_approved`,
  `tokens_per_approved`, `gate_false_positive_rate` (gate → flags, false_positives, rate, required).
- `results`: `results.result_rates` (overall, by_model, by_prompt_version, by_channel, by_score_band).
- `charts`: what the statistics screen draws, ready to draw (see `charts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone

from .activity import daily_counts
from .bradley_terry import by_model, by_prompt_version, win_rates
from .pairs import Pair, Variant, implicit_pairs
from .results import PieceFacts, PieceTotals, rates_of_totals
from .review import GateRow, VariantFacts, review_stats

SEED = 11  # bootstrap draws are seeded: the same log gives the same intervals in every run and on every screen
CHART_DAYS = 30


def _grouping(pairs: list[Pair], key, names: Iterable[str], noun: str, bootstrap: int) -> tuple[dict, str | None]:
    names = sorted({n for n in names if n})
    rates = win_rates(pairs, key, items=names, seed=SEED, bootstrap=bootstrap)
    compared = [w for w in rates if w.comparisons]
    note = None
    if len(compared) < 2:
        note = (f"nothing to compare yet: one {noun}" if len(names) < 2 else
                f"nothing to compare yet: no pair between two different {noun}s")
    return {w.item: w.to_dict() for w in rates}, note


def win_rate_summary(explicit: list[Pair], variants: list[Variant], *, bootstrap: int = 1000) -> dict:
    """Win rates by model and by prompt version from the picks and the implicit pairs of the variants."""
    pairs = list(explicit) + implicit_pairs(variants)
    out: dict = {"pairs": dict(sorted(Counter(p.kind for p in pairs).items())), "notes": {}}
    for name, key, noun, names in (
            ("by_model", by_model, "model", (v.model for v in variants)),
            ("by_prompt_version", by_prompt_version, "prompt version", (v.prompt_version for v in variants))):
        out[name], note = _grouping(pairs, key, names, noun, bootstrap)
        if note:
            out["notes"][name] = note
    return out


def charts(review: Mapping, wins: Mapping, results: Mapping, approvals: Iterable[float], *,
           today: date | None = None) -> dict:
    """Series the statistics screen draws as they are:

    - `approvals_per_day`: [{day, count}] for the last CHART_DAYS days up to today (UTC), zeros included (sparkline);
    - `approval_rate_by_model`, `first_pass_approval_rate_by_model`, `human_edit_rate_by_model`: model → rate or
      None (bars);
    - `win_rate_by_model`: model → {rating, low, high} of compared models (bars with whiskers);
    - `gate_false_positive_rate`: gate → rate, gates that flagged something only; `gate_failures`: gate → count;
    - `ctr_by_model`: model → {ctr, low, high, n, note} (None rates carry the note, e.g. "n too small").
    """
    today = today or datetime.now(timezone.utc).date()
    by_model = review.get("by_model", {})
    overall = review.get("overall", {})
    return {
        "approvals_per_day": [{"day": d, "count": n} for d, n in daily_counts(approvals, days=CHART_DAYS, end=today)],
        **{f"{rate}_by_model": {m: block[rate] for m, block in by_model.items()}
           for rate in ("approval_rate", "first_pass_approval_rate", "human_edit_rate")},
        "win_rate_by_model": {m: {k: w[k] for k in ("rating", "low", "high")}
                              for m, w in wins.get("by_model", {}).items() if w["comparisons"]},
        "gate_false_positive_rate": {g: v["rate"] for g, v in overall.get("gate_false_positive_rate", {}).items()
                                     if v["rate"] is not None},
        "gate_failures": dict(overall.get("gate_failures", {})),
        "ctr_by_model": {m: {"ctr": b["ctr"], "low": b["ctr_low"], "high": b["ctr_high"], "n": b["ctr_n"],
                             "note": b.get("ctr_note")} for m, b in results.get("by_model", {}).items()},
    }


def learning_summary(*, variants: list[Variant], facts: list[VariantFacts], gates: Iterable[GateRow] = (),
                     explicit: list[Pair] = (), results: list[PieceTotals] = (),
                     pieces: Mapping[str, PieceFacts] | None = None, today: date | None = None,
                     bootstrap: int = 1000) -> dict:
    """Everything in the module docstring, from the log's rows (results: per-piece totals, `results.totals_of`)."""
    review = review_stats(facts, gates)
    overall = review["overall"]
    wins = win_rate_summary(list(explicit), variants, bootstrap=bootstrap)
    rates = rates_of_totals(list(results), pieces or {})
    approvals = [f.decided_at for f in facts if f.approved and f.decided_at is not None]
    return {
        "win_rates": wins,
        "review": review,
        **{key: overall[key] for key in ("time_to_approve_minutes", "active_review_minutes", "cost_per_approved",
                                         "tokens_per_approved", "gate_false_positive_rate")},
        "override_reasons": review["override_reasons"],
        "results": rates,
        "charts": charts(review, wins, rates, approvals, today=today),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def learning_lines(stats: Mapping) -> list[str]:
    """The summary as plain text lines (the statistics screen shows them until it draws them as charts)."""
    from .results import format_rate

    lines: list[str] = []
    wins = stats["win_rates"]
    for key, title in (("by_model", "model"), ("by_prompt_version", "prompt version")):
        lines += ["", f"Win rates by {title} (Bradley–Terry; 0.50 = even against the field; 95% interval):"]
        if key in wins["notes"]:
            lines.append(f"  {wins['notes'][key]}")
            continue
        for name, w in wins[key].items():
            if w["rating"] is None:
                lines.append(f"  {name:<28} not compared yet")
            else:
                lines.append(f"  {name:<28} {w['rating']:.2f} ({w['low']:.2f}–{w['high']:.2f})   "
                             f"{w['comparisons']} comparisons")
    lines += ["", "Review by model (per variant): approval, first pass, edit rate, time to approve, cost per approved:"]
    for name, b in stats["review"]["by_model"].items():
        time_to = "—" if b["time_to_approve_minutes"] is None else f"{b['time_to_approve_minutes']:.0f} min"
        cost = "—" if b["cost_per_approved"] is None else f"${b['cost_per_approved']:.4f}"
        lines.append(f"  {name:<28} {_pct(b['approval_rate']):>5} {_pct(b['first_pass_approval_rate']):>5} "
                     f"{_pct(b['human_edit_rate']):>5}  {time_to:>8}  {cost}")
    fp = stats["gate_false_positive_rate"]
    lines += ["", "Gate false positives (overridden while failing, or a warning on copy approved unchanged):"]
    lines += [f"  {gate:<20} {_pct(g['rate']):>5} ({g['false_positives']} of {g['flags']} flagged)"
              for gate, g in sorted(fp.items(), key=lambda kv: (-(kv[1]["rate"] or 0), kv[0]))] or \
        ["  none flagged yet"]  # the noisiest rule first
    lines += ["", "Published results by model (CTR, 95% interval):"]
    lines += [f"  {name:<28} {format_rate(b['ctr'], b['ctr_low'], b['ctr_high'], b.get('ctr_note'))}   "
              f"{b['n']} piece{'s' * (b['n'] != 1)}" for name, b in stats["results"]["by_model"].items()] or \
        ["  none imported yet (hitl results import FILE)"]
    return lines

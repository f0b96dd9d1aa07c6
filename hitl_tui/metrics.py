"""Review metrics from plain rows: edit rates, approval rates, score means (combined over reviewers).

Core module: imports neither textual nor litellm. Works on dicts so the store, the CLI and the UI share it.
"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from statistics import mean


def edit_rate(ai_text: str, final_text: str) -> float:
    """Share of the AI's text the human changed: normalized Levenshtein distance, 0.0 (untouched) to 1.0."""
    from rapidfuzz.distance import Levenshtein

    if ai_text == final_text:
        return 0.0
    return round(Levenshtein.normalized_distance(ai_text, final_text), 4)


def _mean(values: list[float]) -> float | None:
    return round(mean(values), 2) if values else None


SCORE_METHOD = ("a variant's score is the mean of its reviewers' scores; these are then averaged over variants, "
                "so each variant counts once however many people scored it")


def variant_scores(scores: list[dict]) -> dict[tuple[int, str], float]:
    """(draft_id, dimension) -> the mean of every reviewer's score of that variant on that dimension."""
    given: dict[tuple[int, str], list[float]] = defaultdict(list)
    for s in scores:
        given[(s["draft_id"], s["dimension"])].append(s["value"])
    return {key: mean(values) for key, values in given.items()}


def compute_stats(brief_statuses: list[str], decisions: list[dict], scores: list[dict], edits: list[dict],
                  gate_failures: list[dict]) -> dict:
    """decisions: {brief_id, kind, model, first_pass}; scores: {draft_id, dimension, model, reviewer, value}, one
    per reviewer; edits: {model, rate}; gate_failures: {gate, count}."""
    by_status = Counter(brief_statuses)
    approvals = [d for d in decisions if d["kind"] in ("approve", "override")]
    decided = {d["brief_id"] for d in decisions}
    approved_briefs = {d["brief_id"] for d in approvals}
    first_pass = {d["brief_id"] for d in approvals if d.get("first_pass")}
    model_of = {s["draft_id"]: s["model"] for s in scores}
    dims: dict[str, list[float]] = defaultdict(list)
    per_model: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for (draft_id, dim), value in variant_scores(scores).items():
        dims[dim].append(value)
        per_model[model_of[draft_id]][dim].append(value)
    per_reviewer: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for s in scores:
        per_reviewer[s["reviewer"]][s["dimension"]].append(s["value"])
    edit_by_model: dict[str, list[float]] = defaultdict(list)
    for e in edits:
        edit_by_model[e["model"]].append(e["rate"])
    return {
        "briefs_by_status": dict(sorted(by_status.items())),
        "briefs_total": sum(by_status.values()),
        "decided_briefs": len(decided),
        "approved_briefs": len(approved_briefs),
        "approval_rate": round(len(approved_briefs) / len(decided), 3) if decided else None,
        "first_pass_approval_rate": round(len(first_pass) / len(decided), 3) if decided else None,
        "scores_given": len(scores),
        "reviewers_scoring": len(per_reviewer),
        "scored_variants": len(model_of),
        "mean_scores_method": SCORE_METHOD,
        "mean_scores": {d: _mean(v) for d, v in sorted(dims.items())},
        "mean_scores_by_model": {m: {d: _mean(v) for d, v in sorted(ds.items())}
                                 for m, ds in sorted(per_model.items())},
        "mean_scores_by_reviewer": {r: {d: _mean(v) for d, v in sorted(ds.items())}
                                    for r, ds in sorted(per_reviewer.items())},
        "human_edit_rate": _mean([e["rate"] for e in edits]),
        "human_edit_rate_by_model": {m: _mean(v) for m, v in sorted(edit_by_model.items())},
        "gate_failures": {g["gate"]: g["count"] for g in sorted(gate_failures, key=lambda g: -g["count"])},
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def score_counts(stats: dict) -> str:
    """'4 scores from 2 reviewers on 1 variant': what the mean scores are made of."""
    return (f"{_count(stats['scores_given'], 'score')} from {_count(stats['reviewers_scoring'], 'reviewer')} on "
            f"{_count(stats['scored_variants'], 'variant')}")


def format_stats(stats: dict) -> str:
    """Plain-text report for `hitl stats` and the statistics screen."""
    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v * 100:.0f}%"

    lines = [f"Briefs: {stats['briefs_total']}  " + "  ".join(f"{k}: {v}" for k, v in
                                                              stats["briefs_by_status"].items()),
             f"Approval rate: {pct(stats['approval_rate'])}   first-pass: {pct(stats['first_pass_approval_rate'])}"
             f"   ({stats['approved_briefs']} approved of {stats['decided_briefs']} decided)",
             f"Human edit rate: {pct(stats['human_edit_rate'])}", "",
             f"Mean scores ({score_counts(stats)}):"]
    lines += [f"  {d:<14} {'—' if v is None else f'{v:.2f}'}" for d, v in stats["mean_scores"].items()] or ["  —"]
    lines += textwrap.wrap(SCORE_METHOD[0].upper() + SCORE_METHOD[1:] + ".", 76, initial_indent="  ",
                           subsequent_indent="  ")
    if stats["reviewers_scoring"] > 1:  # who scores high or low, at a glance (each reviewer's own scores)
        lines += ["", "By reviewer (the mean of their own scores):"]
        for reviewer, dims in stats["mean_scores_by_reviewer"].items():
            avg = _mean([v for v in dims.values() if v is not None])
            lines.append(f"  {reviewer:<28} mean score {'—' if avg is None else f'{avg:.2f}'}")
    lines += ["", "By model:"]
    models = sorted(set(stats["mean_scores_by_model"]) | set(stats["human_edit_rate_by_model"]))
    for m in models:
        dims = stats["mean_scores_by_model"].get(m, {})
        avg = _mean([v for v in dims.values() if v is not None])
        lines.append(f"  {m:<28} mean score {'—' if avg is None else f'{avg:.2f}'}   edit rate "
                     f"{pct(stats['human_edit_rate_by_model'].get(m))}")
    if not models:
        lines.append("  —")
    lines += ["", "Gate failures:"]
    lines += [f"  {g:<20} {n}" for g, n in stats["gate_failures"].items()] or ["  none"]
    if "win_rates" in stats:  # the store's stats() adds them (store/learning.py)
        from .analytics.summary import learning_lines

        lines += learning_lines(stats)
    return "\n".join(lines)

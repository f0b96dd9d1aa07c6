"""The learning half of `hitl stats` as rich tables: win rates, review analytics, gates, override reasons and
published results (the keys of `analytics/summary.py`). Loaded only by `hitl stats`."""

from __future__ import annotations

from rich.text import Text

from ..analytics.figures import minutes, money
from ..analytics.results import format_rate
from .tables import _num, _pct, _table, cell, console

GROUP_LABELS = (("by_model", "model"), ("by_prompt_version", "prompt"), ("by_channel", "channel"))


def _count(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _numbers_table(*columns: str) -> object:
    """A table of numbers per group: numbers are never folded, a long group name is."""
    table = _table(*columns)
    for column in table.columns[1:]:
        column.justify = "right"
        column.no_wrap = True  # numbers never fold; their headings break where they have a line break
    return table


def _groups(block: dict, counted: str) -> list[tuple[str, dict]]:
    """(label, numbers): overall, then each model, prompt version and channel that has something `counted`."""
    rows = [("overall", block["overall"])]
    for key, label in GROUP_LABELS:
        rows += [(f"{label} {name}", numbers) for name, numbers in block.get(key, {}).items() if numbers[counted]]
    return rows


def _rate_cell(block: dict, name: str) -> Text:
    note = block.get(f"{name}_note") or ""
    if block[name] is None and note.startswith("n too small"):
        return cell(f"n too small ({block[f'{name}_n']})", "dim")
    return cell(format_rate(block[name], block[f"{name}_low"], block[f"{name}_high"], note or None))


def _win_table(entries: dict) -> object:
    table = _numbers_table("", "win rate", "95%\ninterval", "compari-\nsons")
    for name, w in entries.items():
        interval = "—" if w["low"] is None else f"{w['low']:.2f}–{w['high']:.2f}"
        table.add_row(cell(name), _num(w["rating"]) if w["rating"] is not None else "not compared", interval,
                      str(w["comparisons"]))
    return table


def _review_tables(review: dict) -> tuple[object, object]:
    rates = _numbers_table("", "decided", "approval", "first\npass", "revisions /\napproval", "edit\nrate")
    costs = _numbers_table("", "approved", "time to\napprove", "active\nreview", "cost /\napproved",
                           "tokens /\napproved")
    for label, b in _groups(review, "decided"):
        rates.add_row(cell(label), str(b["decided"]), _pct(b["approval_rate"]), _pct(b["first_pass_approval_rate"]),
                      _num(b["revisions_per_approval"]), _pct(b["human_edit_rate"]))
    for label, b in _groups(review, "approved"):
        costs.add_row(cell(label), str(b["approved"]), minutes(b["time_to_approve_minutes"]),
                      minutes(b["active_review_minutes"]), money(b["cost_per_approved"]),
                      _count(b["tokens_per_approved"]))
    return rates, costs


def _gate_table(overall: dict) -> object:
    table = _numbers_table("gate", "failures", "warnings", "flagged", "false\npositives", "false-\npositive\nrate")
    fp = overall["gate_false_positive_rate"]
    gates = set(overall["gate_failures"]) | set(overall["gate_warnings"]) | set(fp)
    for gate in sorted(gates, key=lambda g: (-(fp.get(g, {}).get("rate") or 0), g)):  # the noisiest rule first
        f = fp.get(gate, {})
        table.add_row(cell(gate), str(overall["gate_failures"].get(gate, 0)),
                      str(overall["gate_warnings"].get(gate, 0)), str(f.get("flags", 0)),
                      str(f.get("false_positives", 0)), _pct(f.get("rate")))
    return table


def _results_table(results: dict) -> object:
    table = _numbers_table("", "pieces", "impres-\nsions", "clicks", "CTR", "conversion\nrate")
    groups = [("overall", results["overall"])] + [
        (f"{label} {name}", b) for key, label in (*GROUP_LABELS, ("by_score_band", "score"))
        for name, b in results.get(key, {}).items()]
    for label, b in groups:
        table.add_row(cell(label), str(b["n"]), _count(b["impressions"]), _count(b["clicks"]),
                      _rate_cell(b, "ctr"), _rate_cell(b, "conversion_rate"))
    return table


def print_learning(stats: dict) -> None:
    con = console()

    def section(title: str, body, empty: str = "", note: str | None = None) -> None:
        con.print()
        con.print(Text(title, style="bold"))
        if note:
            con.print(Text(f"  {note}", style="dim"))
        if body is not None and getattr(body, "row_count", 1):
            con.print(body)
        elif empty:
            con.print(Text(f"  {empty}", style="dim"))

    wins = stats["win_rates"]
    counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in wins["pairs"].items()) or "none yet"
    for key, title in (("by_model", "Win rates by model"), ("by_prompt_version", "Win rates by prompt version")):
        note = wins["notes"].get(key)
        pairs = f"; pairs: {counts}" if key == "by_model" else ""
        section(f"{title} (Bradley–Terry; 0.50 = even against the field{pairs})",
                None if note else _win_table(wins[key]), note=note)
    review = stats["review"]
    rates, costs = _review_tables(review)
    section("Review (per variant: decided = judged, or passed over for an approved sibling; groups with "
            "nothing decided left out)", rates)
    section("Time and cost per approved piece", costs)
    section("Gates (false positive: a required gate overridden while failing, or a warning on copy approved "
            "unchanged)", _gate_table(review["overall"]), "no gate has failed or warned yet")
    reasons = _table("override reason", "count")
    reasons.columns[1].justify = "right"
    for r in stats["override_reasons"]:
        reasons.add_row(cell(r["reason"]), str(r["count"]))
    section("Override reasons", reasons, "no overrides")
    results = stats["results"]
    section("Published results (`hitl results import`; rates with 95% intervals; n too small: fewer than 3 pieces "
            "behind a rate, count in brackets)",
            _results_table(results) if results["overall"]["rows"] else None, "no results imported yet")

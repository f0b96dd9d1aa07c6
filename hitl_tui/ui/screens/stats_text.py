"""The statistics screen's figures as short strings and its one table (the charts are in widgets/charts.py)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ...analytics.figures import minutes, money, pct
from ..text import plain


def card_figures(stats: dict) -> list[tuple[str, str, str]]:
    """(figure, what it is, of what) for the cards at the top: the numbers a lead asks for first."""
    overall = stats["review"]["overall"]
    picks = stats["win_rates"]["pairs"].get("explicit", 0)
    return [
        (pct(overall["approval_rate"]), "approved", f"of {overall['decided']} variants"),
        (pct(overall["first_pass_approval_rate"]), "first pass", "no revision"),
        (minutes(stats["time_to_approve_minutes"]), "to approve", "median"),
        (minutes(stats["active_review_minutes"]), "active review", "median"),
        (money(stats["cost_per_approved"]), "per approved", "model cost"),
        (str(picks), "compare picks", "all reviewers"),
    ]


def review_table(review: dict) -> Table:
    table = Table(box=None, header_style="bold", expand=False, pad_edge=False)
    for i, heading in enumerate(("", "decided", "approval", "first pass", "revisions/approval", "edit rate",
                                 "time to approve", "cost/approved")):
        table.add_column(heading, justify="left" if i == 0 else "right", no_wrap=i > 0, overflow="fold")
    groups = [("overall", review["overall"])] + [(name, b) for name, b in review["by_model"].items() if b["decided"]]
    for name, b in groups:
        per = b.get("revisions_per_approval")
        table.add_row(Text(plain(name)), str(b["decided"]), pct(b["approval_rate"]),
                      pct(b["first_pass_approval_rate"]), "—" if per is None else f"{per:.1f}",
                      pct(b.get("human_edit_rate")), minutes(b.get("time_to_approve_minutes")),
                      money(b.get("cost_per_approved")))
    return table

"""Statistics from the log: statuses, approval rates, scores and edit rates by model, gate failures."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...metrics import format_stats
from ..text import plain


class StatsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,s", "close", "Close", id="stats_close")]

    def __init__(self, stats: dict) -> None:
        super().__init__()
        self.stats = stats

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog stats"):
            yield Label(Text(f"Statistics · {self.stats.get('events', 0):,} events in the log", style="bold"))
            yield Static(Text(plain(format_stats(self.stats))), id="stats-body")
            if "feedback_addressed" in self.stats:  # issue 12: how much of the reviewers' feedback models act on
                from ...learning.marking import format_feedback_share

                lines = format_feedback_share(self.stats["feedback_addressed"])
                yield Static(Text(plain("\n".join(lines))), id="stats-feedback")

    def action_close(self) -> None:
        self.dismiss(None)

"""The statistics screen: what the team learns from the log, as charts people would rather look at than read.

Headline figures, approvals per day (a sparkline), approval / first-pass / edit rates by model (bars), win
rates by model and prompt version with their 95% intervals, which gates are noise (false-positive rate, noisiest
first), override reasons, published results (CTR by model with intervals) and the review numbers per model. All of
it comes from `Store.stats()` (the dict of `hitl stats --json`; `charts` holds the series ready to draw): this
screen only draws. It opens at once and fills in when the figures are worked out (a worker: after a new event
that takes ~0.1–0.2 s on a 100,000-event log); `r` works them out again. The page is drawn into one RichLog at
the screen's width (again when the width changes), which draws only the lines on screen.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import RichLog, Static

from ...analytics.figures import pct
from ...analytics.results import format_rate
from ...keymap import STATS
from ...metrics import format_stats
from ...workspace import package_dir
from ..guard import report
from ..keys import bindings_for
from ..text import plain
from ..widgets.charts import Cards, Chart, Row, SideBySide, Spark, section
from ..widgets.screen_keys import ScreenKeys
from .stats_text import card_figures, review_table



def rate_rows(rates: dict, counts: dict | None = None, counted: str = "decided") -> list[Row]:
    rows = []
    for name, rate in sorted(rates.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0), kv[0])):
        n = (counts or {}).get(name, {}).get(counted)
        text = pct(rate) + (f" of {n}" if n is not None else "")
        rows.append(Row(name, rate, text if rate is not None else "—"))
    return rows


def win_rows(entries: dict) -> list[Row]:
    rows = []
    for name, w in entries.items():
        if w["rating"] is None:
            rows.append(Row(name, None, "not compared yet"))
        else:
            rows.append(Row(name, w["rating"], f"{w['rating']:.2f} ({w['low']:.2f}–{w['high']:.2f}) · "
                                               f"{w['comparisons']} cmp", w["low"], w["high"]))
    return rows


def gate_rows(fp: dict) -> list[Row]:
    flagged = [(gate, g) for gate, g in fp.items() if g["flags"]]
    flagged.sort(key=lambda kv: (-(kv[1]["rate"] or 0), kv[0]))  # the noisiest rule first
    return [Row(gate, g["rate"], f"{pct(g['rate'])} · {g['false_positives']} of {g['flags']}"
                + ("" if g.get("required", True) else " (advisory)")) for gate, g in flagged]


def ctr_rows(by_model: dict) -> tuple[list[Row], float]:
    """CTR by model on a scale that fits the highest interval (CTRs are a few percent: on 0..1 they would all
    sit at the left edge)."""
    highs = [b["ctr_high"] or b["ctr"] or 0 for b in by_model.values()]
    scale = max(highs + [0.0]) * 1.1 or 1.0
    rows = []
    for name, b in by_model.items():
        note = b.get("ctr_note")
        text = format_rate(b["ctr"], b["ctr_low"], b["ctr_high"], note or None)
        if b["ctr"] is None:
            rows.append(Row(name, None, text))
        else:
            rows.append(Row(name, b["ctr"] / scale, f"{text} · {b['n']} pieces", (b["ctr_low"] or 0) / scale,
                            (b["ctr_high"] or 0) / scale))
    return rows, scale


class StatsScreen(Screen[None]):
    CSS_PATH = str(package_dir("styles") / "stats.tcss")
    ACTION_SCREEN = STATS
    BINDINGS = bindings_for(STATS)  # keys, help and palette from hitl_tui/keymap.py; remappable under [keys]

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store
        self.stats: dict | None = None
        self.loaded = False  # the charts show the figures (tests and the benchmark wait on it)

    def compose(self) -> ComposeResult:
        # One RichLog for the whole page: rendered once per width, only the visible lines drawn (widgets/charts.py).
        yield Static(Text("Statistics · working out the figures…", style="bold"), id="stats-title")
        # min_width: RichLog renders at least 78 columns by default, wider than the page on an 80-column terminal.
        yield RichLog(id="stats-page", wrap=False, markup=False, highlight=False, auto_scroll=False, min_width=20)
        yield ScreenKeys(id="stats-keys")

    def on_mount(self) -> None:
        self._width = 0
        self.load()

    def on_resize(self) -> None:
        if self.stats is not None and self.query_one(RichLog).scrollable_content_region.width != self._width:
            self.call_after_refresh(self._draw)  # rendered for the old width: draw again at the new one

    @work(exclusive=True, group="stats-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            stats = await self.store.stats()
        except Exception as exc:
            report(self.app, "statistics", exc)
            self.query_one("#stats-title", Static).update(Text("Statistics · could not be worked out", style="bold"))
            return
        self.show(stats)

    def show(self, stats: dict) -> None:
        self.stats = stats
        title = Text("Statistics", style="bold")
        title.append(f" · {stats.get('events', 0):,} events in the log · r works them out again", style="dim")
        self.query_one("#stats-title", Static).update(title)
        self._draw()
        self.loaded = True

    def _draw(self) -> None:
        log = self.query_one(RichLog)
        self._width = log.scrollable_content_region.width
        y = log.scroll_y
        log.clear()
        log.write(Group(*page(self.stats)), expand=True)
        log.scroll_to(y=y, animate=False)

    def page_text(self) -> str:
        """The page as plain text, as drawn (tests)."""
        return "\n".join(line.text for line in self.query_one(RichLog).lines)

    def action_stats_refresh(self) -> None:
        self.loaded = False
        self.query_one("#stats-title", Static).update(Text("Statistics · working out the figures…", style="bold"))
        self.load()

    async def action_stats_help(self) -> None:
        from .modals import HelpScreen

        await self.app.push_screen(HelpScreen(STATS, self.app.config.keys))

    def action_stats_close(self) -> None:
        self.dismiss(None)


def page(stats: dict) -> list:
    """Everything under the sparkline, top to bottom, as renderables."""
    charts = stats["charts"]
    days = charts["approvals_per_day"]
    total, best = sum(d["count"] for d in days), max((d["count"] for d in days), default=0)
    axis = f"{len(days) - 1} days ago … today · {total} approved, at most {best} a day" if days else ""
    by_model = stats["review"]["by_model"]
    edits = [r for r in rate_rows(charts["human_edit_rate_by_model"], by_model, "approved") if r.value is not None]
    rates = SideBySide([
        section("Approval rate by model", Chart(rate_rows(charts["approval_rate_by_model"], by_model))),
        section("First-pass approval by model", Chart(rate_rows(charts["first_pass_approval_rate_by_model"],
                                                                by_model))),
        section("Human edit rate by model", Chart(edits, empty="nothing approved yet")),
    ])
    wins = stats["win_rates"]

    def win_chart(key: str) -> Chart:
        rows = [] if key in wins["notes"] else win_rows(wins[key])
        return Chart(rows, kind="interval", reference=0.5, empty=wins["notes"].get(key, "nothing to compare yet"))

    reasons = stats["override_reasons"]
    ctr, scale = ctr_rows(stats["results"]["by_model"])
    return [
        Cards(card_figures(stats)), Text(),
        section("Approvals per day, last 30 days", Group(Spark([d["count"] for d in days]), Text(axis, style="dim"))),
        rates,
        section("Win rate by model", win_chart("by_model"),
                note="Bradley–Terry from compare picks and implicit pairs (ties half): ● rating, ─ 95% interval, "
                     "│ even against the field"),
        section("Win rate by prompt version", win_chart("by_prompt_version")),
        section("Which gates are noise: false-positive rate",
                Chart(gate_rows(stats["gate_false_positive_rate"]), empty="no gate has flagged yet"),
                note="a required gate overridden while failing, or a warning on copy approved unchanged; "
                     "noisiest first"),
        section("Override reasons", Text("\n".join(f"{r['count']:>4} × {plain(r['reason'])}" for r in reasons[:10]))
                if reasons else Text("no overrides", style="dim")),
        section("Published results: CTR by model",
                Chart(ctr, kind="interval", empty="none imported yet (hitl results import FILE)"),
                note=f"on a scale of 0–{scale * 100:.1f}%" if any(r.value is not None for r in ctr) else ""),
        section("Review by model", review_table(stats["review"])),
        *feedback_share(stats),
        section("Briefs, scores and gate failures",
                Text(plain(format_stats({k: v for k, v in stats.items() if k != "win_rates"})))),
    ]


def feedback_share(stats: dict) -> list:
    """Issue 12: how much of the reviewers' tracked feedback each model acts on (absent from older stats)."""
    if "feedback_addressed" not in stats:
        return []
    from ...learning.marking import format_feedback_share

    lines = format_feedback_share(stats["feedback_addressed"])
    return [section(lines[0].rstrip(":"), Text(plain("\n".join(line[2:] for line in lines[1:]))))]


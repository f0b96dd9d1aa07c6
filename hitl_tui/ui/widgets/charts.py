"""Charts drawn with text, for the statistics screen: horizontal bars for rates, and intervals (a dot on a line
from low to high) for estimates with their 95% interval. They read without colour (NO_COLOR, 16 colours): the bar
is made of block characters, the interval of ─ and ●.

They are Rich renderables, not widgets: each draws itself at the width it is given, so the whole statistics page is
rendered once into a RichLog, which draws only the lines on screen (a widget per chart, card and heading made the
screen take several hundred milliseconds to lay out). `Spark` is a sparkline of the same kind, three rows high,
so it scrolls with the page (Textual's Sparkline widget is one row of bars that cannot be part of it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..text import plain

EIGHTHS = " ▏▎▍▌▋▊▉█"
RISING = " ▁▂▃▄▅▆▇█"


@dataclass(slots=True, frozen=True)
class Row:
    """One row of a chart. value (and low/high for an interval) in 0..1, or None when there is nothing to draw
    (the text then says why, e.g. "n too small (2)")."""
    label: str
    value: float | None
    text: str = ""
    low: float | None = None
    high: float | None = None


def _fit(label: str, width: int) -> str:
    if cell_len(label) <= width:
        return label + " " * (width - cell_len(label))
    return label[:max(0, width - 1)] + "…"


def bar(value: float, width: int) -> str:
    """A bar of `width` cells filled to `value` (0..1) with eighth blocks, so 1% steps show on a 12-cell bar."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


def interval(value: float, low: float | None, high: float | None, width: int, reference: float | None) -> Text:
    """low ─── ● ─── high on a 0..1 scale `width` cells wide; a dim │ marks the reference (0.5: even)."""
    cells = [" "] * width
    styles = ["dim"] * width

    def at(x: float) -> int:
        return min(width - 1, max(0, round(x * (width - 1))))

    if reference is not None:
        cells[at(reference)] = "│"
    if low is not None and high is not None:
        for i in range(at(low), at(high) + 1):
            crossing = reference is not None and i == at(reference)
            cells[i], styles[i] = "┼" if crossing else "─", "bold"
    cells[at(value)], styles[at(value)] = "●", "bold"
    out = Text()
    for char, style in zip(cells, styles):
        out.append(char, style=style)
    return out


def short_labels(labels: list[str], width: int) -> list[str]:
    """Labels that fit `width` where they can: "openai/gpt-4o" and "openai/gpt-4o-mini" cut to the same
    "openai/gpt-…", so in a narrow chart the provider prefix goes first (when the names stay distinct)."""
    if all(cell_len(label) <= width for label in labels):
        return labels
    short = [label.rsplit("/", 1)[-1] for label in labels]
    return short if len(set(short)) == len(set(labels)) else labels


def chart_lines(rows: list[Row], width: int, *, kind: str = "bar", reference: float | None = None) -> Text:
    """The chart as lines of text `width` cells wide: label, bar (or interval), the row's text."""
    limit = max(8, width * 2 // 5)
    labels = short_labels([plain(r.label) for r in rows], limit)
    label_w = min(max((cell_len(label) for label in labels), default=0), limit)
    text_w = max((cell_len(r.text) for r in rows), default=0)
    plot_w = max(6, width - label_w - text_w - 3)
    out = Text()
    for i, (r, label) in enumerate(zip(rows, labels)):
        if i:
            out.append("\n")
        out.append(_fit(label, label_w))
        out.append(" ")
        if r.value is None:
            out.append(" " * plot_w)
        elif kind == "interval":
            out.append_text(interval(r.value, r.low, r.high, plot_w, reference))
        else:
            out.append(bar(r.value, plot_w), style="bold")
        out.append(" ")
        out.append(r.text.rjust(text_w), style="" if r.value is not None else "dim")
    return out


class Chart:
    """Rows drawn as bars or intervals at the width they are given; `empty` is said when there are none."""

    def __init__(self, rows: list[Row], *, kind: str = "bar", reference: float | None = None,
                 empty: str = "nothing yet") -> None:
        self.rows, self.kind, self.reference, self.empty = list(rows), kind, reference, empty

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            yield Text(self.empty, style="dim")
        else:
            yield chart_lines(self.rows, options.max_width, kind=self.kind, reference=self.reference)


def section(title: str, body, note: str = "") -> Group:
    """A heading, an optional dim note, the body, and a blank line after."""
    parts = [Text(title, style="bold")]
    if note:
        parts.append(Text(note, style="dim"))
    return Group(*parts, body, Text())


class SideBySide:
    """Renderables side by side in equal columns when there is room for `min_width` each, else one under another."""

    def __init__(self, parts: list, min_width: int = 34) -> None:
        self.parts, self.min_width = parts, min_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < self.min_width * len(self.parts) + 2 * (len(self.parts) - 1):
            yield Group(*self.parts)
            return
        grid = Table.grid(expand=True, padding=(0, 2))
        for _ in self.parts:
            grid.add_column(ratio=1)
        grid.add_row(*self.parts)
        yield grid


class Cards:
    """Headline figures in boxes, six to a row when each gets 18 columns (a label on one line), else three."""

    def __init__(self, figures: list[tuple[str, str, str]]) -> None:
        self.figures = figures

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        per_row = len(self.figures) if options.max_width >= 18 * len(self.figures) else 3
        grid = Table.grid(expand=True, padding=(0, 1))
        for _ in range(per_row):
            grid.add_column(ratio=1)
        boxes = [Panel(Group(Text(value, style="bold", justify="center"), Text(label, justify="center"),
                             Text(detail, style="dim", justify="center")), border_style="blue")
                 for value, label, detail in self.figures]
        for start in range(0, len(boxes), per_row):
            grid.add_row(*boxes[start:start + per_row])
        yield grid


class Spark:
    """Counts as columns of eighth blocks `height` rows high, each count as wide as the width allows (30 days on
    118 columns: 3 cells a day); the tallest column is the largest count, a zero is a dim baseline."""

    def __init__(self, counts: list[int], height: int = 3) -> None:
        self.counts, self.height = list(counts), height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.counts:
            return
        cell = max(1, options.max_width // len(self.counts))
        top = max(self.counts) or 1
        levels = [round(n / top * self.height * 8) for n in self.counts]
        for row in range(self.height - 1, -1, -1):  # top row first
            line = Text()
            for n, level in zip(self.counts, levels):
                part = max(0, min(8, level - row * 8))
                if row == 0 and n == 0:
                    line.append("▁" * cell, style="dim")
                else:
                    line.append(RISING[part] * cell, style="bold")
            yield line

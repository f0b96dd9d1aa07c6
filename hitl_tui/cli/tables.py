"""The tables of `hitl briefs`, `hitl check` and `hitl stats`, drawn by rich (it ships with textual).

On a terminal they fit its width: long values wrap inside their column instead of running off the edge. In a
pipe or a file they fit `$COLUMNS`, else the width of the terminal the command was typed in, else 200 columns,
and carry no padding at the ends of lines.
Cells are built as Text from `for_terminal(...)`: never parsed as markup, escape sequences inert on a terminal.
Loaded only by the commands that print a table, so nothing else pays for importing rich.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..metrics import score_counts
from .output import for_terminal, is_terminal

if TYPE_CHECKING:
    from ..store.rows import BriefRow

PIPE_WIDTH = 200
TITLE_CELL_MAX = 120  # a longer title is cut with an ellipsis: a table row is not the place to read it whole
MARKS = {"pass": ("✓", "green"), "fail": ("✗", "bold red"), "warn": ("!", "yellow")}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich's own handling exits with 1, which `hitl check` uses for "a gate failed"; the CLI's entry point
        # handles a closed pipe the same way for every command.
        raise BrokenPipeError

    def print(self, *objects, **kwargs) -> None:
        if self.is_terminal:
            return super().print(*objects, **kwargs)
        # In a file or a pipe, no cell padding at the ends of lines (rich pads every cell to its column's width).
        with self.capture() as captured:
            super().print(*objects, **kwargs)
        sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _pipe_width() -> int:
    """Width for a pipe or a file: $COLUMNS, else the terminal the user typed the command in (`hitl briefs | head`
    should look like `hitl briefs`), else PIPE_WIDTH."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if is_terminal(sys.stderr):
        try:
            return os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError):
            pass
    return PIPE_WIDTH


def console() -> Console:
    width = None if is_terminal(sys.stdout) else _pipe_width()
    return _Console(file=sys.stdout, width=width, highlight=False, markup=False, emoji=False, soft_wrap=False)


def cell(value: object, style: str = "", limit: int | None = None) -> Text:
    text = "" if value is None else str(value)
    if limit and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return Text(for_terminal(text), style=style)


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold")
    return table


def print_briefs(rows: list[BriefRow], waits: dict[str, str] | None = None) -> None:
    """One row per brief; an invalid brief's reason under its title; with sign-off stages, the stage each waits on
    and who holds it."""
    table = _table("status", "brief", "title", "channel", "drafts", *(("waits on",) if waits else ()))
    table.columns[0].no_wrap = True
    table.columns[4].justify = "right"
    for r in rows:
        title = cell(r.title, limit=TITLE_CELL_MAX)
        if r.error:
            title.append("\n↳ ").append(cell(r.error, "red", limit=TITLE_CELL_MAX * 2))
        table.add_row(cell(r.status, "red" if r.status == "invalid" else ""), cell(r.name), title,
                      cell(r.channel), cell(r.drafts or ""), *((cell(waits.get(r.name, "")),) if waits else ()))
    console().print(table)


def print_gates(results, manual_items, checklist_key: str, text: str, path: str) -> None:
    """The gates as a table, then where each failing or warning gate found its evidence, one `file:line:col:`
    line each (the linter format editors jump to; kept out of the table so it never wraps)."""
    table = _table("", "gate", "result", "from")
    table.columns[0].no_wrap = True
    for r in results:
        mark, style = MARKS[r.status]
        table.add_row(Text(mark, style=style), cell(r.label), cell(r.message),
                      cell(f"{r.source}, {'required' if r.required else 'advisory'}", "dim"))
    for item in manual_items:
        table.add_row(Text("?", style="cyan"), cell(item.text), cell("manual check, not run here"),
                      cell(f"{checklist_key}.items", "dim"))
    con = console()
    con.print(table)
    whole_lines = not is_terminal(sys.stdout)  # a pipe gets each on one line for grep; a terminal, folded to fit
    for r in results:
        for start, end in r.evidence[:5]:
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            con.print(cell(f"{path}:{line}:{col}: {text[start:end][:60]!r} ({r.label})"), soft_wrap=whole_lines)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_stats(stats: dict) -> None:
    con = console()
    overview = Table.grid(padding=(0, 2))
    overview.add_column(style="bold", no_wrap=True)
    overview.add_column(overflow="fold")
    statuses = "  ".join(f"{k}: {v}" for k, v in stats["briefs_by_status"].items())
    overview.add_row("Briefs", cell(f"{stats['briefs_total']}  {statuses}".rstrip()))
    overview.add_row("Approval rate", cell(f"{_pct(stats['approval_rate'])}   first-pass: "
                                           f"{_pct(stats['first_pass_approval_rate'])}   ({stats['approved_briefs']} "
                                           f"approved of {stats['decided_briefs']} decided)"))
    overview.add_row("Human edit rate", _pct(stats["human_edit_rate"]))
    con.print(overview)

    scores = _table("dimension", "mean score")
    scores.columns[1].justify = "right"
    for dim, value in stats["mean_scores"].items():
        scores.add_row(cell(dim), _num(value))
    by_model = _table("model", "mean score", "edit rate")
    by_model.columns[1].justify = by_model.columns[2].justify = "right"
    for model in sorted(set(stats["mean_scores_by_model"]) | set(stats["human_edit_rate_by_model"])):
        dims = [v for v in stats["mean_scores_by_model"].get(model, {}).values() if v is not None]
        by_model.add_row(cell(model), _num(sum(dims) / len(dims) if dims else None),
                         _pct(stats["human_edit_rate_by_model"].get(model)))
    by_reviewer = _table("reviewer", "mean of their own scores")
    by_reviewer.columns[1].justify = "right"
    if stats["reviewers_scoring"] > 1:  # who scores high or low, at a glance
        for reviewer, dims in stats["mean_scores_by_reviewer"].items():
            values = [v for v in dims.values() if v is not None]
            by_reviewer.add_row(cell(reviewer), _num(sum(values) / len(values) if values else None))
    gates = _table("gate", "failures")
    gates.columns[1].justify = "right"
    for gate, count in stats["gate_failures"].items():
        gates.add_row(cell(gate), str(count))
    scored = f"Mean scores ({score_counts(stats)})" if stats["scores_given"] else "Mean scores"
    for title, table, empty in ((scored, scores, "no scores yet"), ("By reviewer", by_reviewer, None),
                                ("By model", by_model, "no scores or approvals yet"), ("Gate failures", gates, "none")):
        if empty is None and not table.row_count:
            continue
        con.print()
        con.print(Text(title, style="bold"))
        con.print(table if table.row_count else Text(f"  {empty}", style="dim"))
        if table is scores and table.row_count:  # how reviewers' scores were combined, under the figures
            method = stats["mean_scores_method"]
            con.print(Text(method[0].upper() + method[1:] + ".", style="dim"))

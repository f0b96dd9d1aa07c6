"""The brief queue: status, title, channel and counts per brief, with a filter. Text is never markup.

A line-API list rather than an OptionList: an inbox can hold 10,000 briefs, and OptionList re-measures every
option when one changes. Here each row has a height known without wrapping (titles are cut with an ellipsis),
only visible lines are drawn, and a changed row re-renders alone.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...store.drafts import drafts_outcome
from ...store.rows import BriefRow
from ..text import plain

STATUS_STYLE = {"new": "bold cyan", "drafting": "yellow", "ready": "bold green", "failed": "bold red",
                "interrupted": "yellow", "in review": "magenta", "approved": "green", "rejected": "red",
                "invalid": "bold red"}
STATUS_MARK = {"new": "●", "drafting": "◐", "ready": "◉", "failed": "×", "interrupted": "◌", "in review": "◎",
               "approved": "✓", "rejected": "✗", "invalid": "!"}
CURSOR_MARK = "▌"  # the highlighted row is marked in text too, so it shows without colour


def row_label(row: BriefRow, me: str | None = None, why: tuple[str, bool] | None = None) -> list[Text]:
    """The lines of one row: mark and title; status, counts and channel; the error of an invalid brief. Sorted by
    triage, `why` is (the one word saying why the row is where it is, whether it waits on me)."""
    status = row.status
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append(f"{STATUS_MARK.get(status, '?')} ", style=STATUS_STYLE.get(status, ""))
    title.append(plain(row.title or row.name))
    detail = status
    if status == "in review" and row.claimed_by:
        detail = "yours" if row.claim_instance == me else f"in review by {row.claimed_by}"
        if drafts_outcome(row):  # open, but nothing in it to review: say why
            detail += f" · {drafts_outcome(row)}"
    if row.drafts:
        detail += f" · {row.done}/{row.drafts}"
    if row.channel:
        detail += f" · {row.channel}"
    second = Text("  ", style="dim", no_wrap=True, overflow="ellipsis")
    if why is not None:
        second.append(f"{why[0]}{' ·me' if why[1] else ''}", style="bold yellow" if why[1] else "bold")
        if detail.startswith(why[0]):  # "ready · ready": the word already says it
            detail = detail[len(why[0]):].lstrip(" ·")
        if detail:
            second.append(" · ")
    second.append(plain(detail))
    lines = [title, second]
    if row.error:
        lines.append(Text(f"  {plain(row.error)}", style="red", no_wrap=True, overflow="ellipsis"))
    return lines


def _row_key(row: BriefRow) -> tuple:
    return (row.status, row.title, row.drafts, row.done, row.claimed_by,
            row.claim_instance, row.channel, row.error)


class BriefQueue(ScrollView, can_focus=True):
    """One row per brief, keyed by file name. `Highlighted` is posted when the reader moves the cursor."""

    COMPONENT_CLASSES = {"brief-queue--cursor"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="queue_up"),
        Binding("down", "cursor(1)", "Down", show=False, id="queue_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="queue_page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="queue_page_down"),
        Binding("home", "jump(0)", "First", show=False, id="queue_first"),
        Binding("end", "jump(-1)", "Last", show=False, id="queue_last"),
    ]

    class Highlighted(Message):
        def __init__(self, queue: BriefQueue, name: str | None) -> None:
            super().__init__()
            self.queue = queue
            self.name = name

        @property
        def control(self) -> BriefQueue:
            return self.queue

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[BriefRow] = []
        self.filter_text = ""
        self.instance: str | None = None
        self._by_name: dict[str, BriefRow] = {}
        self._visible: list[BriefRow] = []
        self._firsts: list[int] = []  # first line of each visible row
        self._lines = 0
        self._cursor: int | None = None
        self._rendered: dict[str, tuple[tuple, list[Strip]]] = {}  # name -> (what it was drawn from, lines)
        self.triage: dict[str, tuple[int, str, bool]] | None = None  # name -> (rank, why, mine); None: usual order

    # ------------------------------------------------------------------ data

    def set_rows(self, rows: list[BriefRow]) -> None:
        """Replace the rows; the cursor stays on the same brief. Unchanged rows are not re-rendered."""
        self.rows = rows
        self._by_name = {r.name: r for r in rows}
        self._relist()

    def update_row(self, name: str, **fields) -> None:
        """Change one row in place (e.g. our own claim) without a trip to the database."""
        row = self._by_name.get(name)
        if row is not None:
            for key, value in fields.items():
                setattr(row, key, value)
            self.refresh()

    def set_triage(self, triage: dict[str, tuple[int, str, bool]] | None, refresh: bool = True) -> None:
        """Sort by `team.queue.build_queue`'s triage order with its word per row, or (None) back to the usual."""
        self.triage = triage
        self.border_title = "Briefs · triage" if triage is not None else None
        if refresh:
            self._relist()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._relist()

    def row(self, name: str | None) -> BriefRow | None:
        return self._by_name.get(name) if name is not None else None

    def visible_rows(self) -> list[BriefRow]:
        f = self.filter_text.lower()
        rows = self.rows
        if self.triage is not None:
            last = len(self.triage)
            rows = sorted(rows, key=lambda r: self.triage.get(r.name, (last,))[0])
        if not f:
            return rows
        return [r for r in rows if f in (r.title or "").lower() or f in r.name.lower()
                or f in r.status or f in (r.channel or "").lower()]

    def _relist(self) -> None:
        current = self.highlighted_name
        old_cursor = self._cursor
        self._visible = self.visible_rows()
        firsts, line = [], 0
        for r in self._visible:
            firsts.append(line)
            line += 3 if r.error else 2
        self._firsts, self._lines = firsts, line
        if not self._visible:
            self._cursor = None
        elif current is not None and current in self._by_name and self._by_name[current] in self._visible:
            self._cursor = self._index_of(current)
        else:
            self._cursor = min(old_cursor or 0, len(self._visible) - 1)
        self.virtual_size = Size(self.scrollable_content_region.width, self._lines)
        self.refresh()
        if self.highlighted_name != current:
            self.post_message(self.Highlighted(self, self.highlighted_name))

    def _index_of(self, name: str) -> int | None:
        for i, r in enumerate(self._visible):
            if r.name == name:
                return i
        return None

    # ------------------------------------------------------------------ cursor

    @property
    def highlighted(self) -> int | None:
        return self._cursor

    @property
    def highlighted_name(self) -> str | None:
        if self._cursor is None or self._cursor >= len(self._visible):
            return None
        return self._visible[self._cursor].name

    @property
    def option_count(self) -> int:
        return len(self._visible)

    def select(self, index: int) -> str | None:
        if not self._visible:
            return None
        index = max(0, min(len(self._visible) - 1, index))
        if index != self._cursor:
            self._cursor = index
            self.refresh()
            self.post_message(self.Highlighted(self, self.highlighted_name))
        self._scroll_to_cursor()
        return self.highlighted_name

    def move(self, step: int) -> str | None:
        """Move the cursor by `step` rows, wrapping around; returns the brief now highlighted."""
        if not self._visible:
            return None
        return self.select(0 if self._cursor is None else (self._cursor + step) % len(self._visible))

    def action_cursor(self, step: int) -> None:
        if self._visible:
            self.select(0 if self._cursor is None else self._cursor + step)

    def action_page(self, direction: int) -> None:
        if self._visible and self._cursor is not None:
            rows = max(1, self.scrollable_content_region.height // 2)
            self.select(self._cursor + direction * rows)

    def action_jump(self, index: int) -> None:
        if self._visible:
            self.select(index % len(self._visible))

    def _scroll_to_cursor(self) -> None:
        if self._cursor is None:
            return
        top = self._firsts[self._cursor]
        bottom = self._firsts[self._cursor + 1] if self._cursor + 1 < len(self._firsts) else self._lines
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > self.scroll_y + height:
            self.scroll_to(y=bottom - height, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        line = event.y + int(self.scroll_y)
        if 0 <= line < self._lines:
            self.select(bisect_right(self._firsts, line) - 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._lines)
        self._scroll_to_cursor()

    # ------------------------------------------------------------------ drawing

    def _strips(self, row: BriefRow, width: int, cursor: bool) -> list[Strip]:
        """The row's finished lines (gutter, padding, style), cached until the row, width, cursor or theme
        changes: moving the cursor redraws every visible line, and building strips is most of that cost."""
        base = self.rich_style
        cursor_style = self.get_component_rich_style("brief-queue--cursor") if cursor else None
        why = self.triage.get(row.name) if self.triage is not None else None
        why = (why[1], why[2]) if why is not None else None
        key = (_row_key(row), why, width, cursor, base, cursor_style)
        cached = self._rendered.get(row.name)
        if cached and cached[0] == key:
            return cached[1]
        console = self.app.console
        strips = []
        for text in row_label(row, self.instance, why):
            text.truncate(max(1, width - 1), overflow="ellipsis")
            segments = list(text.render(console))
            if cursor:
                line = Strip([Segment(CURSOR_MARK, Style(bold=True)), *segments]).crop_extend(0, width, None)
                strips.append(line.apply_style(base + cursor_style))
            else:
                strips.append(Strip([Segment(" "), *segments]).crop_extend(0, width, base).apply_style(base))
        self._rendered[row.name] = (key, strips)
        return strips

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_y) + y
        if line >= self._lines or not self._visible:
            return Strip.blank(width, self.rich_style)
        index = bisect_right(self._firsts, line) - 1
        return self._strips(self._visible[index], width, index == self._cursor)[line - self._firsts[index]]

"""The brief queue: status, title, channel and counts per brief, with a filter. Text is never markup."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..text import plain

STATUS_STYLE = {"new": "bold cyan", "drafting": "yellow", "ready": "bold green", "in review": "magenta",
                "approved": "green", "rejected": "red", "invalid": "bold red"}
STATUS_MARK = {"new": "●", "drafting": "◐", "ready": "◉", "in review": "◎", "approved": "✓", "rejected": "✗",
               "invalid": "!"}


def row_label(row: dict, me: str | None = None) -> Text:
    status = row["status"]
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(f"{STATUS_MARK.get(status, '?')} ", style=STATUS_STYLE.get(status, ""))
    label.append(plain(row["title"] or row["name"]))
    detail = status
    if status == "in review" and row.get("claimed_by"):
        detail = "yours" if row.get("claim_instance") == me else f"in review by {row['claimed_by']}"
    elif row.get("drafts"):
        detail += f" · {row['done']}/{row['drafts']}"
    if row.get("channel"):
        detail += f" · {row['channel']}"
    label.append(f"\n  {plain(detail)}", style="dim")
    if row.get("error"):
        label.append(f"\n  {plain(row['error'])}", style="red")
    return label


class BriefQueue(OptionList):
    """One option per brief, id = file name. Rebuilt only when the rows change; the highlight is kept."""

    can_focus = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[dict] = []
        self.filter_text = ""
        self.instance: str | None = None
        self._signature: tuple = ()

    def visible_rows(self) -> list[dict]:
        f = self.filter_text.lower()
        if not f:
            return self.rows
        return [r for r in self.rows if f in (r["title"] or "").lower() or f in r["name"].lower()
                or f in r["status"] or f in (r["channel"] or "").lower()]

    def set_rows(self, rows: list[dict]) -> None:
        self.rows = rows
        self._rebuild()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._rebuild()

    def _rebuild(self) -> None:
        rows = self.visible_rows()
        signature = tuple((r["name"], r["status"], r["title"], r.get("drafts"), r.get("done"), r.get("claimed_by"),
                           r.get("error")) for r in rows)
        if signature == self._signature:
            return
        self._signature = signature
        current = self.highlighted_name
        self.clear_options()
        self.add_options([Option(row_label(r, self.instance), id=r["name"]) for r in rows])
        names = [r["name"] for r in rows]
        if current in names:
            self.highlighted = names.index(current)
        elif names and self.highlighted is None:
            self.highlighted = 0

    @property
    def highlighted_name(self) -> str | None:
        if self.highlighted is None or self.highlighted >= self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def row(self, name: str | None) -> dict | None:
        return next((r for r in self.rows if r["name"] == name), None)

    def move(self, step: int) -> str | None:
        if not self.option_count:
            return None
        index = 0 if self.highlighted is None else (self.highlighted + step) % self.option_count
        self.highlighted = index
        return self.highlighted_name

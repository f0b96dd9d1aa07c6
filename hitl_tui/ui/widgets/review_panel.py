"""The brief's contract, the focused variant's scores, checklist and gate details."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...config import ManualItem
from ...gate_status import FAIL, PASS, WARN
from ...store.rows import BriefRow
from ..text import plain

if TYPE_CHECKING:
    from ...briefs import Brief
    from ...gates import GateResult


def summary_text(brief: Brief | None, row: BriefRow | None, notice: str = "") -> Text:
    t = Text()
    if row is None:
        return Text("No brief selected. Drop .toml, .md or .txt briefs into the inbox.", style="dim")
    t.append(plain(brief.title if brief else row.title), style="bold")
    t.append(f"  ({plain(row.name)}, {row.status})", style="dim")
    if notice:
        t.append(f"\n{plain(notice)}", style="bold magenta")
    if row.error:
        t.append(f"\n{plain(row.error)}", style="bold red")
        return t
    if brief is None:
        return t
    limits = [f"{n} {v}" for n, v in (("min words", brief.min_words), ("max words", brief.max_words),
                                      ("max chars", brief.max_chars), ("grade ≤", brief.reading_grade_max)) if v]
    # A few facts to a line, so the brief's own words still fit under them in a short panel.
    lines = [[("Channel", brief.channel), ("Audience", brief.audience), ("Goal", brief.goal)],
             [("CTA", brief.cta), ("Must include", ", ".join(brief.must_include)),
              ("Banned", ", ".join(brief.banned))],
             [("Limits", ", ".join(limits)), ("Voice", brief.voice), ("Notes", brief.notes)],
             [("Brief", " ".join(brief.brief.split()))]]  # as its writer put it (the whole of a .txt brief)
    for facts in lines:
        facts = [(name, value) for name, value in facts if value]
        for n, (name, value) in enumerate(facts):
            t.append("\n" if n == 0 else "  ·  ", style="dim")
            t.append(f"{name}: ", style="bold dim")
            t.append(plain(value))
    return t


class Panel(Static):
    def show_text(self, text: Text) -> None:
        """Redraw only on a change (these are refreshed while drafts stream and on every move in the queue),
        and re-lay out the screen only if the number of lines changed."""
        old = self.content
        if old == text:
            return
        same_height = self.is_mounted and isinstance(old, Text) and self._rows(old) == self._rows(text)
        self.update(text, layout=not same_height)

    def _rows(self, text: Text) -> int:
        return len(text.wrap(self.app.console, max(1, self.content_region.width)))


class BriefSummary(Panel):
    pass


class ScoreCard(Panel):
    """This reviewer's own scores of the focused variant; the border title says who else scored it. The focused
    dimension's two anchors (what 1 and 5 mean) take the rows the dimensions leave, each shortened with "…" if they
    do not fit: the card never grows past its box (at 120x40 it would lose its last lines, border and all)."""

    _shown: tuple | None = None  # the last `show` arguments, drawn again when the card's size changes

    def on_mount(self) -> None:
        self.border_title = "Your scores"

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, rubric: dict[str, dict[str, str]], scores: dict[str, int], current: int,
             colleagues: list[str] | None = None, unsaved: set[str] | None = None) -> None:
        """`unsaved`: dimensions whose score hitl.db refused so far (kept and retried by the station)."""
        self._shown = (rubric, scores, current, colleagues, unsaved)
        colleagues, unsaved = colleagues or [], unsaved or set()
        title = "Your scores" if not colleagues else f"Yours · {plain(colleagues[0])} scored too" \
            if len(colleagues) == 1 else f"Yours · {len(colleagues)} others scored"
        if unsaved:
            title = f"{title} · {len(unsaved)} not saved"
        if self.border_title != title:
            self.border_title = Text(title)  # a Text: a name is never read as markup
        t = Text(no_wrap=True, overflow="ellipsis")
        names = list(rubric)
        for i, name in enumerate(names):
            value = scores.get(name)
            t.append("▶ " if i == current else "  ", style="bold")
            t.append(f"{rubric[name].get('label', name)[:11]:<11} ", style="bold" if i == current else "")
            t.append("".join("●" if value and n <= value else "○" for n in range(1, 6)),
                     style="yellow" if value else "dim")
            t.append(f" {value or '–'}")
            t.append(" not saved" if name in unsaved else "", style="bold red")
            t.append("\n" if i < len(names) - 1 else "")
        if 0 <= current < len(names):
            dim = rubric[names[current]]
            size = self.content_region.size if self.is_mounted else None
            width, rows = (size.width, size.height - len(names)) if size and size.width > 0 else (26, 4)
            anchors = fit_anchors([f"1 = {plain(dim.get('one', ''))}", f"5 = {plain(dim.get('five', ''))}"],
                                  width, rows)
            if anchors:
                t.append("\n" + "\n".join(anchors), style="dim")
        self.show_text(t)


def fit_anchors(anchors: list[str], width: int, rows: int) -> list[str]:
    """The anchors wrapped to `width`, in at most `rows` lines shared between them (the first gets an odd one);
    an anchor cut short ends with "…"."""
    out: list[str] = []
    for n, anchor in enumerate(anchors):
        room = rows // len(anchors) + (1 if n < rows % len(anchors) else 0)
        lines = textwrap.wrap(anchor, max(8, width)) if room > 0 else []
        if len(lines) > room:
            lines = lines[:room]
            lines[-1] = lines[-1][:max(1, width - 1)].rstrip() + "…"
        out += lines
    return out


class Checklist(OptionList):
    """Manual checklist items, each shown as [x] or [ ] (visible without colour); space or enter ticks the
    highlighted one."""

    BINDINGS = [Binding("space", "select", "Tick", show=False, id="checklist_tick")]

    class Toggled(Message):
        def __init__(self, item: str, checked: bool) -> None:
            super().__init__()
            self.item = item
            self.checked = checked

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._items: list[ManualItem] = []
        self._ticks: dict[str, bool] = {}

    def show(self, items: list[ManualItem], ticks: dict[str, bool]) -> None:
        if items == self._items and ticks == self._ticks:
            return
        highlighted = self.highlighted
        self._items, self._ticks = items, dict(ticks)
        self.set_options([Option(self._prompt(i), id=i.id) for i in items])
        if items:
            self.highlighted = min(highlighted or 0, len(items) - 1)
        self._title()

    def _title(self) -> None:
        ticked = sum(bool(self._ticks.get(i.id)) for i in self._items)
        self.border_title = f"Checklist {ticked}/{len(self._items)}" if self._items else "Checklist"

    def _prompt(self, item: ManualItem) -> Text:
        checked = self._ticks.get(item.id, False)
        t = Text()
        t.append("[x] " if checked else "[ ] ", style="bold green" if checked else "bold")
        t.append(plain(item.text))
        if item.required:
            t.append(" (required)", style="dim")
        return t

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = next(i for i in self._items if i.id == event.option.id)
        self._ticks[item.id] = not self._ticks.get(item.id, False)
        self.replace_option_prompt(item.id, self._prompt(item))
        self._title()
        self.post_message(self.Toggled(item.id, self._ticks[item.id]))


GATE_MARK = {FAIL: ("✗ ", "bold red"), WARN: ("! ", "yellow"), PASS: ("✓ ", "green")}
GATE_ORDER = {FAIL: 0, WARN: 1, PASS: 2}  # what needs attention first


class GateDetails(VerticalScroll):
    """Every automatic gate of the focused variant, failing ones first with what is wrong, each with where its rule
    comes from (a brief field or a config key). The manual checklist is the Checklist panel's, not repeated here.

    Seven gates with failures do not fit the panel at 120×40 and were reachable only by mouse wheel: the panel
    takes focus (the `gates` key, G) and scrolls with the arrows, page keys, home and end (VerticalScroll's own
    keys); its bottom border says when more is above or below, and which key reaches it."""

    focus_key = "G"  # the app sets the reviewer's key (attributes down)

    def compose(self):
        yield Static(classes="gates-text")

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._say_more()

    def on_resize(self) -> None:
        self._say_more()

    def _say_more(self) -> None:
        """'↓ more · G' while gates are out of view below (↑ above), so the reviewer knows and knows how."""
        if not self.is_mounted:
            return
        below, above = self.scroll_y < self.max_scroll_y, self.scroll_y > 0
        arrows = ("↑" if above else "") + ("↓" if below else "")
        hint = "" if not arrows else f"{arrows} more" + ("" if self.has_focus else f" · {self.focus_key}")
        if self.border_subtitle != hint:
            self.border_subtitle = hint

    def on_focus(self) -> None:
        self._say_more()

    def on_blur(self) -> None:
        self._say_more()

    def show(self, results: list[GateResult], note: str = "", learning: Text | None = None,
             team: Text | None = None) -> None:
        t = Text()
        if team:  # sign-off stages and questions to experts (ui/screens/review_team.py), above the gates
            t.append_text(team)
            t.append("\n")
        if learning:
            t.append_text(learning)
            t.append("\n")
        if note:
            t.append("Note: ", style="bold")
            t.append(plain(note) + "\n", style="italic")
        for r in sorted(results, key=lambda r: GATE_ORDER.get(r.status, 3)):
            mark, style = GATE_MARK.get(r.status, ("? ", "dim"))
            t.append(mark, style=style if r.required or r.status == PASS else "yellow")
            if r.status == PASS:  # a pass needs only its name and rule: a line each, so more of them fit
                t.append(plain(r.label))
            else:
                t.append(f"{plain(r.label)}: ", style="bold")
                t.append(plain(r.message))
            t.append(f"  ← {plain(r.source)}{'' if r.required else ' (advisory)'}\n", style="dim")
        t.rstrip()
        text = self.query_one(".gates-text", Static)
        if text.content != t:  # redrawn only on a change: this runs on every move and stream flush
            text.update(t)
        passed = sum(r.status == PASS for r in results)
        self.border_title = f"Gates {passed}/{len(results)} pass" if results else "Gates"
        self.call_after_refresh(self._say_more)  # once the new text is laid out

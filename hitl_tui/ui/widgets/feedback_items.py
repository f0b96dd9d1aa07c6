"""Feedback items as a reviewer reads them (issue 12): one line per item with its mark, the tally of a revise, and
the voice memory a revision was given. Shared by the revise list, the feedback ticks and the revision history.

Every mark is a sign as well as a colour (✓ ✗ ? –), so it reads without colour (NO_COLOR, 16 colours, a screen
reader); item text is the model's or a person's words, so it is always plain (never markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...learning.feedback import ADDRESSED, NOT_ADDRESSED, PREFIXES, UNCLEAR, FeedbackItem
from ..text import plain

if TYPE_CHECKING:
    from ...store.report_rows import RevisionHistory

MARKS = {ADDRESSED: ("✓", "addressed", "bold green"), NOT_ADDRESSED: ("✗", "not addressed", "bold red"),
         UNCLEAR: ("?", "unclear", "bold yellow"), None: ("·", "not marked", "dim")}


def ask_text(item: FeedbackItem) -> Text:
    """What the item asks, with the prefix the model sees ("Failed check:", "Low score:" …)."""
    t = Text()
    t.append(PREFIXES.get(item.kind, item.kind) + " ", style="bold")
    t.append(plain(item.ask))
    if item.carried_from is not None:
        t.append(f"  ↻ asked in r{item.carried_from}, not yet done", style="magenta")
    return t


def sent_line(item: FeedbackItem) -> Text:
    """An item on the revise list: [x] sent or [ ] dropped (visible without colour)."""
    t = Text()
    t.append("[ ] " if item.dropped else "[x] ", style="dim" if item.dropped else "bold green")
    body = ask_text(item)
    if item.dropped:
        body.stylize("dim strike")
    return t + body


def marked_line(item: FeedbackItem) -> Text:
    """An item a revision was sent, with its mark, why, and who ticked it."""
    if item.dropped:
        t = Text()
        t.append("– dropped        ", style="dim")
        t.append(plain(f"{PREFIXES.get(item.kind, item.kind)} {item.ask}"), style="dim strike")
        return t
    sign, word, style = MARKS.get(item.mark, MARKS[None])
    t = Text()
    t.append(f"{sign} {word:<14} ", style=style)
    t.append_text(ask_text(item))
    if item.why or item.marked_by:
        who = "" if item.marked_by in ("", "auto") or item.marked_by in item.why else f" — {item.marked_by}"
        t.append(f"\n    {plain(item.why)}{plain(who)}", style="dim")
    return t


def tally(items: Iterable[FeedbackItem]) -> str:
    """"6 sent: 3 ✓ addressed · 1 ✗ not addressed · 2 ? unclear" (dropped items were not sent)."""
    sent = [i for i in items if not i.dropped]
    if not sent:
        return "nothing sent"
    counts = {m: sum(i.mark == m for i in sent) for m in MARKS}
    parts = [f"{counts[m]} {MARKS[m][0]} {MARKS[m][1]}" for m in (ADDRESSED, NOT_ADDRESSED, UNCLEAR, None)
             if counts[m]]
    return f"{len(sent)} sent: " + " · ".join(parts)


def short_tally(items: Iterable[FeedbackItem]) -> str:
    """"1 ✓ 1 ✗ 3 ?" — the same counts in a narrow panel."""
    sent = [i for i in items if not i.dropped]
    return " ".join(f"{n} {MARKS[m][0]}" for m in (ADDRESSED, NOT_ADDRESSED, UNCLEAR, None)
                    if (n := sum(i.mark == m for i in sent))) or "nothing sent"


def memory_text(examples: list[dict] | None, lines: list[str] | None) -> Text:
    """The voice memory a revision was given: which approved pieces were its examples and the learned lines."""
    t = Text()
    if examples is None:
        return t
    t.append("Given ", style="bold")
    if examples:
        shown = ", ".join(f"{e.get('brief') or '?'} (revision {e['revision_id']})" for e in examples)
        t.append(f"{len(examples)} approved example{'s' if len(examples) != 1 else ''}: ")
        t.append(plain(shown))
    else:
        t.append("no approved examples")
    lines = lines or []
    t.append(f"; {len(lines)} learned rule{'s' if len(lines) != 1 else ''}")
    for line in lines:
        t.append(f"\n  • {plain(line)}", style="dim")
    return t


def learning_text(rev: RevisionHistory) -> Text:
    """A revision in the history (`Store.brief_history`): the items it was sent with their marks, and its memory."""
    t = Text()
    items = [FeedbackItem.from_dict(d) for d in rev.items]
    if items:
        t.append(f"Feedback sent ({tally(items)}):\n", style="bold")
        for item in items:
            t.append_text(marked_line(item))
            t.append("\n")
    t.append_text(memory_text(rev.examples, rev.learned_lines))
    return t.rstrip() or t


class ItemList(OptionList):
    """Feedback items, one option each (id = the item's id), drawn by `line`. The screen that owns it decides what
    the keys do; this only redraws one item in place, keeping the highlight."""

    def __init__(self, items: list[FeedbackItem], line=marked_line, **kwargs) -> None:
        super().__init__(*[Option(line(i), id=i.id) for i in items], **kwargs)
        self.line = line
        self.items = list(items)

    @property
    def current(self) -> FeedbackItem | None:
        return self.items[self.highlighted] if self.highlighted is not None and self.items else None

    def redraw(self, item: FeedbackItem) -> None:
        self.items = [item if i.id == item.id else i for i in self.items]
        self.replace_option_prompt(item.id, self.line(item))

    def show(self, items: list[FeedbackItem]) -> None:
        self.items = list(items)
        self.set_options([Option(self.line(i), id=i.id) for i in items])
        if items:
            self.highlighted = 0

"""The feedback a variant's revisions were sent and what became of it (`f`), ticked by the reviewer.

When revision N+1 finishes, the engine marks each item it was sent: gates by re-running them, edits by whether the
revision kept them, must-include / CTA / banned items by the text. Notes, scores, instructions and answers stay
`unclear` until a person judges them: here, one key each — y addressed, n not addressed, u unclear again. Items
left not addressed are sent again with the next `r`. Each tick is written to the log with its event
(`Store.tick_feedback`). ←/→ step through the variant's earlier revises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...keymap import FEEDBACK
from ...learning.feedback import FeedbackItem
from ...workspace import package_dir
from ..guard import report
from ..keys import bindings_for, key_label
from ..text import plain
from ..widgets.feedback_items import ItemList, memory_text, tally
from .diff import word_diff

if TYPE_CHECKING:
    from ...store.report_rows import RevisionHistory


class FeedbackScreen(ModalScreen[int]):
    """Dismisses with how many ticks were written (the station refreshes what it shows when any were)."""

    CSS_PATH = str(package_dir("styles") / "feedback.tcss")  # loaded with the first of these dialogs
    ACTION_SCREEN = FEEDBACK
    BINDINGS = bindings_for(FEEDBACK)  # keys, help and palette from hitl_tui/keymap.py; remappable under [keys]

    def __init__(self, store, label: str, revisions: list[RevisionHistory]) -> None:
        """`revisions`: a variant's revisions as `Store.brief_history` gives them; those a revise sent items to
        are shown, the latest first."""
        super().__init__()
        self.store = store
        self.label = label
        self.all = list(revisions)
        self.revises = [r for r in revisions if r.items]
        self.index = len(self.revises) - 1
        self.ticks = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog feedback"):
            yield Static("", id="feedback-title")
            yield Static("", id="feedback-memory")
            yield ItemList([], id="feedback-items")
            with VerticalScroll(id="feedback-text-box"):
                yield Static("", id="feedback-text")
            k = lambda a: key_label(self.app.config.keys, a)  # noqa: E731 (after [keys])
            yield Static(Text(f"{k('feedback_addressed')} addressed · {k('feedback_not_addressed')} not addressed · "
                              f"{k('feedback_unclear')} unclear · {k('feedback_older')}/{k('feedback_newer')} "
                              f"older/newer revise · {k('feedback_close')} closes", style="dim"))

    def on_mount(self) -> None:
        self._show()
        self.query_one(ItemList).focus()

    @property
    def revision(self) -> RevisionHistory:
        return self.revises[self.index]

    def items(self) -> list[FeedbackItem]:
        return [FeedbackItem.from_dict(d) for d in self.revision.items]

    def _title(self) -> None:
        rev = self.revision
        title = Text()
        title.append(f"Feedback sent to {plain(self.label)} r{rev.number}", style="bold")
        title.append(f" ({rev.status})" if rev.status != "done" else "", style="bold yellow")
        title.append(f"  ·  {tally(self.items())}")
        if len(self.revises) > 1:
            title.append(f"  ·  revise {self.index + 1} of {len(self.revises)}", style="dim")
        self.query_one("#feedback-title", Static).update(title)

    def _show(self) -> None:
        rev = self.revision
        self._title()
        self.query_one("#feedback-memory", Static).update(memory_text(rev.examples, rev.learned_lines))
        self.query_one(ItemList).show(self.items())
        # what the items were judged against: the revision's text, its changes to the text it was given marked
        at = self.all.index(rev)
        before = self.all[at - 1].text if at > 0 else None
        body = Text()
        if before is None:
            body.append(plain(rev.text or ""))
        else:
            if before == (rev.text or ""):
                body.append(f"r{rev.number} is word for word the text it revised: nothing changed\n",
                            style="bold yellow")
            else:
                body.append(f"r{rev.number} against the text it revised: [-removed-] {{+added+}}\n", style="dim")
            body.append_text(word_diff(before, rev.text or ""))
        self.query_one("#feedback-text", Static).update(body)

    def action_feedback_older(self) -> None:
        self._step(-1)

    def action_feedback_newer(self) -> None:
        self._step(1)

    def _step(self, step: int) -> None:
        index = max(0, min(len(self.revises) - 1, self.index + step))
        if index != self.index:
            self.index = index
            self._show()

    def action_feedback_addressed(self) -> None:
        self._tick("addressed")

    def action_feedback_not_addressed(self) -> None:
        self._tick("not_addressed")

    def action_feedback_unclear(self) -> None:
        self._tick("unclear")

    def _tick(self, mark: str) -> None:
        item = self.query_one(ItemList).current
        if item is None:
            return
        if item.dropped:
            self.notify("That item was dropped before sending: there is nothing to tick.", severity="warning")
            return
        self._write(self.revision, item, mark)

    @work(group="feedback-tick", exit_on_error=False)
    async def _write(self, rev: RevisionHistory, item: FeedbackItem, mark: str) -> None:
        try:
            ticked = await self.store.tick_feedback(rev.revision_id, item.id, mark)
        except Exception as exc:
            report(self.app, "feedback tick", exc)
            return
        self.ticks += 1
        rev.items = [ticked.to_dict() | {"mark": ticked.mark} if d["id"] == item.id else d
                        for d in rev.items]
        if rev is self.revision and self.is_attached:
            listing = self.query_one(ItemList)
            listing.redraw(ticked)
            self._title()
            if listing.highlighted is not None and listing.highlighted < listing.option_count - 1:
                listing.highlighted += 1  # on to the next item: a run of ticks is one key each

    async def action_feedback_help(self) -> None:
        from .modals import HelpScreen

        await self.app.push_screen(HelpScreen(FEEDBACK, self.app.config.keys))

    def action_feedback_close(self) -> None:
        self.dismiss(self.ticks)


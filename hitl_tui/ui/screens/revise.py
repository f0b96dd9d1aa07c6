"""The revise step (`r`): the feedback a revision will be sent, seen and trimmed before it goes.

The station collects the proposed items (`feedback_loop.revise.proposed_items`: what the last revision left not
addressed first, then the variant's failed gates, low scores, note, experts' answers and edits). Here the reviewer
types an optional instruction, drops items they do not want sent (space; they stay in the history as dropped) and
sends with enter. The screen returns the list to send (instruction first after the carried-over items), or None.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...keymap import REVISE
from ...learning.feedback import FeedbackItem, drop, note_item
from ...workspace import package_dir
from ..keys import bindings_for, key_label
from ..text import plain
from ..widgets.feedback_items import ItemList, sent_line


class ReviseScreen(ModalScreen[list[FeedbackItem] | None]):
    # keys, help and palette from hitl_tui/keymap.py, remappable under [keys]; tab is the screen's own action
    # because the station's check_action holds App actions (focus_next too) while a dialog is open
    CSS_PATH = str(package_dir("styles") / "feedback.tcss")  # loaded with the first of these dialogs
    ACTION_SCREEN = REVISE
    BINDINGS = bindings_for(REVISE)

    def __init__(self, items: list[FeedbackItem], title: str) -> None:
        super().__init__()
        self.items = list(items)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog revise"):
            yield Static(Text(plain(self.title_text), style="bold"))
            yield Input(placeholder="Instruction for this revision (optional), e.g. lead with the price",
                        id="revise-instruction")
            yield Static("", id="revise-count")
            yield ItemList(self.items, line=sent_line, id="revise-items")
            k = lambda a: key_label(self.app.config.keys, a)  # noqa: E731 (after [keys])
            yield Static(Text(f"{k('revise_send')} sends · {k('revise_focus')} to the list · {k('revise_toggle')} "
                              f"drops or keeps the highlighted item · {k('revise_cancel')} cancels", style="dim"))

    def on_mount(self) -> None:
        self._count()
        self.query_one(ItemList).highlighted = 0 if self.items else None

    def _count(self) -> None:
        kept = sum(not i.dropped for i in self.items)
        label = self.query_one("#revise-count", Static)
        if not self.items:
            label.update(Text("Nothing collected: no failed check, low score, note or edit. Type what should "
                              "change, or send to ask for a sharper version.", style="italic"))
        else:
            carried = sum(i.carried_from is not None for i in self.items)
            more = f", {carried} carried over from the last revision" if carried else ""
            typed = " — and your instruction" if self.query_one(Input).value.strip() else ""
            label.update(Text(f"Feedback to send: {kept} of {len(self.items)} items{more}{typed}", style="bold"))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._count()

    def action_revise_toggle(self) -> None:
        """space on the list (in the instruction, space types a space): drop the highlighted item or put it back."""
        listing = self.query_one(ItemList)
        if listing.current is None:
            return
        item = listing.current
        self.items = drop(self.items, item.id, not item.dropped)
        listing.redraw(next(i for i in self.items if i.id == item.id))
        self._count()

    def on_option_list_option_selected(self, event: ItemList.OptionSelected) -> None:
        event.stop()  # a click toggles too (enter sends: it is bound on the screen)
        self.action_revise_toggle()

    def action_revise_focus(self) -> None:
        listing = self.query_one(ItemList)
        (self.query_one(Input) if self.focused is listing else listing).focus()

    def action_revise_send(self) -> None:
        self.dismiss(self.to_send(self.query_one(Input).value))

    def to_send(self, instruction: str) -> list[FeedbackItem]:
        """The items with the typed instruction after the carried-over ones (the same instruction carried over is
        simply kept)."""
        items = list(self.items)
        if instruction.strip():
            new = note_item(instruction, "instruction")
            if any(i.id == new.id for i in items):
                return drop(items, new.id, False)
            at = sum(i.carried_from is not None for i in items)
            items.insert(at, new)
        return items

    def action_revise_cancel(self) -> None:
        self.dismiss(None)

    async def action_revise_help(self) -> None:
        from .modals import HelpScreen

        await self.app.push_screen(HelpScreen(REVISE, self.app.config.keys))

"""Small modal screens: a one-line prompt (reasons, notes, filter) and the help screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...keymap import HELP, PROMPT
from ..keys import bindings_for, help_rows, key_label
from ..text import plain


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text. Enter submits (empty allowed only if `allow_empty`), escape cancels."""

    ACTION_SCREEN = PROMPT
    BINDINGS = bindings_for(PROMPT)  # keys, palette and [keys] remapping from hitl_tui/keymap.py

    def __init__(self, title: str, placeholder: str = "", value: str = "", allow_empty: bool = False,
                 detail: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.allow_empty = allow_empty
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(plain(self.title_text), style="bold"))  # Static wraps; a Label would cut at 80 columns
            if self.detail:
                yield Static(Text(plain(self.detail)), classes="dialog-detail")
            yield Input(value=self.value, placeholder=self.placeholder)
            yield Label(Text(f"enter to confirm · {key_label(self.app.config.keys, 'prompt_cancel')} to cancel",
                             style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text or self.allow_empty:
            self.dismiss(text)
        else:
            self.notify("A reason is required.", severity="warning")

    def action_prompt_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    ACTION_SCREEN = HELP
    BINDINGS = bindings_for(HELP)

    def __init__(self, screen: str, keys: dict[str, str]) -> None:
        super().__init__()
        self.rows = help_rows(screen, keys)  # the keys of the screen it was opened from

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column("id", style="dim")
        for key, desc, bid in self.rows:
            table.add_row(key.replace("question_mark", "?").replace("slash", "/"), desc, bid)
        with VerticalScroll(classes="dialog help"):
            yield Label(Text("Keys — remap any id under [keys] in hitl.toml", style="bold"))
            yield Static(table)

    def action_help_close(self) -> None:
        self.dismiss(None)

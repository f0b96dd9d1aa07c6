"""Ask an expert: pick a role (everyone holding it may answer) or a person, type the question, enter.

The question is logged through `team.experts.ask` (event `ask`); it shows under the variant's gates in the station
and first in the expert's own queue (`w` in their station). Dismissed with the `Asked` result, or None.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...keymap import ASK
from ...team.experts import Asked, ask
from ...workspace import package_dir
from ..guard import write_problem
from ..keys import bindings_for, key_label
from ..text import plain


def targets(roles: dict[str, list[str]], people: list[str], me: str) -> list[tuple[str, Text]]:
    """(who to ask, how the option reads): roles first with their holders, then people (not oneself)."""
    out = []
    for role, names in roles.items():
        t = Text()
        t.append(f"{role}", style="bold")
        t.append(f"  role · {', '.join(names) or 'nobody'}", style="dim")
        out.append((role, t))
    named = dict.fromkeys([n for names in roles.values() for n in names] + people)
    for name in named:
        if name != me and name not in roles:
            out.append((name, Text.assemble((name, "bold"), ("  person", "dim"))))
    return out


class AskExpertScreen(ModalScreen[Asked | None]):
    CSS_PATH = str(package_dir("styles") / "team.tcss")
    ACTION_SCREEN = ASK
    BINDINGS = bindings_for(ASK)  # keys, palette and [keys] remapping from hitl_tui/keymap.py

    def __init__(self, store, config, draft_id: int, about: str, *, people: list[str] = (), claim_id: str | None = None,
                 asked_of: str | None = None, question: str = "") -> None:
        super().__init__()
        self.store, self.config, self.draft_id = store, config, draft_id
        self.about, self.claim_id, self.question = about, claim_id, question
        self.options = targets(config.roles, list(people), store.reviewer)
        self.preset = asked_of

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-expert"):
            yield Static(Text(f"Ask an expert about {plain(self.about)}", style="bold"))
            yield Label(Text("Who (↑/↓ while typing): a role reaches everyone holding it", style="dim"))
            yield OptionList(*[Option(label, id=who) for who, label in self.options], id="ask-who")
            yield Label(id="ask-to")
            yield Input(value=self.question, placeholder="Your question, e.g. can we say 40% faster?",
                        id="ask-question")
            yield Label(Text(f"enter to ask · {key_label(self.app.config.keys, 'ask_cancel')} to cancel", style="dim"))

    def on_mount(self) -> None:
        who = self.query_one("#ask-who", OptionList)
        ids = [w for w, _ in self.options]
        if ids:
            who.highlighted = ids.index(self.preset) if self.preset in ids else 0
        self.query_one("#ask-question", Input).focus()

    def action_ask_up(self) -> None:
        self._who(-1)

    def action_ask_down(self) -> None:
        self._who(1)

    def _who(self, step: int) -> None:
        who = self.query_one("#ask-who", OptionList)
        if self.options:
            who.highlighted = ((who.highlighted or 0) + step) % len(self.options)

    @property
    def asked_of(self) -> str | None:
        who = self.query_one("#ask-who", OptionList)
        return None if who.highlighted is None else self.options[who.highlighted][0]

    @on(OptionList.OptionHighlighted, "#ask-who")
    def _to(self) -> None:
        """Who is asked, in words: the highlight alone does not show without colour."""
        who = self.asked_of
        holders = self.config.roles.get(who) if who else None
        to = "nobody yet" if who is None else f"{who} ({', '.join(holders)})" if holders else who
        self.query_one("#ask-to", Label).update(Text.assemble(("To: ", "bold"), plain(to)))

    @on(OptionList.OptionSelected, "#ask-who")
    def _picked(self) -> None:
        self.query_one("#ask-question", Input).focus()

    @on(Input.Submitted, "#ask-question")
    async def _submit(self, event: Input.Submitted) -> None:
        question, asked_of = event.value.strip(), self.asked_of
        if asked_of is None:
            self.notify("Nobody to ask: add people under [roles] in hitl.toml.", severity="warning")
            return
        if not question:
            self.notify("Type the question first.", severity="warning")
            return
        try:
            asked = await ask(self.store, self.config, self.draft_id, asked_of, question, claim_id=self.claim_id)
        except Exception as exc:  # a refused write: said here, the question stays typed
            self.notify(f"Not asked: {write_problem(exc)}", severity="error", markup=False)
            return
        self.dismiss(asked)

    def action_ask_cancel(self) -> None:
        self.dismiss(None)

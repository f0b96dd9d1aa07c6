"""The claims register of one variant: every claim the claims gate flags, with its source or status.

Keys: `s` attach a source (a URL, a document path or "brief", plus the supporting quote), `x` mark the claim to be
cut (it still needs a source while it is in the text), `l` send it to the legal role with one key, `k` ask anyone
about it, escape closes. Every change goes through `team.claims` (the register in the log), so `hitl claims` and
the claims gate agree with what is shown here. Dismissed with True when something changed.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...approval.claims import ClaimStatus, make_source
from ...keymap import CLAIMS, SOURCE
from ...team import claims as register
from ...workspace import package_dir
from ..guard import write_problem
from ..keys import bindings_for, key_label
from ..text import plain

STATUS_LOOK = {"sourced": ("✓ sourced", "green"), "brief": ("✓ in the brief", "green"),
               "unsourced": ("✗ needs a source", "bold red"), "marked_removed": ("✂ to cut (still in the text)", "yellow"),
               "removed": ("– removed from the text", "dim")}


def claim_prompt(c: ClaimStatus) -> Text:
    look, style = STATUS_LOOK.get(c.status, (c.status, ""))
    t = Text()
    t.append(f"“{plain(c.text)}”", style="bold")
    t.append(f"  {c.kind}  ", style="dim")
    t.append(look, style=style)
    if c.source is not None:
        t.append(f"\n   {c.source.kind}: {plain(c.source.ref)}", style="dim")
        if c.source.quote:
            t.append(f" — “{plain(c.source.quote)}”", style="dim italic")
        if c.source.by:
            t.append(f" ({plain(c.source.by)})", style="dim")
    return t


class SourcePrompt(ModalScreen[tuple[str, str] | None]):
    """Where a claim comes from: the reference, then the passage that supports it."""

    CSS_PATH = str(package_dir("styles") / "team.tcss")
    ACTION_SCREEN = SOURCE
    BINDINGS = bindings_for(SOURCE)  # keys, palette and [keys] remapping from hitl_tui/keymap.py

    def __init__(self, claim: str) -> None:
        super().__init__()
        self.claim = claim

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Source for “{plain(self.claim)}”", style="bold"))
            yield Input(placeholder="https://…, docs/report.pdf, or brief", id="source-ref")
            yield Input(placeholder="the passage that supports it", id="source-quote")
            yield Label(Text(f"enter to go on · {key_label(self.app.config.keys, 'source_cancel')} to cancel",
                             style="dim"))

    @on(Input.Submitted, "#source-ref")
    def _ref(self) -> None:
        self.query_one("#source-quote", Input).focus()

    @on(Input.Submitted, "#source-quote")
    def _quote(self) -> None:
        ref, quote = self.query_one("#source-ref", Input).value, self.query_one("#source-quote", Input).value
        try:
            make_source(ref, quote)
        except ValueError as exc:
            self.notify(f"{exc}.", severity="warning")
            self.query_one("#source-ref" if not ref.strip() else "#source-quote", Input).focus()
            return
        self.dismiss((ref.strip(), quote.strip()))

    def action_source_cancel(self) -> None:
        self.dismiss(None)


class ClaimsScreen(ModalScreen[bool]):
    ACTION_SCREEN = CLAIMS
    BINDINGS = bindings_for(CLAIMS)
    CSS_PATH = str(package_dir("styles") / "team.tcss")

    def __init__(self, store, config, draft_id: int, label: str, people: list[str] = ()) -> None:
        super().__init__()
        self.store, self.config, self.draft_id, self.label = store, config, draft_id, label
        self.people = list(people)
        self.claims: list[ClaimStatus] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog claims"):
            yield Static(Text(f"Claims in {plain(self.label)}", style="bold"), id="claims-title")
            yield OptionList(id="claims-list")
            k = lambda a: key_label(self.app.config.keys, a)  # noqa: E731 (after [keys])
            yield Label(Text(f"{k('attach_source')} source · {k('mark_removed')} mark removed · "
                             f"{k('send_to_legal')} send to legal · {k('ask_about_claim')} ask · "
                             f"{k('close_claims')} close", style="dim"))

    async def on_mount(self) -> None:
        await self.reload()
        self.query_one("#claims-list").focus()

    async def reload(self) -> None:
        self.claims = await register.variant_claims(self.store, self.config, self.draft_id)
        listing = self.query_one("#claims-list", OptionList)
        keep = listing.highlighted
        listing.set_options([Option(claim_prompt(c), id=c.id) for c in self.claims] or
                            [Option(Text("No claims in this variant: nothing to source.", style="dim"),
                                    disabled=True)])
        if self.claims:
            listing.highlighted = min(keep or 0, len(self.claims) - 1)
        unsourced = sum(c.status == "unsourced" for c in self.claims)
        title = f"Claims in {self.label} · {unsourced} need a source" if unsourced else \
            f"Claims in {self.label} · every claim in the text is sourced" if self.claims else f"Claims in {self.label}"
        self.query_one("#claims-title", Static).update(Text(plain(title), style="bold"))

    @property
    def current(self) -> ClaimStatus | None:
        i = self.query_one("#claims-list", OptionList).highlighted
        return self.claims[i] if self.claims and i is not None and i < len(self.claims) else None

    def _in_text(self) -> ClaimStatus | None:
        c = self.current
        if c is not None and c.status == "removed":
            self.notify("That claim is no longer in the text.", severity="warning")
            return None
        return c

    async def _do(self, what, done: str) -> None:
        try:
            await what
        except Exception as exc:  # a bad source or a refused write: said, nothing lost
            self.notify(f"{write_problem(exc)}", severity="error", markup=False)
            return
        self.changed = True
        await self.reload()
        self.notify(done, markup=False)

    async def action_attach_source(self) -> None:
        c = self._in_text()
        if c is None:
            return

        async def attach(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                await self._do(register.attach(self.store, self.config, self.draft_id, c.id, *answer),
                               f"Source attached to “{c.text}”.")
        await self.app.push_screen(SourcePrompt(c.text), attach)

    async def action_mark_removed(self) -> None:
        c = self._in_text()
        if c is not None:
            await self._do(register.mark_removed(self.store, self.config, self.draft_id, c.id),
                           f"“{c.text}” is marked to cut; it needs a source while it is still in the text.")

    async def action_send_to_legal(self) -> None:
        c = self._in_text()
        if c is None:
            return
        if not self.config.roles.get(register.LEGAL_ROLE):
            self.notify("Nobody holds the legal role: add roles.legal = [\"name\"] to hitl.toml.", severity="warning")
            return
        try:
            asked = await register.send_to_legal(self.store, self.config, self.draft_id, c.id)
        except Exception as exc:
            self.notify(f"Not sent: {write_problem(exc)}", severity="error", markup=False)
            return
        self.changed = True
        self.notify(f"Sent “{c.text}” to legal ({', '.join(asked.who)}).", markup=False)

    async def action_ask_about_claim(self) -> None:
        from .ask_expert import AskExpertScreen

        c = self._in_text()
        if c is None:
            return

        def asked(result) -> None:
            if result is not None:
                self.changed = True
                self.notify(result.message, markup=False)
        await self.app.push_screen(AskExpertScreen(self.store, self.config, self.draft_id, f"the claim “{c.text}”",
                                                   people=self.people, claim_id=c.id), asked)

    def action_close_claims(self) -> None:
        self.dismiss(self.changed)

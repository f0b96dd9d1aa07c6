"""What waits on me: the expert's own queue (`w` in the station).

One row per thing to do (`team.mine.waiting_items`): questions asked of me or of a role I hold, audits of
auto-approvals, sign-off stages of my role, calibration re-shows — in triage order, each with one word saying what
it is. The highlighted row's variant is shown beside the list (its current text, stages, claims and questions), so
an expert can answer without leaving this screen:

- a question: `n` answer with a note, `a` approve for my stage (signs it when it is my stage's turn), `c` request
  changes (the answer goes to the variant's history and into its next revise as feedback);
- a sign-off: `a` signs my stage (through the one `team.approve`; the last stage approves and writes the outbox);
- an audit: `u` uphold, `o` overturn (with a reason: the approval is undone and the outbox file removed);
- a re-show: `enter` scores it again, blind (scores kept apart from the live ones);
- `enter` on anything else opens its brief in the station; `escape` goes back.

Colleagues' changes arrive through the log: the list reloads when the log has new events.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...keymap import WAITING
from ...team import experts
from ...team.approve import approve
from ...team.mine import ASKED, AUDIT, RESHOW, SIGN_OFF, WaitItem, waiting_items
from ...team.routing import resolve_audit
from ...team.variant import load_variant
from ...workspace import package_dir
from ..guard import write_problem
from ..keys import bindings_for, key_label
from .review_team import question_lines, stage_line
from ..text import plain
from .claims import claim_prompt

POLL_SECONDS = 2.0
KIND_STYLE = {ASKED: "bold magenta", AUDIT: "bold red", SIGN_OFF: "bold yellow", RESHOW: "bold cyan"}
# the hint line per kind of row: (action id, what it does here); keys after [keys]
HINTS = {ASKED: (("answer_note", "answer"), ("approve_mine", "approve (my stage)"), ("answer_changes", "changes")),
         SIGN_OFF: (("approve_mine", "sign my stage"),), AUDIT: (("uphold", "uphold"), ("overturn", "overturn")),
         RESHOW: ()}
OPEN = {RESHOW: "⏎ score it again, blind", SIGN_OFF: "⏎ open in the station"}


def item_prompt(item: WaitItem) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(item.kind, style=KIND_STYLE.get(item.kind, "bold"))
    t.append(f" · {plain(item.title or item.brief)} · v{item.variant}\n", style="bold")
    t.append(f"  {plain(item.summary)}", style="dim")
    return t


class WaitingScreen(Screen[str | None]):
    """Dismissed with the name of a brief to open in the station, or None."""

    ACTION_SCREEN = WAITING
    BINDINGS = bindings_for(WAITING)
    CSS_PATH = str(package_dir("styles") / "team.tcss")

    def __init__(self, store, ws) -> None:
        super().__init__()
        self.store, self.ws, self.config = store, ws, ws.config
        self.items: list[WaitItem] = []
        self._seen_event = -1

    def compose(self) -> ComposeResult:
        yield Static(Text(f"What waits on {plain(self.store.reviewer)}", style="bold"), id="waiting-title")
        with Horizontal(id="waiting-main"):
            yield OptionList(id="waiting-list")
            with VerticalScroll(id="waiting-detail"):
                yield Static(id="waiting-body")
        yield Label(id="waiting-keys")

    async def on_mount(self) -> None:
        await self.reload()
        self.query_one("#waiting-list").focus()
        self.set_interval(POLL_SECONDS, self._poll)

    async def _poll(self) -> None:
        try:
            if await self.store.last_event_id() != self._seen_event:
                await self.reload()
        except Exception:  # the log is closing (quit): nothing to show any more
            pass

    async def reload(self) -> None:
        self._seen_event = await self.store.last_event_id()
        keep = self.current.key if self.current else None
        self.items = await waiting_items(self.store, self.config)
        listing = self.query_one("#waiting-list", OptionList)
        listing.set_options([Option(item_prompt(i), id=i.key) for i in self.items] or
                            [Option(Text("Nothing waits on you. Escape goes back to the queue.", style="dim"),
                                    disabled=True)])
        keys = [i.key for i in self.items]
        if self.items:
            listing.highlighted = keys.index(keep) if keep in keys else 0
        counts = {k: sum(i.kind == k for i in self.items) for k in (ASKED, SIGN_OFF, AUDIT, RESHOW)}
        said = " · ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing"
        self.query_one("#waiting-title", Static).update(
            Text(f"What waits on {plain(self.store.reviewer)}: {said}", style="bold"))
        await self.show_detail()

    @property
    def current(self) -> WaitItem | None:
        if not self.items or not self.is_mounted:
            return None
        i = self.query_one("#waiting-list", OptionList).highlighted
        return self.items[i] if i is not None and i < len(self.items) else None

    @on(OptionList.OptionHighlighted, "#waiting-list")
    async def _highlighted(self) -> None:
        await self.show_detail()

    async def show_detail(self) -> None:
        item = self.current
        body = self.query_one("#waiting-body", Static)
        keys = self.app.config.keys
        hints = [f"{key_label(keys, a)} {what}" for a, what in HINTS.get(item.kind, ())] if item else []
        hints += [OPEN.get(item.kind, "⏎ open")] if item else []
        hints += [f"{key_label(keys, 'reload')} reload", f"{key_label(keys, 'back')} back"]
        self.query_one("#waiting-keys", Label).update(Text(" · ".join(hints), style="dim"))
        if item is None:
            body.update("")
            return
        t = Text()
        t.append(f"{plain(item.title or item.brief)}  ({plain(item.brief)}, variant {item.variant})\n", style="bold")
        if item.kind == RESHOW:  # blind: no model, no earlier scores, no decision
            t.append("Calibration re-show: press enter to score this variant again without seeing your earlier "
                     "scores. It does not change the live decision.", style="italic")
            body.update(t)
            return
        v = await load_variant(self.store, self.config, item.draft_id)
        if item.kind == ASKED:
            q = item.ref
            t.append(f"{plain(q.asked_by)} asks {plain(q.asked_of_label())}:\n", style="bold magenta")
            t.append(f"“{plain(q.text)}”\n")
            if q.claim_id:
                claim = next((c for c in v.claims() if c.id == q.claim_id), None)
                if claim is not None:
                    t.append("About: ", style="bold")
                    t.append_text(claim_prompt(claim))
                    t.append("\n")
        elif item.kind == AUDIT:
            t.append("Auto-approved without review, drawn for audit:\n", style="bold red")
            for reason in item.ref.reasons:
                t.append(f"  • {plain(reason)}\n")
        if v.stages:
            t.append_text(stage_line(v.stage_status()))
            t.append("\n")
        unsourced = [c for c in v.claims() if c.needs_source]
        if unsourced:
            t.append(f"{len(unsourced)} claim(s) without a source: ", style="bold red")
            t.append(", ".join(f"“{plain(c.text)}”" for c in unsourced) + "\n")
        questions = [q for q in await self.store.questions_on(item.draft_id)
                     if item.kind != ASKED or q.id != item.ref.id]
        if questions:
            t.append_text(question_lines(questions))
            t.append("\n")
        t.append("\n")
        t.append(plain(v.text))
        if self.current is item:
            body.update(t)

    # ---------------------------------------------------------------- answering

    def _prompt(self, title: str, callback, allow_empty: bool = False, placeholder: str = "") -> None:
        from .modals import TextPrompt

        self.app.push_screen(TextPrompt(title, allow_empty=allow_empty, placeholder=placeholder), callback)

    async def _answer(self, item: WaitItem, kind: str, text: str) -> None:
        try:
            answered = await experts.answer(self.store, self.ws, item.ref.id, kind, text)
        except Exception as exc:
            self.notify(f"Not answered: {write_problem(exc)}", severity="error", markup=False)
        else:
            self.notify(answered.message, markup=False, timeout=8)
        await self.reload()

    def action_answer_note(self) -> None:
        self._answer_with("note")

    def action_answer_changes(self) -> None:
        self._answer_with("changes")

    def _answer_with(self, kind: str) -> None:
        item = self.current
        if item is None or item.kind != ASKED:
            self.notify("Select a question to answer it.", severity="warning")
            return
        title = {"note": "Your answer", "changes": "What should change?"}[kind]

        async def given(text: str | None) -> None:
            if text is not None:
                await self._answer(item, kind, text)
        self._prompt(f"{title} (to {item.ref.asked_by}: “{item.ref.text}”)", given)

    async def action_approve_mine(self) -> None:
        item = self.current
        if item is None:
            return
        if item.kind == ASKED:
            async def given(text: str | None) -> None:
                if text is not None:
                    await self._answer(item, "approve", text)
            self._prompt("Approve for your stage: a note to go with it (optional)", given, allow_empty=True)
        elif item.kind == SIGN_OFF:
            try:
                result = await approve(self.store, self.ws, item.draft_id)
            except Exception as exc:
                self.notify(f"Not signed: {write_problem(exc)}", severity="error", markup=False)
                return
            self.notify(result.message, severity="warning" if result.outcome == "refused" else "information",
                        markup=False, timeout=8)
            await self.reload()
        elif item.kind == AUDIT:
            await self.action_uphold()
        else:
            self.notify("Nothing to approve here: press enter to score it again.", severity="warning")

    async def action_uphold(self) -> None:
        await self._audit("upheld")

    async def action_overturn(self) -> None:
        await self._audit("overturned")

    async def _audit(self, result: str) -> None:
        item = self.current
        if item is None or item.kind != AUDIT:
            self.notify("Select an audit to uphold or overturn it.", severity="warning")
            return

        async def resolve(reason: str | None) -> None:
            if reason is None:
                return
            try:
                done = await resolve_audit(self.store, self.ws, item.ref.id, result, reason)
            except Exception as exc:
                self.notify(f"Audit not recorded: {write_problem(exc)}", severity="error", markup=False)
            else:
                self.notify(f"Audit {done.result}: {item.title or item.brief} variant {item.variant}" +
                            (" is back in the queue; its outbox file is removed." if result == "overturned" else
                             " stays approved."), markup=False)
            await self.reload()
        if result == "overturned":
            self._prompt("Overturn the auto-approval: why?", resolve, placeholder="e.g. the tone is off-brand")
        else:
            await resolve("")

    @on(OptionList.OptionSelected, "#waiting-list")
    async def _selected(self) -> None:
        item = self.current
        if item is None:
            return
        if item.kind == RESHOW:
            from .reshow import ReshowScreen

            await self.app.push_screen(ReshowScreen(self.store, self.config, item), lambda _: self.reload())
        else:
            self.dismiss(item.brief)

    async def action_reload(self) -> None:
        await self.reload()

    def action_back(self) -> None:
        self.dismiss(None)

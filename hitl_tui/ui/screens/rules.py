"""Learned rules (`L`): fixes reviewers keep making before they approve, proposed as rules with their evidence.

Opening the list mines every approved edit in the log (`feedback_loop.rules.refresh_proposals`; threshold
`[learning] min_pieces`), open proposals first. For the highlighted one the reviewer sees where it came from (each
example as the AI wrote it → as approved, with brief and reviewer) and the rule it would become, then decides:
a accepts it as the kind shown (k changes the kind: banned word, regex rule, voice-guide line), e edits the rule's
words first, r rejects, i ignores (it comes back once it spreads further). An accepted rule is written to the
workspace's learned-rules.toml and applies as a gate from then on; every decision is an event in the log.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...keymap import RULES
from ...learning.mining import Proposal
from ...learning.rules_file import rule_from_proposal, words_pattern
from ...workspace import package_dir
from ..guard import report
from ..keys import bindings_for, key_label
from ..text import plain

if TYPE_CHECKING:
    from ...store.report_rows import RuleProposalRow

STATUS = {"open": ("●", "open", "bold cyan"), "accepted": ("✓", "accepted", "bold green"),
          "rejected": ("✗", "rejected", "red"), "ignored": ("–", "ignored", "dim")}
KIND_WORDS = {"banned": "a banned word", "regex": "a regex rule", "voice": "a voice-guide line"}


def proposal_line(row: RuleProposalRow) -> Text:
    sign, word, style = STATUS.get(row.status, ("?", row.status, ""))
    t = Text()
    t.append(f"{sign} {word:<9}", style=style)
    p = row.proposal
    t.append(plain(row.summary), style="bold" if row.status == "open" else "")
    if row.status == "accepted" and row.accepted_as:
        t.append(f" as {row.accepted_as}", style=style)
    t.append(f"  {row.pieces} pieces · {plain(', '.join(p['reviewers']) or 'unknown')}", style="dim")
    return t


def _marked(text: str, phrase: str, style: str) -> Text:
    """One side of an example with the proposal's words in it styled (the whole side for a sign-off)."""
    t = Text(plain(" ".join(text.split())))
    if not phrase:
        t.stylize(style)
    for m in re.finditer(words_pattern(phrase), t.plain, re.IGNORECASE) if phrase else ():
        t.stylize(style, m.start(), m.end())
    return t


def evidence(proposal: Proposal, ex: dict) -> Text:
    """An example as the AI wrote it and as it was approved, the change marked on each side (a sign-off's closing
    lines as a whole)."""
    t = Text()
    t.append(f"• {plain(ex['brief'])} ({plain(ex['reviewer'])})\n", style="bold")
    t.append("    AI wrote  ", style="dim")
    t.append_text(_marked(ex["before"], "" if proposal.kind == "sign_off" else proposal.before, "strike red"))
    t.append("\n    approved  ", style="dim")
    t.append_text(_marked(ex["after"], "" if proposal.kind == "sign_off" else proposal.after, "bold green"))
    t.append("\n")
    return t


class RulesScreen(ModalScreen[bool]):
    """Dismisses with whether any rule was accepted, changed or withdrawn (the station re-runs its gates)."""

    CSS_PATH = str(package_dir("styles") / "feedback.tcss")  # loaded with the first of these dialogs
    # keys, help and palette from hitl_tui/keymap.py, remappable under [keys]; the evidence keys are priority
    # bindings there: the list would page itself with them, and the evidence is what outgrows the screen
    ACTION_SCREEN = RULES
    BINDINGS = bindings_for(RULES)

    def __init__(self, ws, store) -> None:
        super().__init__()
        self.ws = ws
        self.store = store
        self.rows: list[RuleProposalRow] = []
        self.kinds: dict[str, str] = {}  # proposal id -> the kind it would be accepted as
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog rules"):
            yield Static(Text("Learned rules · mining approved edits…", style="bold"), id="rules-title")
            yield OptionList(id="rules-list")
            with VerticalScroll(id="rules-detail-box"):
                yield Static("", id="rules-detail")
            k = lambda a: key_label(self.app.config.keys, a)  # noqa: E731 (after [keys])
            yield Static(Text(f"{k('rules_accept')} accept · {k('rules_kind')} accept as… · {k('rules_edit')} edit, "
                              f"then accept · {k('rules_reject')} reject · {k('rules_ignore')} ignore · "
                              f"{k('rules_evidence_down')}/{k('rules_evidence_up')} evidence · "
                              f"{k('rules_close')} closes", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load(mine=True)

    @work(group="rules-load", exclusive=True, exit_on_error=False)
    async def _load(self, mine: bool = False, keep: str | None = None) -> None:
        from ...feedback_loop.rules import refresh_proposals

        try:
            rows = await refresh_proposals(self.ws, self.store) if mine else await self.store.rule_proposals()
        except Exception as exc:
            report(self.app, "rule proposals", exc)
            rows = []
        self.rows = rows
        self._fill(keep)

    def _fill(self, keep: str | None) -> None:
        listing = self.query_one(OptionList)
        listing.set_options([Option(proposal_line(r), id=r.id) for r in self.rows])
        open_ = sum(r.status == "open" for r in self.rows)
        title = Text("Learned rules", style="bold")
        min_pieces = self.ws.config.learning.min_pieces
        title.append(f" · {open_} open of {len(self.rows)} proposed" if self.rows else
                     f" · nothing proposed yet: a fix reviewers make before approving is proposed once it recurs "
                     f"in {min_pieces} pieces")
        self.query_one("#rules-title", Static).update(title)
        ids = [r.id for r in self.rows]
        if ids:
            listing.highlighted = ids.index(keep) if keep in ids else 0
        self._detail()

    @property
    def current(self) -> RuleProposalRow | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not self.rows:
            return None
        return self.rows[listing.highlighted]

    def kind_of(self, row: RuleProposalRow) -> str:
        options = row.proposal["options"]
        return self.kinds.get(row.id) or row.accepted_as or options[0]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        row, t = self.current, Text()
        if row is not None:
            p = row.proposal
            proposal = Proposal.from_dict(p)
            kind = self.kind_of(row)
            t.append(plain(row.summary) + "\n", style="bold")
            sign, word, style = STATUS.get(row.status, ("?", row.status, ""))
            t.append(f"{sign} {word}", style=style)
            if row.decided_by:
                t.append(f" by {plain(row.decided_by)}", style="dim")
            channels = ", ".join(c for c in p["channels"] if c) or "any channel"
            t.append(f" · found in {row.pieces} pieces by {plain(', '.join(p['reviewers']) or 'unknown')} "
                     f"({plain(channels)})\n", style="dim")
            t.append("Accept as: ", style="bold")
            for n, option in enumerate(p["options"]):
                t.append(" " if n else "")
                t.append(f"[{option}]" if option == kind else option, style="reverse" if option == kind else "dim")
            t.append(f"  ({key_label(self.app.config.keys, 'rules_kind')} changes it)", style="dim")
            rule = rule_from_proposal(proposal, kind, self.ws.config.reviewer)
            t.append(f"\n  becomes {KIND_WORDS[kind]}: ", style="dim")
            t.append(plain(rule.text))
            scope = " and ".join(f"{what} {plain(v)}" for what, v in (("channel", rule.channel),
                                                                       ("voice", rule.voice)) if v)
            t.append(f"\n  applies to {scope or 'every piece'}", style="dim")
            if kind != "voice":
                t.append(f"\n  the prompt says: {plain(rule.say)}", style="dim")
            t.append("\n\nEvidence (as the AI wrote it → as approved):\n", style="bold")
            for ex in p["examples"]:
                t.append_text(evidence(proposal, ex))
        self.query_one("#rules-detail", Static).update(t)

    def action_rules_evidence_down(self) -> None:
        self._evidence(1)

    def action_rules_evidence_up(self) -> None:
        self._evidence(-1)

    def _evidence(self, direction: int) -> None:
        """The evidence scrolls while the keys stay on the list (80×24 shows only its start)."""
        box = self.query_one("#rules-detail-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + direction * max(1, box.size.height - 1), animate=False, immediate=True)

    def action_rules_kind(self) -> None:
        row = self.current
        if row is None:
            return
        options = row.proposal["options"]
        self.kinds[row.id] = options[(options.index(self.kind_of(row)) + 1) % len(options)]
        self._detail()

    def action_rules_accept(self) -> None:
        row = self.current
        if row is not None:
            self._decide(row, "accepted", self.kind_of(row))

    @work(group="rules-edit", exclusive=True, exit_on_error=False)
    async def action_rules_edit(self) -> None:
        from .modals import TextPrompt

        row = self.current
        if row is None:
            return
        kind = self.kind_of(row)
        rule = rule_from_proposal(Proposal.from_dict(row.proposal), kind, self.ws.config.reviewer)
        what = {"banned": "the phrase no piece may use", "regex": "the regular expression",
                "voice": "the line the prompt gives the model"}[kind]
        text = await self.app.push_screen_wait(TextPrompt(f"Edit {what}, then accept it as {KIND_WORDS[kind]}",
                                                          value=rule.text))
        if text:
            self._decide(row, "accepted", kind, text)

    def action_rules_reject(self) -> None:
        self._decline("rejected")

    def action_rules_ignore(self) -> None:
        self._decline("ignored")

    def _decline(self, status: str) -> None:
        row = self.current
        if row is not None:
            self._decide(row, status)

    @work(group="rules-decide", exclusive=True, exit_on_error=False)
    async def _decide(self, row: RuleProposalRow, status: str, kind: str | None = None, text: str | None = None) -> None:
        from ...feedback_loop import rules
        from ...store import StoreError

        try:
            if status == "accepted":
                await rules.accept(self.ws, self.store, row.id, kind, text=text)
            else:
                await (rules.reject if status == "rejected" else rules.ignore)(self.ws, self.store, row.id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except Exception as exc:
            report(self.app, "rule decision", exc)
            return
        self.changed = self.changed or status == "accepted" or row.status == "accepted"
        summary = row.summary
        said = {"accepted": f"Accepted {summary} as {KIND_WORDS.get(kind or '', kind)}: it applies from now on.",
                "rejected": f"Rejected {summary}: it will not be proposed again.",
                "ignored": f"Ignored {summary} for now: it comes back if it spreads further."}[status]
        self.notify(said, markup=False)
        self._load(keep=self._next_open(row.id))

    def _next_open(self, decided: str) -> str:
        """The proposal to highlight after a decision: the next open one (one decision after another), else the
        one just decided."""
        at = next((i for i, r in enumerate(self.rows) if r.id == decided), 0)
        later = self.rows[at + 1:] + self.rows[:at]
        return next((r.id for r in later if r.status == "open"), decided)

    async def action_rules_help(self) -> None:
        from .modals import HelpScreen

        await self.app.push_screen(HelpScreen(RULES, self.app.config.keys))

    def action_rules_close(self) -> None:
        self.dismiss(self.changed)

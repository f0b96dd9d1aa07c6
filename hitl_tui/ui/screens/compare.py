"""The blind pairwise compare view: two variants of the open brief version side by side as A and B, models hidden.

The reviewer picks A better, B better, a tie or a skip; the pick is logged at once under their name (the store's
`record_pick`, one transaction with its `preference` event, the side each variant was shown on and the revision ids
of the texts shown). Then the models are revealed on the two panels and enter (or space) goes on to the next pair,
until every pair the plan (`[compare] pairs`) asks of this reviewer is judged. `u` takes back their last pick of
this version (the pair is asked again). The store decides which pair comes next and on which side each variant is
shown (seeded per reviewer, so reopening shows the same pair the same way); this screen only shows and asks.

Up/down (j/k) and page up/down scroll both texts together, so the same part of each stands side by side. Below
~100 columns the panels stack (A above B).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ...keymap import COMPARE
from ...store import ComparePair, CompareSide
from ...workspace import package_dir
from ..guard import report
from ..keys import bindings_for
from ..text import plain
from ..widgets.screen_keys import ScreenKeys

if TYPE_CHECKING:
    from ...store.report_rows import LabelledPick

NARROW = 100  # columns below which A and B stack instead of standing side by side
WORDS = {"left": "A", "right": "B"}


@dataclass(slots=True)
class Judged:
    """The pick just made, shown with the models until the reviewer goes on."""
    pair: ComparePair
    pick: str


def side_counts(text: str) -> str:
    words = len(text.split())
    return f"{words} word{'s' * (words != 1)} · {len(text)} chars"


def reveal_title(letter: str, side: CompareSide) -> str:
    return f"{letter} · {plain(side.label or side.model)} · v{side.variant + 1}"


def side_names(left: CompareSide, right: CompareSide) -> tuple[str, str]:
    """The two sides' models as the reveal names them; two variants of one model are told apart by number."""
    a, b = plain(left.label or left.model), plain(right.label or right.model)
    if a == b:
        a, b = f"{a} v{left.variant + 1}", f"{b} v{right.variant + 1}"
    return a, b


def tally(picks: list[LabelledPick]) -> str:
    """"fast 3 wins · drafter 1 win · 1 tie · 1 skipped": a reviewer's picks on one brief version (`my_picks`)."""
    wins: dict[str, int] = {}
    for p in picks:
        wins.setdefault(p.left_label, 0)
        wins.setdefault(p.right_label, 0)
        if p.winner is not None:
            wins[p.winner] += 1
    ties = sum(p.pick == "tie" for p in picks)
    skips = sum(p.pick == "skip" for p in picks)
    parts = [f"{plain(label)} {n} win{'s' * (n != 1)}" for label, n in sorted(wins.items(), key=lambda kv: -kv[1])]
    parts += [f"{ties} tie{'s' * (ties != 1)}"] * bool(ties) + [f"{skips} skipped"] * bool(skips)
    return " · ".join(parts)


async def open_compare(app, row) -> None:
    """The station's `v`: the compare view on the open brief's current version, or a note saying why not."""
    if row is None or row.error or not row.current_version_id:
        app.notify("Open a brief with drafts to compare its variants.")
        return
    plan = app.config.compare_pairs
    if (await app.store.pairs_to_judge(row.current_version_id, plan=plan))[1] == 0:
        app.notify("Nothing to compare yet: this brief needs two finished variants.")
        return
    await app.push_screen(CompareScreen(app.store, row.current_version_id, row.title or row.name, plan=plan))


class CompareScreen(Screen[None]):
    """Blind pairwise comparison of one brief version's finished variants, for the reviewer the store acts as."""

    CSS_PATH = str(package_dir("styles") / "compare.tcss")
    ACTION_SCREEN = COMPARE
    BINDINGS = bindings_for(COMPARE)  # keys, help and palette from hitl_tui/keymap.py; remappable under [keys]

    def __init__(self, store, version_id: int, title: str, *, plan: str = "all") -> None:
        super().__init__()
        self.store = store
        self.version_id = version_id
        self.brief_title = title
        self.plan = plan
        self.pair: ComparePair | None = None  # the pair on screen (blind until judged)
        self.judged: Judged | None = None  # set between a pick and going on: the reveal
        self.total = 0
        self.summary = ""  # the reviewer's picks by model once every pair is judged
        self.loaded = False  # the first pair (or "all judged") is on screen: tests wait on it
        self._shown_at = 0.0

    def compose(self) -> ComposeResult:
        yield Static(id="compare-title")
        with Container(id="compare-sides"):
            for letter in ("A", "B"):
                # Not focusable: a focused panel would take the arrow keys and scroll alone.
                with VerticalScroll(id=f"side-{letter.lower()}", classes="compare-side", can_focus=False) as side:
                    side.border_title = letter
                    yield Static(id=f"text-{letter.lower()}", classes="compare-text")
        yield Static(id="compare-status")
        yield ScreenKeys(id="compare-keys")

    def on_mount(self) -> None:
        self.query_one("#compare-title", Static).update(Text("Compare · loading…", style="bold"))
        self.load_next()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "narrow")

    # ---------------------------------------------------------------- state → screen

    @work(exclusive=True, group="compare-load", exit_on_error=False)
    async def load_next(self) -> None:
        try:
            pair = await self.store.next_pair(self.version_id, plan=self.plan)
            self.summary = ""
            if pair is None:  # how many there were, for "all 6 judged" (or none at all), and how they went
                _todo, self.total = await self.store.pairs_to_judge(self.version_id, plan=self.plan)
                self.summary = tally(await self.store.my_picks(self.version_id))
        except Exception as exc:
            report(self.app, "compare", exc)
            return
        self.pair, self.judged = pair, None
        self._shown_at = time.monotonic()
        self._show()
        self.loaded = True

    def _show(self) -> None:
        pair, judged = self.pair, self.judged
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("Compare", style="bold")
        title.append(f" · {plain(self.brief_title)}")
        if pair is not None:
            title.append(f" · pair {pair.number} of {pair.total}", style="bold")
            title.append(" · blind" if judged is None else " · revealed", style="dim")
        self.query_one("#compare-title", Static).update(title)
        self.set_class(pair is None, "-done")
        self.set_class(judged is not None, "-revealed")
        status = self.query_one("#compare-status", Static)
        if pair is None:
            self._show_done()
            return
        for letter, side in (("A", pair.left), ("B", pair.right)):
            panel = self.query_one(f"#side-{letter.lower()}", VerticalScroll)
            panel.border_title = letter if judged is None else reveal_title(letter, side)
            panel.border_subtitle = side_counts(side.text)
            won = judged is not None and judged.pick == {"A": "left", "B": "right"}[letter]
            lost = judged is not None and judged.pick in ("left", "right") and not won
            panel.set_class(won, "-winner")
            panel.set_class(lost, "-loser")
            panel.set_class(judged is not None and judged.pick == "tie", "-tie")
            self.query_one(f"#text-{letter.lower()}", Static).update(Text(plain(side.text)))
            if judged is None:
                panel.scroll_home(animate=False)
        if judged is None and pair.left.text.strip() == pair.right.text.strip():
            status.update(Text("A and B are the same text: t for a tie, or s to skip.", style="bold"))
        elif judged is None:
            status.update(Text(f"Which is better? {pair.remaining} to go, this one included; the models are shown "
                               f"after your pick.", style="dim"))
        else:
            status.update(self._verdict(judged))
        self.refresh_bindings()

    def _verdict(self, judged: Judged) -> Text:
        a, b = side_names(judged.pair.left, judged.pair.right)
        t = Text()
        if judged.pick == "skip":
            t.append("Skipped", style="bold")
            t.append(f" — A was {a}, B was {b}.")
        elif judged.pick == "tie":
            t.append("Tie", style="bold")
            t.append(f" — A was {a}, B was {b}.")
        else:
            winner, loser = (a, b) if judged.pick == "left" else (b, a)
            t.append(f"{WORDS[judged.pick]} better", style="bold")
            t.append(f" — {winner} over {loser}.")
        t.append("  Logged. enter: next pair · u: undo", style="dim")
        return t

    def _show_done(self) -> None:
        status = self.query_one("#compare-status", Static)
        if self.total == 0:
            text = Text("Nothing to compare: this brief version needs two finished variants.", style="bold")
        else:
            text = Text(f"All {self.total} pair{'s' * (self.total != 1)} judged — thank you.", style="bold")
            if self.summary:
                text.append(f"\nYour picks: {self.summary}")
            text.append("\nu: take back your last pick · escape: back to the station", style="dim")
        for letter in ("a", "b"):
            self.query_one(f"#text-{letter}", Static).update("")
            self.query_one(f"#side-{letter}", VerticalScroll).border_title = ""
            self.query_one(f"#side-{letter}", VerticalScroll).border_subtitle = ""
        status.update(text)
        self.refresh_bindings()

    # ---------------------------------------------------------------- keys

    PICKS = {"pick_a": "left", "pick_b": "right", "pick_tie": "tie", "pick_skip": "skip"}

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in self.PICKS:
            return self.pair is not None and self.judged is None
        if action == "next_pair":
            return self.judged is not None
        return True

    async def action_pick_a(self) -> None:
        await self.pick("left")

    async def action_pick_b(self) -> None:
        await self.pick("right")

    async def action_pick_tie(self) -> None:
        await self.pick("tie")

    async def action_pick_skip(self) -> None:
        await self.pick("skip")

    async def pick(self, pick: str) -> None:
        pair = self.pair
        if pair is None or self.judged is not None:
            return
        seconds = round(time.monotonic() - self._shown_at, 1)
        try:
            await self.store.record_pick(pair, pick, seconds=seconds)
        except Exception as exc:
            report(self.app, "compare pick", exc)  # nothing logged: the pair stays on screen, blind
            return
        self.judged = Judged(pair, pick)
        self._show()

    def _scroll(self, lines: int) -> None:
        """Long copy: both texts scroll together, so the same part of each is side by side."""
        for letter in "ab":
            panel = self.query_one(f"#side-{letter}", VerticalScroll)
            panel.scroll_to(y=panel.scroll_y + lines, animate=False)

    def action_texts_down(self) -> None:
        self._scroll(1)

    def action_texts_up(self) -> None:
        self._scroll(-1)

    def action_texts_page_down(self) -> None:
        self._scroll(10)

    def action_texts_page_up(self) -> None:
        self._scroll(-10)

    def action_next_pair(self) -> None:
        if self.judged is not None:
            self.load_next()

    async def action_undo_pick(self) -> None:
        try:
            undone = await self.store.undo_last_pick(self.version_id)
        except Exception as exc:
            report(self.app, "compare undo", exc)
            return
        if undone is None:
            self.notify("No pick of yours to take back on this brief version.")
            return
        self.notify("Your last pick is taken back; that pair is asked again.")
        self.load_next()

    async def action_compare_help(self) -> None:
        from .modals import HelpScreen

        await self.app.push_screen(HelpScreen(COMPARE, self.app.config.keys))

    def action_compare_close(self) -> None:
        self.dismiss(None)

"""A calibration re-show: a judged variant shown again, blind, to be scored once more.

Blind: no model, no label, no earlier scores (anyone's), no decision — only the brief's title and the text. The
scores go to `Store.set_reshow_score` (the `reshow_scores` table, event `reshow_score`), never to the live scores:
a re-show never changes the live decision. Keys: 1-5 score the current rubric dimension and move on, backspace
goes back, escape closes (what was scored is kept; the re-show stays due until every dimension is scored).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...keymap import RESHOW
from ...workspace import package_dir
from ..guard import write_problem
from ..keys import bindings_for, key_label
from ..text import plain


class ReshowScreen(ModalScreen[bool]):
    CSS_PATH = str(package_dir("styles") / "team.tcss")
    ACTION_SCREEN = RESHOW
    BINDINGS = bindings_for(RESHOW)  # 1-5 and backspace fixed as in the station; close remappable under [keys]

    def __init__(self, store, config, item) -> None:
        super().__init__()
        self.store, self.config, self.item = store, config, item
        self.dims = list(config.rubric)
        self.scores: dict[str, int] = {}  # given on this re-show only
        self.index = next((i for i, d in enumerate(self.dims) if d not in item.ref.done_dimensions), 0)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog reshow"):
            yield Static(Text(f"Calibration re-show · {plain(self.item.title or self.item.brief)}", style="bold"))
            yield Label(Text("Blind: your earlier scores, the model and the decision are hidden. These scores are "
                             "kept apart and do not change the live decision.", style="dim italic"))
            with VerticalScroll(id="reshow-text"):
                yield Static(id="reshow-body")
            yield Static(id="reshow-scores")
            yield Label(Text(f"1-5 score · backspace back · {key_label(self.app.config.keys, 'reshow_close')} close",
                             style="dim"))

    async def on_mount(self) -> None:
        revs = await self.store.revisions(self.item.draft_id)
        self.query_one("#reshow-body", Static).update(Text(plain(revs[-1].text or "")))
        self._show()

    def _show(self) -> None:
        t = Text()
        for i, name in enumerate(self.dims):
            value = self.scores.get(name)
            done = name in self.item.ref.done_dimensions and value is None
            t.append("▶ " if i == self.index else "  ", style="bold")
            t.append(f"{self.config.rubric[name].get('label', name)[:14]:<14} ", style="bold" if i == self.index else "")
            t.append("".join("●" if value and n <= value else "○" for n in range(1, 6)),
                     style="yellow" if value else "dim")
            t.append(" done earlier\n" if done else f" {value or '–'}\n", style="dim" if done else "")
        if 0 <= self.index < len(self.dims):
            dim = self.config.rubric[self.dims[self.index]]
            t.append(f"1 = {plain(dim.get('one', ''))}\n5 = {plain(dim.get('five', ''))}", style="dim")
        self.query_one("#reshow-scores", Static).update(t)

    async def action_score(self, value: int) -> None:
        if not self.dims:
            return
        dim = self.dims[self.index]
        try:
            await self.store.set_reshow_score(self.item.draft_id, dim, value)
        except Exception as exc:
            self.notify(f"Not saved: {write_problem(exc)}", severity="error", markup=False)
            return
        self.scores[dim] = value
        left = [i for i, d in enumerate(self.dims) if d not in self.scores and d not in self.item.ref.done_dimensions]
        if not left:
            self.notify("Re-show scored. Thank you: it counts towards agreement, not the decision.")
            self.dismiss(True)
            return
        self.index = next((i for i in left if i > self.index), left[0])
        self._show()

    def action_score_back(self) -> None:
        self.index = max(0, self.index - 1)
        self._show()

    def action_reshow_close(self) -> None:
        self.dismiss(bool(self.scores))

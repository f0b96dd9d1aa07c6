"""The variants side by side, as many as fit at a readable width; the others page like tabs.

Twelve variants (three per model, four models) at 120 columns were 5-column slivers with the copy broken letter by
letter. A pane is never narrower than MIN_PANE_WIDTH: 36 columns leave 32 for text (a border and a space of padding
each side), five or six words a line, about a newspaper column, the narrowest measure that still reads as
sentences; it also fits a pane's header (label, revision, decision) and its gate badges. When fewer fit than there
are variants, a window of panes follows the current one (tab / shift+tab go through all of them) and the panes at
its edges say how many are hidden on each side. Narrow terminals show one pane at a time (`single`).
"""

from __future__ import annotations

from textual.containers import Horizontal

from .draft_pane import DraftPane

MIN_PANE_WIDTH = 36


class PaneStrip(Horizontal):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.current = 0
        self.first = 0  # the first pane of the visible window
        self.single = False  # one pane at a time (a narrow terminal)

    @property
    def panes(self) -> list[DraftPane]:
        return [child for child in self.children if isinstance(child, DraftPane)]

    def fits(self) -> int:
        """How many panes fit side by side at a readable width."""
        if self.single:
            return 1
        return max(1, self.size.width // MIN_PANE_WIDTH)

    def show(self, current: int, single: bool | None = None) -> None:
        """Make pane `current` the focused one and keep it inside the visible window."""
        self.current = current
        if single is not None:
            self.single = single
        self._arrange()

    def visible(self) -> list[DraftPane]:
        return [pane for pane in self.panes if pane.display]

    def on_resize(self) -> None:
        self._arrange()

    def _arrange(self) -> None:
        panes = self.panes
        n = len(panes)
        if not n or not self.size.width:
            return
        k = min(n, self.fits())
        if self.current < self.first:
            self.first = self.current
        elif self.current >= self.first + k:
            self.first = self.current - k + 1  # the window moves just enough: the others stay where they were
        self.first = max(0, min(self.first, n - k))
        last = self.first + k - 1
        for i, pane in enumerate(panes):
            shown = self.first <= i <= last
            if pane.display != shown:
                pane.display = shown
            title = f"v{i + 1}/{n}"
            if i == self.first and self.first > 0:
                title = f"◀ {self.first} · {title}"
            if i == last and last < n - 1:
                title = f"{title} · {n - 1 - last} ▶"
            if pane.border_title != title:
                pane.border_title = title

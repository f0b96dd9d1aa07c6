"""A variant's text as a scrollable, wrapped view that stays cheap however long the draft grows.

Streaming appends text many times a second. Re-rendering the whole text each time is quadratic over a stream
(and with eight panes it starved the event loop), so this widget keeps the wrapped lines and, when text is
appended, re-wraps only from the start of the last line: greedy wrapping never moves a break before it. Only the
visible lines are drawn (Textual's line API). Gate evidence is styling over character spans; a change of spans
re-styles just the lines it touches. Text is never parsed as markup and arrives with control characters made inert.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..text import plain, wrap_starts

Span = tuple[int, int, Style]


def _clean(text: str) -> str:
    return plain(text).replace("\t", " ")  # one character for one keeps evidence offsets aligned


class DraftText(ScrollView, can_focus=False):
    def __init__(self, text: str = "", spans: list[Span] | None = None, placeholder: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._raw = ""  # the text as given; _text is it made safe to show, character for character
        self._text = ""
        self._spans: list[Span] = []
        self._span_starts: list[int] = []
        self._span_longest = 0
        self._lines: list[tuple[int, int]] = []  # (start, end) of each wrapped line in _text, newline excluded
        self._strips: list[Strip] = []
        self._width = 0  # the width the lines were wrapped at; 0 = not laid out yet
        self.placeholder = placeholder
        # Part of how the widget works, not its looks: lines are wrapped to the width, never scrolled sideways,
        # and the scrollbar's column is kept even before there is one, so the wrap width never changes mid-stream.
        self.styles.overflow_x = "hidden"
        self.styles.scrollbar_gutter = "stable"
        self.update(text, spans or [])

    # ------------------------------------------------------------------ public

    @property
    def text(self) -> str:
        return self._text

    def lines_text(self) -> list[str]:
        """The wrapped lines as plain strings (what the reader sees, before scrolling)."""
        return [strip.text for strip in self._strips]

    def update(self, text: str, spans: list[Span] | None = None) -> None:
        """Show `text` (with `spans` styled; None keeps the current ones). Appended text costs only its own length:
        it is cleaned and wrapped on its own, from the start of the last line."""
        appended = bool(self._raw) and text.startswith(self._raw)
        clean = self._text + _clean(text[len(self._raw):]) if appended else _clean(text)
        self._raw = text
        spans = self._spans if spans is None else sorted(spans)
        if clean == self._text and spans == self._spans:
            return
        at_end = self.max_scroll_y == 0 or self.scroll_y >= self.max_scroll_y - 1
        old_spans = self._spans
        self._text = clean
        if spans != old_spans:
            self._set_spans(spans)
        if self._width:
            self._rewrap_from(len(self._lines) - 1 if appended and self._lines else 0)
            if spans != old_spans:
                self._restyle(set(spans).symmetric_difference(old_spans))
            self._resized()
            if at_end:  # follow the end only if the reader is already there
                self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
        self.refresh()

    def _set_spans(self, spans: list[Span]) -> None:
        self._spans = spans
        self._span_starts = [s for s, _e, _st in spans]
        self._span_longest = max((e - s for s, e, _st in spans), default=0)

    # ------------------------------------------------------------------ wrapping and styling

    def _rewrap_from(self, index: int) -> None:
        """Re-wrap the text from the start of line `index` (its break is final) to the end."""
        start = self._lines[index][0] if index < len(self._lines) else 0
        del self._lines[index:]
        del self._strips[index:]
        text, width = self._text, self._width
        while True:
            newline = text.find("\n", start)
            end = len(text) if newline < 0 else newline
            starts = [start + s for s in wrap_starts(text[start:end], width)]
            for a, b in zip(starts, starts[1:] + [end]):
                self._lines.append((a, b))
                self._strips.append(self._strip(a, b))
            if newline < 0:
                break
            start = newline + 1

    def _restyle(self, changed: set[Span]) -> None:
        if not changed:
            return
        firsts = [a for a, _b in self._lines]
        touched: set[int] = set()
        for start, end, _style in changed:
            i = max(0, bisect_right(firsts, start) - 1)
            while i < len(self._lines) and self._lines[i][0] < end:
                touched.add(i)
                i += 1
        for i in touched:
            self._strips[i] = self._strip(*self._lines[i])

    def _strip(self, a: int, b: int) -> Strip:
        text = self._text
        # Only spans starting within one span-length before the line can reach it (bisect, not a scan of all:
        # a draft full of numbers has thousands of claim spans).
        lo = bisect_left(self._span_starts, a - self._span_longest)
        hi = bisect_left(self._span_starts, b)
        spans = [s for s in self._spans[lo:hi] if s[1] > a]
        if not spans:
            return Strip([Segment(text[a:b])])
        cuts = sorted({a, b, *(max(a, s) for s, _e, _st in spans), *(min(b, e) for _s, e, _st in spans)})
        segments = []
        for x, y in zip(cuts, cuts[1:]):
            styles = [st for s, e, st in spans if s <= x and e >= y]
            segments.append(Segment(text[x:y], Style.combine(styles) if styles else None))
        return Strip(segments)

    def _resized(self) -> None:
        size = Size(self._width, len(self._lines))
        if size == self.virtual_size:
            return
        if not self.is_mounted:
            self.virtual_size = size
            return
        # Setting virtual_size the usual way re-lays out the whole screen, ten times a second per streaming pane.
        # The size of this widget does not change, only its scrollbar: update that (it asks for a layout itself
        # when the scrollbar appears or goes).
        self.set_reactive(DraftText.virtual_size, size)
        self._scroll_update(size)

    def on_resize(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        if width != self._width:
            self._width = width
            self._rewrap_from(0)
            self._resized()
            self.refresh()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = scroll_y + y
        if not self._text:
            if y == 0 and self.placeholder:
                hint = Strip([Segment(self.placeholder, Style(dim=True, italic=True))])
                return hint.crop_extend(0, width, base).apply_style(base)
            return Strip.blank(width, base)
        if index >= len(self._strips):
            return Strip.blank(width, base)
        return self._strips[index].crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

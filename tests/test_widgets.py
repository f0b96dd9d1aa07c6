"""The two widgets built for scale: incremental draft text and the virtual brief queue, in a real Textual app."""

from __future__ import annotations

import random

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult

from hitl_tui.store import BriefRow
from hitl_tui.ui.text import wrap_starts
from hitl_tui.ui.widgets.draft_text import DraftText
from hitl_tui.ui.widgets.queue import BriefQueue

PIECES = ["word ", "longerword ", "x", "\n", "\n\n", "宽字符 ", "🙂 ", "a" * 37, " ", "\t", "end.", "[bold]", "\x1b[31m"]


class TextApp(App):
    def compose(self) -> ComposeResult:
        yield DraftText(placeholder="waiting")


def random_text(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(PIECES) for _ in range(n)]


async def test_streamed_text_wraps_exactly_like_the_whole_text():
    # Appending piece by piece (re-wrapping only from the last line) must give the lines a full wrap gives.
    app = TextApp()
    async with app.run_test(size=(30, 12)) as pilot:
        view = app.query_one(DraftText)
        rng = random.Random(7)
        for trial in range(20):
            pieces = random_text(rng, rng.randint(1, 120))
            view.update("")
            text = ""
            for piece in pieces:
                text += piece
                view.update(text)
            streamed = view.lines_text()
            view.update("")
            view.update(text)
            assert streamed == view.lines_text(), (trial, text)
            width = view.scrollable_content_region.width
            assert all(cell_len(line.rstrip()) <= width for line in streamed), streamed
        await pilot.pause()


async def test_follows_the_end_only_when_the_reader_is_there():
    app = TextApp()
    async with app.run_test(size=(30, 8)) as pilot:
        view = app.query_one(DraftText)
        text = "".join(f"line {i}\n" for i in range(40))
        view.update(text)
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0  # at the end, it follows
        view.scroll_to(y=3, animate=False, immediate=True)
        view.update(text + "more\nand more\n")
        await pilot.pause()
        assert view.scroll_y == 3  # reading above: not yanked down


async def test_evidence_spans_style_only_their_lines():
    app = TextApp()
    async with app.run_test(size=(30, 8)) as pilot:
        view = app.query_one(DraftText)
        text = "Buy the best plan today.\nNothing else here."
        start = text.index("best")
        view.update(text, [(start, start + 4, Style(underline=True))])
        await pilot.pause()
        first = view.render_line(0)
        styled = [seg.text for seg in first if seg.style and seg.style.underline]
        assert styled == ["best"]
        assert not any(seg.style and seg.style.underline for seg in view.render_line(1))
        view.update(text, [])  # evidence gone: the line is plain again
        assert not any(seg.style and seg.style.underline for seg in view.render_line(0))


def test_wrap_starts_breaks_between_words_and_folds_long_ones():
    assert wrap_starts("aaa bbb ccc", 7) == [0, 8]
    assert wrap_starts("a" * 10, 4) == [0, 4, 8]
    assert wrap_starts("宽宽宽", 4) == [0, 2]  # two cells a character


class QueueApp(App):
    def compose(self) -> ComposeResult:
        yield BriefQueue(id="queue")


def rows(n: int, **extra) -> list[BriefRow]:
    return [BriefRow(i, f"b{i:05d}.toml", f"Brief {i}", "email", status="new", **extra) for i in range(n)]


async def test_queue_moves_filters_and_keeps_the_cursor_on_its_brief():
    app = QueueApp()
    async with app.run_test(size=(40, 20)) as pilot:
        queue = app.query_one(BriefQueue)
        queue.focus()
        queue.set_rows(rows(10_000))
        await pilot.pause()
        assert queue.highlighted_name == "b00000.toml"
        await pilot.press("down", "down", "end")
        assert queue.highlighted_name == "b09999.toml"
        assert queue.scroll_y == queue.max_scroll_y  # the cursor is kept in view
        assert queue.move(1) == "b00000.toml"  # wraps around
        queue.set_filter("brief 42")
        assert [r.name for r in queue.visible_rows()][:2] == ["b00042.toml", "b00420.toml"]
        assert queue.highlighted_name == "b00042.toml"
        queue.set_filter("")
        assert queue.highlighted_name == "b00042.toml"  # the cursor stays on its brief
        fresh = rows(10_000)
        fresh.insert(0, BriefRow(-1, "a-new.toml", "New one", "email"))
        queue.set_rows(fresh)
        assert queue.highlighted_name == "b00042.toml"


async def test_queue_rows_are_plain_text_and_show_who_has_a_brief():
    app = QueueApp()
    async with app.run_test(size=(40, 10)) as pilot:
        queue = app.query_one(BriefQueue)
        queue.instance = "me"
        data = rows(2)
        data[0].title, data[0].status, data[0].claimed_by, data[0].claim_instance = \
            "[bold]Sale[/]", "in review", "ana", "other"
        data[1].status, data[1].error = "invalid", "b00001.toml: field 'max_words': expected a whole number"
        queue.set_rows(data)
        await pilot.pause()
        lines = [queue.render_line(y).text for y in range(5)]
        assert "[bold]Sale[/]" in lines[0] and lines[0].startswith("▌")  # cursor marked in text, no markup
        assert "in review by ana" in lines[1]
        assert "invalid" in lines[3] and "max_words" in lines[4]
        queue.update_row("b00000.toml", claim_instance="me")
        assert "yours" in queue.render_line(1).text

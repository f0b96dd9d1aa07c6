"""The blind compare view in the station: pairs shown as A and B with the models hidden, keys for A / B / tie /
skip, the reveal after each pick, progress, undo, narrow terminals, and every pick in the log under the reviewer's
name with the sides as shown."""

from __future__ import annotations

import sqlite3

from stations import settle, station, toasts

from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.screens.compare import CompareScreen
from hitl_tui.ui.widgets.screen_keys import ScreenKeys
from hitl_tui.workspace import Workspace

LABELS = ["writer a", "writer b", "writer c"]


def three_writers(server, words=(12, 18, 24)) -> dict:
    """Three models (the fake server's ok-N writes N words, so each text differs), one variant each."""
    return {"briefs": {"sale.toml": {"variants": 1}},  # variants per model
            "drafting": {"models": [{"model": f"openai/ok-{n}", "api_base": server.base_url, "label": label}
                                    for n, label in zip(words, LABELS)], "variants": 1}}


def picks(ws) -> list[dict]:
    con = sqlite3.connect(ws.db_path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM picks ORDER BY id")]
    finally:
        con.close()


def events(ws, kind: str) -> list[tuple[str, str]]:
    con = sqlite3.connect(ws.db_path)
    try:
        return con.execute("SELECT kind, reviewer FROM events WHERE kind = ? ORDER BY id", (kind,)).fetchall()
    finally:
        con.close()


def shown(screen: CompareScreen) -> str:
    """Everything the compare screen shows as text: title, both panels with their border titles, status, keys."""
    parts = [str(screen.query_one("#compare-title").render()), str(screen.query_one("#compare-status").render()),
             str(screen.query_one(ScreenKeys).render())]
    for letter in "ab":
        panel = screen.query_one(f"#side-{letter}")
        parts += [str(panel.border_title), str(panel.border_subtitle),
                  str(screen.query_one(f"#text-{letter}").render())]
    return "\n".join(parts)


async def open_compare(app, pilot) -> CompareScreen:
    await pilot.press("v")
    screen = await settle(lambda: isinstance(app.screen, CompareScreen) and app.screen.loaded and app.screen)
    return screen


async def test_blind_pairs_reveal_progress_undo_and_every_pick_logged(tmp_path, llm_server):
    async with station(tmp_path, llm_server, variants=3, **three_writers(llm_server)) as (ws, app, pilot):
        screen = await open_compare(app, pilot)
        text = shown(screen)
        assert "pair 1 of 3" in text and "blind" in text
        assert not any(label in text for label in LABELS)  # models hidden until the pick
        assert "A better" in text and "B better" in text and "Tie" in text and "Skip" in text
        first = screen.pair

        await pilot.press("a")  # A better
        await settle(lambda: screen.judged is not None)
        text = shown(screen)
        assert f"A · {first.left.label}" in text and f"B · {first.right.label}" in text  # the reveal
        assert f"{first.left.label} over {first.right.label}" in text
        assert screen.query_one("#side-a").has_class("-winner") and screen.query_one("#side-b").has_class("-loser")
        [row] = picks(ws)
        assert (row["reviewer"], row["pick"], row["undone"]) == ("tester", "left", 0)
        assert (row["left_draft_id"], row["left_revision_id"], row["right_draft_id"], row["right_revision_id"]) == \
            (first.left.draft_id, first.left.revision_id, first.right.draft_id, first.right.revision_id)
        assert row["seconds"] is not None and row["seconds"] >= 0
        await pilot.press("b")  # pick keys are off while the models show: still one pick
        assert len(picks(ws)) == 1

        await pilot.press("enter")
        await settle(lambda: screen.judged is None and screen.pair is not None and screen.pair.number == 2)
        assert "pair 2 of 3" in shown(screen) and not any(label in shown(screen) for label in LABELS)
        await pilot.press("t")
        await settle(lambda: screen.judged is not None)
        assert "Tie" in shown(screen)
        await pilot.press("enter")
        await settle(lambda: screen.pair is not None and screen.pair.number == 3 and screen.judged is None)
        third = screen.pair
        await pilot.press("s")
        await settle(lambda: screen.judged is not None)
        await pilot.press("space")
        await settle(lambda: screen.pair is None)
        assert "All 3 pairs judged" in shown(screen)
        assert f"Your picks: {first.left.label} 1 win" in shown(screen) and "1 tie · 1 skipped" in shown(screen)
        assert [r["pick"] for r in picks(ws)] == ["left", "tie", "skip"]
        assert events(ws, "preference") == [("preference", "tester")] * 3

        await pilot.press("u")  # the last pick is taken back and its pair asked again, blind
        await settle(lambda: screen.pair is not None and screen.judged is None)
        assert (screen.pair.left.draft_id, screen.pair.right.draft_id) == \
            (third.left.draft_id, third.right.draft_id)
        assert "pair 3 of 3" in shown(screen)
        assert [r["undone"] for r in picks(ws)] == [0, 0, 1]
        assert events(ws, "preference_undone") == [("preference_undone", "tester")]
        assert any("taken back" in t for t in toasts(app))

        await pilot.press("escape")
        await settle(lambda: not isinstance(app.screen, CompareScreen))


async def test_station_keys_do_nothing_under_the_compare_view(tmp_path, llm_server):
    async with station(tmp_path, llm_server, variants=3, **three_writers(llm_server)) as (ws, app, pilot):
        await open_compare(app, pilot)
        await pilot.press("x", "n", "e")  # reject, next brief, edit in the station: not here
        assert isinstance(app.screen, CompareScreen) and app.screen.judged is None
        con = sqlite3.connect(ws.db_path)
        try:
            assert con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 0
        finally:
            con.close()
        assert picks(ws) == []


async def test_narrow_terminal_stacks_a_above_b_and_long_texts_scroll_together(tmp_path, llm_server):
    long = three_writers(llm_server, words=(150, 160, 170))
    async with station(tmp_path, llm_server, size=(80, 24), variants=3, **long) as (ws, app, pilot):
        screen = await open_compare(app, pilot)
        await pilot.pause()
        side_a, side_b = screen.query_one("#side-a"), screen.query_one("#side-b")
        a, b = side_a.region, side_b.region
        assert screen.has_class("narrow")
        assert a.width >= 70 and b.width >= 70 and b.y > a.y and a.height >= 3 and b.height >= 3
        assert "word" in str(screen.query_one("#text-b").render())  # B's text is on screen too
        assert side_a.scroll_y == side_b.scroll_y == 0
        await pilot.press("pagedown")
        await settle(lambda: side_a.scroll_y > 0 and side_b.scroll_y > 0)
        await pilot.press("up")
        assert side_a.scroll_y == side_b.scroll_y
        await pilot.press("b")
        await settle(lambda: screen.judged is not None)
        assert picks(ws)[0]["pick"] == "right"


async def test_one_variant_has_nothing_to_compare(tmp_path, llm_server):
    async with station(tmp_path, llm_server, variants=1, briefs={"sale.toml": {"variants": 1}}) as (ws, app, pilot):
        await pilot.press("v")
        await settle(lambda: any("Nothing to compare" in t for t in toasts(app)))
        assert not isinstance(app.screen, CompareScreen)


async def test_two_reviewers_judge_the_same_brief_each_under_their_own_name(tmp_path, llm_server):
    """A colleague compares the variants of a brief the first reviewer has open (comparing needs no claim): each
    is asked every pair, and each pick is logged under the name of the person who made it."""
    async with station(tmp_path, llm_server, variants=3, **three_writers(llm_server)) as (ws, app, pilot):
        screen = await open_compare(app, pilot)
        await pilot.press("a")
        await settle(lambda: screen.judged is not None)
        colleague_ws = Workspace.load(ws.root, reviewer="bob")
        colleague = HitlApp(colleague_ws)
        async with colleague.run_test(size=(120, 40)) as pilot2:
            await settle(lambda: colleague.review.current_row is not None and colleague.review.held_elsewhere)
            theirs = await open_compare(colleague, pilot2)
            assert theirs.pair.number == 1 and theirs.pair.total == 3  # tester's pick is not theirs
            await pilot2.press("b")
            await settle(lambda: theirs.judged is not None)
    assert [(r["reviewer"], r["pick"]) for r in picks(ws)] == [("tester", "left"), ("bob", "right")]
    assert events(ws, "preference") == [("preference", "tester"), ("preference", "bob")]


async def test_compare_keys_come_from_the_action_table_and_can_be_remapped(tmp_path, llm_server):
    """[keys] pick_a = "l": the compare view's keys are actions like the station's (help, palette, remapping)."""
    writers = three_writers(llm_server)
    async with station(tmp_path, llm_server, variants=3, keys={"pick_a": "l"}, **writers) as (ws, app, pilot):
        screen = await open_compare(app, pilot)
        assert " l  A better" in str(screen.query_one(ScreenKeys).render())
        await pilot.press("l")
        await settle(lambda: screen.judged is not None)
        assert [r["pick"] for r in picks(ws)] == ["left"]
        await pilot.press("question_mark")
        await settle(lambda: type(app.screen).__name__ == "HelpScreen")
        rows = app.screen.rows
        assert ("l", "A better", "pick_a") in rows and ("u", "Undo last pick", "undo_pick") in rows


async def test_one_model_reveals_which_of_its_variants_won(tmp_path, llm_server):
    """Several variants of one model: the reveal names the variants, not "writer a over writer a"."""
    one = {"briefs": {"sale.toml": {"variants": 3}},
           "drafting": {"models": [{"model": "openai/ok-12", "api_base": llm_server.base_url, "label": "writer a"}],
                        "variants": 3}}
    async with station(tmp_path, llm_server, variants=3, **one) as (ws, app, pilot):
        screen = await open_compare(app, pilot)
        first = screen.pair
        await pilot.press("a")
        await settle(lambda: screen.judged is not None)
        status = str(screen.query_one("#compare-status").render())
        a, b = f"writer a v{first.left.variant + 1}", f"writer a v{first.right.variant + 1}"
        assert a != b and f"{a} over {b}" in status, status

"""The statistics screen draws what the log says: headline cards, approvals per day, rates by model as bars, win
rates with intervals, the noisiest gate first, override reasons, and `r` works the figures out again."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager

from rich.cells import cell_len

from learning_fixtures import approve, brief_version, gate, pick_model
from stations import settle
from test_ui import make_workspace

from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.screens.stats import StatsScreen


async def seed(ws) -> None:
    """Two models on three briefs: openai/a wins every compare pick and is approved each time (once by override
    of a failing length gate, 'legal said fine'); openai/b is rejected."""
    async with Store.opened(ws.db_path, "ana") as store:
        for i in range(3):
            _version, drafts = await brief_version(store, f"b{i}.toml", ["openai/a", "openai/b"])
            await pick_model(store, _version, "openai/a")
            (a, _), (b, _) = drafts
            await store.decide(b, (await store.revisions(b))[-1].id, "reject", "off-brand", None)
            if i == 0:
                await approve(store, ws.outbox, a, kind="override", reason="legal said fine",
                              gates=[gate("length", "fail")])
            else:
                await approve(store, ws.outbox, a, gates=[gate("length", "pass")])


async def publish(ws) -> None:
    """Published figures for openai/a's three pieces: 100 clicks of 4,000 impressions each (CTR 2.5%)."""
    from hitl_tui.published import import_results

    rows = "".join(f"{piece.name},2026-11-20,4000,100\n" for piece in sorted(ws.outbox.glob("*.md")))
    (ws.root / "results.csv").write_text("piece,date,impressions,clicks\n" + rows)
    async with Store.opened(ws.db_path, "ana") as store:
        outcome = await import_results(store, ws.outbox, ws.root / "results.csv")
    assert outcome.errors == [] and outcome.rows == 3


def block(text: str, heading: str) -> list[str]:
    """The lines under a heading of the page, up to the next blank line."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(heading))
    out = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        out.append(line.rstrip())
    return out


@asynccontextmanager
async def stats_open(tmp_path, server, size: tuple[int, int]):
    """The seeded workspace's station with the statistics screen open and drawn."""
    ws = make_workspace(tmp_path / "ws", server)
    await seed(ws)
    app = HitlApp(ws)
    async with app.run_test(size=size) as pilot:
        await settle(lambda: app.ready.is_set())
        await pilot.press("s")
        screen = await settle(lambda: isinstance(app.screen, StatsScreen) and app.screen.loaded and app.screen)
        yield ws, app, pilot, screen


async def test_statistics_screen_charts_the_log(tmp_path, llm_server):
    async with stats_open(tmp_path, llm_server, (120, 40)) as (ws, app, pilot, screen):
        by_model = screen.stats["win_rates"]["by_model"]
        text = screen.page_text()
        cards = text.split("\n")[:5]
        assert "50%" in cards[1] and "of 6 variants" in cards[3]  # 3 of 6 variants approved
        assert "compare picks" in cards[2] and cards[1].rstrip().rstrip("│").strip().endswith("3")

        spark = block(text, "Approvals per day")
        assert len(spark) == 4 and spark[-1].strip().startswith("29 days ago … today · 3 approved")
        assert spark[2].strip().endswith("███") and spark[2].strip().startswith("▁")  # all three approved today

        approval = block(text, "Approval rate by model")  # approval, first pass and edit rate side by side
        assert re.fullmatch(r"openai/a █{10,} 100% of 3 +openai/a █{10,} 100% of 3 +openai/a +0% of 3", approval[0])
        assert re.fullmatch(r"openai/b +0% of 3 +openai/b +0% of 3", approval[1])  # never approved: no edit rate

        wins = block(text, "Win rate by model")[1:]  # under the note
        a, b = (by_model[m] for m in ("openai/a", "openai/b"))
        assert wins[0].startswith("openai/a") and wins[1].startswith("openai/b")  # best first
        assert wins[0].endswith(f"{a['rating']:.2f} ({a['low']:.2f}–{a['high']:.2f}) · {a['comparisons']} cmp")
        assert "●" in wins[0] and wins[0].index("●") > wins[1].index("●")  # a's dot right of b's
        assert block(text, "Win rate by prompt version") == ["nothing to compare yet: one prompt version"]

        gates = block(text, "Which gates are noise")[1:]
        assert gates[0].startswith("length") and gates[0].endswith("100% · 1 of 1")
        assert block(text, "Override reasons") == ["   1 × legal said fine"]
        assert block(text, "Published results") == ["none imported yet (hitl results import FILE)"]

        await publish(ws)
        await pilot.press("r")
        await settle(lambda: screen.loaded and screen.stats["results"]["by_model"])
        ctr = block(screen.page_text(), "Published results")
        b = screen.stats["results"]["by_model"]["openai/a"]
        assert ctr[0].startswith("on a scale of 0–") and ctr[1].startswith("openai/a") and "●" in ctr[1]
        assert ctr[1].endswith(" · 3 pieces") and "2.5" in ctr[1] and b["ctr"] == 0.025

        async with Store.opened(ws.db_path, "ben") as colleague:  # a colleague judges a pair meanwhile
            version = (await colleague.fetchone("SELECT id FROM brief_versions LIMIT 1"))["id"]
            await pick_model(colleague, version, "openai/b")
        await pilot.press("r")
        await settle(lambda: screen.loaded and screen.stats["win_rates"]["pairs"]["explicit"] == 4)
        assert screen.page_text().split("\n")[1].rstrip().rstrip("│").strip().endswith("4")
        await pilot.press("escape")
        await settle(lambda: not isinstance(app.screen, StatsScreen))


async def test_statistics_screen_fits_a_narrow_terminal_and_redraws_on_resize(tmp_path, llm_server):
    async with stats_open(tmp_path, llm_server, (80, 24)) as (ws, app, pilot, screen):
        text = screen.page_text()
        width = screen.query_one("#stats-page").scrollable_content_region.width
        assert all(cell_len(line.rstrip()) <= width for line in text.split("\n"))  # nothing cut at the right
        assert text.count("╭") == 6 and text.split("\n")[0].count("╭") == 3  # cards three to a row
        approval = block(text, "Approval rate by model")  # the three rate charts one under another
        assert approval[0].startswith("openai/a") and approval[0].endswith("100% of 3")
        assert block(text, "First-pass approval by model")[0].startswith("openai/a")
        await pilot.resize_terminal(120, 40)
        await settle(lambda: screen.page_text().split("\n")[0].count("╭") == 6)  # wide: one row of six
        assert "First-pass approval by model" in screen.page_text().split("\n")[
            next(i for i, line in enumerate(screen.page_text().split("\n")) if "Approval rate by model" in line)]

"""Snapshots of the compare view (blind, then revealed) and the statistics screen, wide and narrow.

Deterministic on purpose: the offline drafter (fast) under three labels, a fixed reviewer (the pair order and
sides are seeded per reviewer), and for the statistics a log whose times are set to fixed offsets (30 minutes from
draft to approval, 5 minutes of active review, everything approved today). Update after an intended visual change
with `pytest tests/test_learn_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tomllib

import pytest
import tomli_w
from learning_fixtures import approve, brief_version, gate, pick_model
from test_snapshots import drafted, station
from waiting import wait_until

from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.workspace import Workspace, init_workspace


def three_writers(tmp_path) -> HitlApp:
    """The snapshot station with three labelled offline writers and one variant each: three pairs."""
    app = station(tmp_path, models=3)
    brief = app.ws.inbox / "a-spring-sale.toml"
    brief.write_text(tomli_w.dumps({**tomllib.loads(brief.read_text()), "variants": 1}))
    return app


async def compare_open(pilot) -> None:
    await drafted(pilot, variants=3)
    await pilot.press("v")
    await wait_until(lambda: getattr(pilot.app.screen, "loaded", False))
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_compare_view_blind(snap_compare, tmp_path, size):
    assert snap_compare(three_writers(tmp_path), terminal_size=size, run_before=compare_open)


def test_compare_view_revealed(snap_compare, tmp_path):
    async def picked(pilot) -> None:
        await compare_open(pilot)
        await pilot.press("b")
        await wait_until(lambda: pilot.app.screen.judged is not None)
        await pilot.pause(0.2)

    assert snap_compare(three_writers(tmp_path), terminal_size=(120, 40), run_before=picked)


async def _seed_log(root) -> None:
    async with Store.opened(root / "hitl.db", "ana") as store:
        for i in range(4):
            version, drafts = await brief_version(store, f"b{i}.toml", ["openai/gpt-4o", "openai/gpt-4o-mini",
                                                                        "anthropic/claude-3-5-haiku"],
                                                  prompt_version="v1" if i % 2 else "v2")
            for _ in range(3):
                await pick_model(store, version, "openai/gpt-4o" if i != 3 else "anthropic/claude-3-5-haiku")
            failing = [gate("length", "fail"), gate("reading_grade", "warn", required=False)]
            await approve(store, root / "outbox", drafts[i % 2][0], kind="override" if i == 0 else "approve",
                          reason="legal said fine" if i == 0 else "", gates=failing if i < 2 else None)
            rejected = drafts[2][0]
            await store.decide(rejected, (await store.revisions(rejected))[-1].id, "reject", "too long", None)
    con = sqlite3.connect(root / "hitl.db")
    with con:  # times at fixed offsets from each approval, so the figures do not depend on how fast this ran
        con.execute("UPDATE decisions SET active_seconds = 300")
        for table in ("drafts", "revisions"):
            con.execute(f"UPDATE {table} SET created_at = (SELECT MIN(created_at) FROM decisions) - 1800")
    con.close()


def stats_station(tmp_path) -> HitlApp:
    root = tmp_path / "ws"
    init_workspace(root, examples=False)
    asyncio.run(_seed_log(root))
    return HitlApp(Workspace.load(root, reviewer="tester"))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_statistics_screen(snap_compare, tmp_path, size):
    async def stats_open(pilot) -> None:
        await wait_until(lambda: pilot.app.ready.is_set())
        await pilot.press("s")
        await wait_until(lambda: getattr(pilot.app.screen, "loaded", False))
        await pilot.pause(0.3)

    assert snap_compare(stats_station(tmp_path), terminal_size=size, run_before=stats_open)

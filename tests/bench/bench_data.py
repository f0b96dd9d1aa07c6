"""Benchmarks 5-6: 10,000 briefs in the inbox; 100,000 events in the log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from common import HITL, key_to_frame, make_workspace, median, p95, report, rss_mb, time_to_text


# ------------------------------------------------------------------ 5. scale: 10,000 briefs

async def _scale_in_app(ws_root: Path, smoke: bool) -> None:
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.workspace import Workspace

    app = HitlApp(Workspace.load(ws_root))
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.ready.wait(), 60)
        await pilot.pause(0.5)
        times = []
        for _ in range(5 if smoke else 30):
            before = app.current_name  # from the key to the frame that shows the next brief
            times.append(await key_to_frame(app, "n", lambda: app.shown_name not in (None, before)))
            await asyncio.sleep(0.05)  # a reader's pace, not a held-down key
        app.engine.start()  # litellm loads in the drafting worker, a second process: count both
        await asyncio.wait_for(app.engine.warm.wait(), 60)
        await asyncio.sleep(0.5)
        ui, worker = rss_mb(), rss_mb(app.engine._proc.pid)
    report(f"queue move with {len(app.rows):,} briefs", f"{median(times) * 1000:.1f} ms median, p95 "
           f"{p95(times) * 1000:.1f} ms", "≤ 50 ms a key", median(times) <= 0.05)
    report("resident memory after litellm loaded", f"{ui + worker:.0f} MB (app {ui:.0f} + drafting worker "
           f"{worker:.0f})", "≤ 350 MB", ui + worker <= 350)


def bench_scale(tmp: Path, smoke: bool) -> None:
    import subprocess

    n = 300 if smoke else 10_000
    ws = make_workspace(tmp / "scale", briefs=n)
    subprocess.run(HITL + ["-w", str(ws), "briefs", "--json"], check=True, capture_output=True)
    runs = [time_to_text(HITL + ["-w", str(ws)], b"Campaign 00000", timeout=60) for _ in range(2 if smoke else 5)]
    report(f"first frame with {n:,} briefs", f"{median(runs):.3f} s", "≤ 1.0 s", median(runs) <= 1.0)
    asyncio.run(_scale_in_app(ws, smoke))


# ------------------------------------------------------------------ 6. the log

async def _fill_log(db: Path, events: int) -> None:
    import json

    from hitl_tui.briefs import Brief
    from hitl_tui.store import Store

    async with Store.opened(db, "bench") as store:
        briefs = max(10, events // 100)
        results = await store.sync_briefs([Brief(name=f"b{i}.toml", title=f"B{i}", brief="x", content_hash=str(i))
                                           for i in range(briefs)])
        drafts = []
        for r in results[: briefs // 2]:
            d, rev = await store.create_draft(r.version_id, 0, "openai/gpt-4o-mini", "mini", 0.7, "v1")
            await store.finish_revision(rev, status="done", text="Draft text " * 20)
            drafts.append((d, rev))
        async with store.tx() as db_:
            have = (await (await db_.execute("SELECT COUNT(*) FROM events")).fetchone())[0]
            await db_.executemany(
                "INSERT INTO events (ts, reviewer, kind, draft_id, payload) VALUES (?, 'bench', 'score', ?, ?)",
                [(time.time(), drafts[i % len(drafts)][0], json.dumps({"dimension": "voice", "value": 3}))
                 for i in range(max(0, events - have))])
        for d, rev in drafts[::3]:
            await store.set_score(d, "voice", 4)
            await store.decide(d, rev, "approve")


async def _log_in_process(db: Path, smoke: bool) -> tuple[list[float], list[float]]:
    from hitl_tui.store import Store

    async with Store.opened(db, "bench") as store:
        stats_times, action_times = [], []
        for _ in range(3 if smoke else 7):
            start = time.perf_counter()
            await store.stats()
            stats_times.append(time.perf_counter() - start)
        draft = (await store.fetchone("SELECT id FROM drafts LIMIT 1"))["id"]
        for i in range(20 if smoke else 200):
            start = time.perf_counter()
            await store.set_score(draft, "clarity", 1 + i % 5)
            action_times.append(time.perf_counter() - start)
        return stats_times, action_times


async def _stats_screen(ws_root: Path, smoke: bool) -> list[float]:
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.workspace import Workspace

    app = HitlApp(Workspace.load(ws_root))
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.ready.wait(), 30)
        await pilot.pause(0.3)
        for _ in range(3 if smoke else 7):
            times.append(await key_to_frame(app, "s", lambda: type(app.screen).__name__ == "StatsScreen"))
            await pilot.press("escape")
    return times


def bench_log(tmp: Path, smoke: bool) -> None:
    import subprocess

    events = 2_000 if smoke else 100_000
    ws = make_workspace(tmp / "log")
    asyncio.run(_fill_log(ws / "hitl.db", events))
    stats_times, action_times = asyncio.run(_log_in_process(ws / "hitl.db", smoke))
    cli = []
    for _ in range(3 if smoke else 5):
        start = time.perf_counter()
        subprocess.run(HITL + ["-w", str(ws), "stats", "--json"], check=True, capture_output=True)
        cli.append(time.perf_counter() - start)
    screen_times = asyncio.run(_stats_screen(ws, smoke))
    m = median(stats_times) * 1000
    report(f"statistics query, {events:,} events", f"{m:.0f} ms median", "≤ 300 ms", m <= 300)
    s = median(screen_times) * 1000
    report(f"statistics screen (key to frame), {events:,} events", f"{s:.0f} ms median", "≤ 300 ms", s <= 300)
    report(f"`hitl stats` process, {events:,} events", f"{median(cli) * 1000:.0f} ms median (incl. start-up)",
           "≤ 300 ms", median(cli) <= 0.3)
    a = median(action_times) * 1000
    report("one logged action (score + event, fsync)", f"{a:.2f} ms median, p95 {p95(action_times) * 1000:.2f} ms",
           "≤ 5 ms median", a <= 5)

"""Benchmarks 5-6: 10,000 briefs in the inbox; 100,000 events in the log (with picks, gates and published results)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from common import HITL, key_to_frame, make_workspace, median, p95, report, rss_mb, time_to_text, wait_until


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
            before = app.review.current_name  # from the key to the frame that shows the next brief
            times.append(await key_to_frame(app, "n", lambda: app.review.shown_name not in (None, before)))
            await asyncio.sleep(0.05)  # a reader's pace, not a held-down key
        app.engine.start()  # litellm loads in the drafting worker, a second process: count both
        await asyncio.wait_for(app.engine.warm.wait(), 60)
        await asyncio.sleep(0.5)
        ui, worker = rss_mb(), rss_mb(app.engine._proc.pid)
    report(f"queue move with {len(app.review.rows):,} briefs", f"{median(times) * 1000:.1f} ms median, p95 "
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

MODELS = ("openai/gpt-4o-mini", "openai/gpt-4o", "anthropic/claude-3-5-haiku")
GATES = ("min_words", "max_words", "max_chars", "must_include", "cta", "banned", "reading_grade", "placeholders",
         "claims")
HUMAN = ("claim", "score", "tick", "note", "edit", "preference")


async def _fill_log(db: Path, events: int) -> None:
    """A log like a team's after a few months: half the briefs drafted by three models (one revision each, gate
    results and logged messages), every pair of each judged in the compare view, two of three briefs decided (one
    variant approved, one rejected, some overrides), 14 days of published results per approved piece, and human
    events on the drafted briefs up to `events` in all. Written in one transaction (the fill is not measured)."""
    import json
    import random
    from itertools import combinations

    from hitl_tui.briefs import Brief
    from hitl_tui.store import Store
    from hitl_tui.store.active_time import active_seconds_sql

    rng = random.Random(5)
    now = time.time()
    async with Store.opened(db, "bench") as store:
        briefs = max(10, events // 100)
        synced = await store.sync_briefs([Brief(name=f"b{i}.toml", title=f"B{i}", brief="x", content_hash=str(i))
                                          for i in range(briefs)])
        async with store.tx() as con:
            drafted = []
            for n, r in enumerate(synced[: briefs // 2]):
                t0 = now - rng.uniform(0, 30) * 86400
                ids = []
                for variant, model in enumerate(MODELS):
                    d = (await con.execute("INSERT INTO drafts (brief_version_id, variant, model, label, temperature, "
                                           "created_at) VALUES (?, ?, ?, ?, 0.7, ?)",
                                           (r.version_id, variant, model, model, t0))).lastrowid
                    rev = (await con.execute(
                        "INSERT INTO revisions (draft_id, number, kind, text, status, prompt_version, model, tokens_in, "
                        "tokens_out, cost, created_at, updated_at) VALUES (?, 1, 'ai', ?, 'done', ?, ?, 300, 120, "
                        "0.0004, ?, ?)", (d, f"Draft text {n}.{variant} " * 20, rng.choice(("v1", "v2")), model, t0,
                                          t0 + 20))).lastrowid
                    await con.executemany(
                        "INSERT INTO gate_results (revision_id, gate, status, required, message, source, created_at) "
                        "VALUES (?, ?, ?, ?, '', 'bench', ?)",
                        [(rev, g, rng.choice(("pass", "pass", "pass", "fail", "warn")), int(g != "claims"), t0)
                         for g in GATES])
                    await con.execute("INSERT INTO revision_messages (revision_id, messages, created_at) VALUES "
                                      "(?, ?, ?)", (rev, json.dumps([{"role": "system", "content": "x" * 600},
                                                                     {"role": "user", "content": "y" * 900}]), t0))
                    ids.append((d, rev))
                for (a, ar), (b, br) in combinations(ids, 2):
                    await con.execute("INSERT INTO picks (brief_version_id, left_draft_id, left_revision_id, "
                                      "right_draft_id, right_revision_id, pick, reviewer, created_at) VALUES "
                                      "(?, ?, ?, ?, ?, ?, 'bench', ?)",
                                      (r.version_id, a, ar, b, br, rng.choice(("left", "right", "tie")), t0 + 600))
                if n % 3:
                    (good, good_rev), (bad, bad_rev) = rng.sample(ids, 2)
                    kind = "override" if n % 10 == 1 else "approve"
                    for draft, rev, k in ((bad, bad_rev, "reject"), (good, good_rev, kind)):
                        await con.execute("INSERT INTO decisions (brief_id, draft_id, revision_id, kind, reason, "
                                          "reviewer, created_at) VALUES (?, ?, ?, ?, ?, 'bench', ?)",
                                          (r.brief_id, draft, rev, k, "legal said fine" if k == "override" else "",
                                           t0 + 1800))
                    await con.executemany(
                        "INSERT INTO results (piece, draft_id, day, impressions, clicks, conversions, reviewer, "
                        "imported_at) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?)",
                        [(f"piece-{good}", good, f"2026-01-{day + 1:02d}", 1000 + rng.randrange(500),
                          rng.randrange(60), rng.randrange(6), now) for day in range(14)])
                drafted.append((r.brief_id, t0))
            have = (await (await con.execute("SELECT COUNT(*) FROM events")).fetchone())[0]
            await con.executemany(
                "INSERT INTO events (ts, reviewer, kind, brief_id, payload) VALUES (?, ?, ?, ?, '{}')",
                [(t0 + rng.uniform(0, 3600), rng.choice(("bench", "ana", "ben")), rng.choice(HUMAN), brief_id)
                 for brief_id, t0 in (rng.choice(drafted) for _ in range(max(0, events - have)))])
            # What decide() records with each approval: its active review time (final once it is made).
            await con.executemany("UPDATE decisions SET active_seconds = ? WHERE id = ?",
                                  [(s, d) for d, s in (await active_seconds_sql(con, "1")).items()])
        draft = (await store.fetchone("SELECT id FROM drafts LIMIT 1"))["id"]
        await store.set_score(draft, "voice", 4)


def _forget_stats(db: Path, store=None) -> None:
    """Drop the worked-out statistics (in memory and in hitl.db's stats_cache), as a new event would."""
    import sqlite3

    if store is not None:
        store._learning_cache = None
    con = sqlite3.connect(db, timeout=30)
    with con:
        con.execute("DELETE FROM stats_cache")
    con.close()


async def _log_in_process(db: Path, smoke: bool) -> tuple[list[float], list[float]]:
    from hitl_tui.store import Store

    async with Store.opened(db, "bench") as store:
        stats_times, action_times = [], []
        for _ in range(3 if smoke else 7):
            _forget_stats(db, store)  # worked out from the log each time, as after every new event
            start = time.perf_counter()
            await store.stats()
            stats_times.append(time.perf_counter() - start)
        draft = (await store.fetchone("SELECT id FROM drafts LIMIT 1"))["id"]
        for i in range(20 if smoke else 200):
            start = time.perf_counter()
            await store.set_score(draft, "clarity", 1 + i % 5)
            action_times.append(time.perf_counter() - start)
        return stats_times, action_times


async def _stats_screen(ws_root: Path, smoke: bool) -> tuple[list[float], list[float]]:
    """(key → the screen's first frame, key → its charts drawn with the figures), after a new event each time."""
    from textual import events

    from hitl_tui.ui.app import HitlApp
    from hitl_tui.workspace import Workspace

    app = HitlApp(Workspace.load(ws_root))
    opened, drawn = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.ready.wait(), 30)
        await pilot.pause(0.3)
        for _ in range(3 if smoke else 7):
            _forget_stats(ws_root / "hitl.db", app.store)  # not the cached figures: as after a new event
            start = time.perf_counter()
            app.post_message(events.Key("s", "s"))
            for times, done in ((opened, lambda: type(app.screen).__name__ == "StatsScreen"),
                                (drawn, lambda: getattr(app.screen, "loaded", False))):
                await wait_until(done, step=0.0005)
                frame = asyncio.Event()
                app.call_after_refresh(frame.set)
                await frame.wait()
                times.append(time.perf_counter() - start)
            await pilot.press("escape")
    return opened, drawn


def bench_log(tmp: Path, smoke: bool) -> None:
    import subprocess

    events = 2_000 if smoke else 100_000
    ws = make_workspace(tmp / "log")
    asyncio.run(_fill_log(ws / "hitl.db", events))
    stats_times, action_times = asyncio.run(_log_in_process(ws / "hitl.db", smoke))
    cli, cli_cached = [], []
    for _ in range(3 if smoke else 5):
        _forget_stats(ws / "hitl.db")
        for times in (cli, cli_cached):  # the first run works the summary out and stores it, the second reads it
            start = time.perf_counter()
            subprocess.run(HITL + ["-w", str(ws), "stats", "--json"], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    screen_opened, screen_drawn = asyncio.run(_stats_screen(ws, smoke))
    m = median(stats_times) * 1000
    report(f"statistics query, {events:,} events", f"{m:.0f} ms median (not cached)", "≤ 300 ms", m <= 300)
    o, s = median(screen_opened) * 1000, median(screen_drawn) * 1000
    report(f"statistics screen, key to its first frame, {events:,} events", f"{o:.0f} ms median", "≤ 300 ms",
           o <= 300)
    report(f"statistics screen, key to charts drawn, {events:,} events", f"{s:.0f} ms median", "≤ 300 ms", s <= 300)
    report(f"`hitl stats` process, {events:,} events", f"{median(cli) * 1000:.0f} ms median (incl. start-up)",
           "≤ 300 ms", median(cli) <= 0.3)
    report("`hitl stats` process, log unchanged since", f"{median(cli_cached) * 1000:.0f} ms median (stats_cache)",
           "≤ 300 ms", median(cli_cached) <= 0.3)
    a = median(action_times) * 1000
    report("one logged action (score + event, fsync)", f"{a:.2f} ms median, p95 {p95(action_times) * 1000:.2f} ms",
           "≤ 5 ms median", a <= 5)

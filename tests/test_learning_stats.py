"""`hitl stats [--json]`: win rates from picks in the log, review analytics, gate false positives, chart series."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

from clirun import hitl
from learning_fixtures import approve, brief_version, gate, pick_model

from hitl_tui.store import Store


def stats_json(ws) -> dict:
    result = hitl("-w", str(ws.root), "stats", "--json", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def hand_checked_rating() -> float:
    """P(A beats B) after A won 3 of 4 picks against B, as our Bradley–Terry fit defines it.

    The fit maximises the log-likelihood of the picks plus, for each model, one virtual game against a reference of
    strength 1 (θ = 0) won half. Setting the gradient to zero for A and B:
        3 + ½ − 4·σ(θA − θB) − σ(θA) = 0   and   1 + ½ − 4·σ(θB − θA) − σ(θB) = 0.
    Their sum gives σ(θA) + σ(θB) = 1, so θB = −θA = −t and 3.5 − 4·σ(2t) − σ(t) = 0, solved here by bisection.
    With two models the rating (expected win rate against the field) is P(A beats B) = σ(2t): 0.75 shrunk a
    little toward 0.5 by the prior."""
    low, high = 0.0, 5.0
    for _ in range(200):
        t = (low + high) / 2
        if 3.5 - 4 * _sigmoid(2 * t) - _sigmoid(t) > 0:
            low = t
        else:
            high = t
    return _sigmoid(2 * low)


async def test_win_rates_from_picks_in_the_log_to_stats_json(workspace):
    async with Store.opened(workspace.db_path, "ana") as store:
        for i, winner in enumerate(["openai/a", "openai/a", "openai/b", "openai/a"]):
            version, _ = await brief_version(store, f"b{i}.toml", ["openai/a", "openai/b"])
            await pick_model(store, version, winner)
    stats = stats_json(workspace)
    wins = stats["win_rates"]
    a, b = wins["by_model"]["openai/a"], wins["by_model"]["openai/b"]
    expected = hand_checked_rating()
    assert 0.70 < expected < 0.75
    assert abs(a["rating"] - expected) < 1e-4 and abs(b["rating"] - (1 - expected)) < 1e-4
    assert (a["comparisons"], a["wins"], b["wins"], a["component"]) == (4, 3.0, 1.0, 0)
    assert a["low"] < a["rating"] < a["high"] and b["low"] < b["rating"] < b["high"]
    assert list(wins["by_model"]) == ["openai/a", "openai/b"]  # best first
    assert wins["pairs"] == {"explicit": 4}
    assert wins["notes"] == {"by_prompt_version": "nothing to compare yet: one prompt version"}
    assert stats["charts"]["win_rate_by_model"]["openai/a"]["rating"] == a["rating"]
    assert stats_json(workspace)["win_rates"] == wins  # seeded bootstrap: the same log, the same intervals
    from hitl_tui.metrics import format_stats

    screen = format_stats(stats)  # what the statistics screen shows until it draws charts
    assert f"openai/a                     {a['rating']:.2f} ({a['low']:.2f}–{a['high']:.2f})   4 comparisons" in screen
    text = hitl("-w", str(workspace.root), "stats", cwd=workspace.root).stdout
    assert "Win rates by model" in text and "openai/a" in text and "nothing to compare yet: one prompt version" in text


async def test_one_model_has_nothing_to_compare_and_implicit_pairs_count(workspace):
    async with Store.opened(workspace.db_path, "ana") as store:
        version, drafts = await brief_version(store, "a.toml", ["m", "m"])
        await approve(store, workspace.outbox, drafts[0][0])
        await store.decide(drafts[1][0], drafts[1][1], "reject", "flat")
    stats = stats_json(workspace)
    assert stats["win_rates"]["notes"]["by_model"] == "nothing to compare yet: one model"
    assert stats["win_rates"]["pairs"] == {"approved_over_rejected": 1}
    assert stats["win_rates"]["by_model"]["m"]["rating"] is None
    assert "nothing to compare yet: one model" in hitl("-w", str(workspace.root), "stats", cwd=workspace.root).stdout


async def test_review_analytics_gate_false_positives_and_charts_in_stats_json(workspace):
    async with Store.opened(workspace.db_path, "ana") as store:
        # v1: the banned-word gate fails on A, approved anyway by override (the gate was wrong); B is rejected.
        _, drafts = await brief_version(store, "one.toml", ["openai/a", "openai/b"])
        (a, a_rev), (b, b_rev) = drafts
        await store.record_gates(a_rev, [gate("banned", "fail"), gate("cta", "pass")])
        await approve(store, workspace.outbox, a, kind="override", reason="Legal OK'd the word",
                      gates=[gate("banned", "fail"), gate("cta", "pass")])
        await store.record_gates(b_rev, [gate("banned", "fail")])
        await store.decide(b, b_rev, "reject", "off-brand")
        # v2 (sms): A's banned gate fails, a revise fixes it and B is approved; the gate was right there.
        _, drafts = await brief_version(store, "two.toml", ["openai/a", "openai/b"], channel="sms")
        (c, c_rev), (d, d_rev) = drafts
        await store.record_gates(c_rev, [gate("banned", "fail")])
        await store.decide(c, c_rev, "reject", "uses a banned word")
        await approve(store, workspace.outbox, d)
    stats = stats_json(workspace)
    fp = stats["gate_false_positive_rate"]["banned"]
    assert (fp["flags"], fp["false_positives"], fp["rate"], fp["required"]) == (3, 1, 0.333, True)
    review = stats["review"]
    assert review["overall"]["approved"] == 2 and review["overall"]["approval_rate"] == 0.5
    assert review["by_model"]["openai/b"]["approval_rate"] == 0.5 and review["by_channel"]["sms"]["approved"] == 1
    assert review["override_reasons"] == stats["override_reasons"] == [{"reason": "Legal OK'd the word", "count": 1}]
    assert stats["time_to_approve_minutes"] is not None and stats["time_to_approve_minutes"] < 5
    assert stats["cost_per_approved"] == 0.002  # four variants at $0.001, two approvals
    assert stats["tokens_per_approved"] == 300.0
    charts = stats["charts"]
    today = datetime.now(timezone.utc).date().isoformat()
    assert len(charts["approvals_per_day"]) == 30 and charts["approvals_per_day"][-1] == {"day": today, "count": 2}
    assert charts["approval_rate_by_model"] == {"openai/a": 0.5, "openai/b": 0.5}
    assert charts["gate_false_positive_rate"] == {"banned": 0.333}
    text = hitl("-w", str(workspace.root), "stats", cwd=workspace.root).stdout
    assert "Legal OK'd the word" in text and "banned" in text and "33%" in text


async def test_stats_are_worked_out_again_after_each_new_event(store):
    version, _ = await brief_version(store, "a.toml", ["openai/a", "openai/b"])
    before = await store.stats()
    assert before["win_rates"]["pairs"] == {}
    assert await store.stats() is not before and (await store.learning_stats()) is (await store.learning_stats())
    await pick_model(store, version, "openai/a")
    after = await store.stats()
    assert after["win_rates"]["pairs"] == {"explicit": 1}
    assert after["win_rates"]["by_model"]["openai/a"]["rating"] > 0.5


async def test_active_review_time_in_sql_is_the_analytics_definition(store):
    """active_time.py sums in SQLite what analytics.activity.active_seconds sums in Python: per reviewer, the gaps of
    at most 5 minutes between consecutive human events on the brief, from the first draft to the approval."""
    import random

    from hitl_tui.analytics.activity import ActivityEvent, Window, active_seconds
    from hitl_tui.store.active_time import active_seconds_sql

    rng = random.Random(3)
    windows, events = {}, []
    drafted = [(await brief_version(store, f"w{n}.toml", ["m", "n"]))[1] for n in range(12)]
    async with store.tx() as db:
        for drafts in drafted:
            brief_id = (await (await db.execute("SELECT brief_id FROM brief_versions v JOIN drafts d ON "
                                                "d.brief_version_id = v.id WHERE d.id = ?", (drafts[0][0],))
                               ).fetchone())[0]
            start = (await (await db.execute("SELECT created_at FROM drafts WHERE id = ?", (drafts[0][0],))
                            ).fetchone())[0]
            stop = start + rng.uniform(600, 7200)
            decision = (await db.execute(
                "INSERT INTO decisions (brief_id, draft_id, revision_id, kind, reason, reviewer, created_at) "
                "VALUES (?, ?, ?, 'approve', '', 'ana', ?)", (brief_id, drafts[0][0], drafts[0][1], stop))).lastrowid
            windows[decision] = Window(brief_id, start, stop)
            ts = start - 900
            for _ in range(60):
                ts += rng.choice((5, 40, 200, 299, 301, 900))
                event = ActivityEvent(ts, rng.choice(("ana", "ben")), brief_id, rng.choice(("score", "edit", "gates")))
                events.append(event)
                await db.execute("INSERT INTO events (ts, reviewer, kind, brief_id) VALUES (?, ?, ?, ?)",
                                 (event.ts, event.reviewer, event.kind, event.brief_id))
        in_sql = await active_seconds_sql(db, "1")
    expected = active_seconds(events, windows)
    assert set(in_sql) == set(expected) and all(abs(in_sql[d] - expected[d]) < 0.11 for d in expected)
    assert sum(expected.values()) > 0


async def test_an_approval_records_its_active_review_time(store):
    _, drafts = await brief_version(store, "a.toml", ["m", "n"])
    await store.set_score(drafts[0][0], "voice", 4)
    await store.set_score(drafts[0][0], "clarity", 3)
    decision = await store.decide(drafts[0][0], drafts[0][1], "approve")
    rejected = await store.decide(drafts[1][0], drafts[1][1], "reject")
    rows = {r["id"]: r["active_seconds"] for r in await store.fetchall("SELECT id, active_seconds FROM decisions")}
    assert rows[decision] is not None and 0 <= rows[decision] < 60 and rows[rejected] is None
    assert (await store.active_review_seconds()) == {drafts[0][0]: rows[decision]}


async def test_a_new_process_reads_the_worked_out_summary_until_the_log_changes(tmp_path, monkeypatch):
    import sqlite3
    import time

    from hitl_tui.store.learning import LearningOps

    async with Store.opened(tmp_path / "hitl.db", "ana") as first:
        version, _ = await brief_version(first, "a.toml", ["openai/a", "openai/b"])
        await pick_model(first, version, "openai/a")
        computed = await first.stats()

    def refuse(self):
        raise AssertionError("worked out again although the log did not change")

    async with Store.opened(tmp_path / "hitl.db", "ben") as second:
        with monkeypatch.context() as m:
            m.setattr(LearningOps, "_work_out_learning", refuse)
            cached = await second.stats()
        assert cached["win_rates"] == computed["win_rates"] and cached["charts"] == computed["charts"]
        await second.undo_last_pick(version)  # ben has no pick: nothing undone, no event, still cached
        await pick_model(second, version, "openai/b")  # a new event: worked out again
        assert (await second.stats())["win_rates"]["pairs"] == {"explicit": 2}

        # A writer holding the lock does not make a report wait: the summary is just not stored this time.
        await pick_model(second, (await brief_version(second, "b.toml", ["openai/a", "openai/b"]))[0], "openai/a")
        other = sqlite3.connect(tmp_path / "hitl.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            stats = await second.stats()
            assert time.monotonic() - started < 5 and stats["win_rates"]["pairs"] == {"explicit": 3}
        finally:
            other.execute("ROLLBACK")
            other.close()
        stored = await second.fetchone("SELECT key FROM stats_cache WHERE kind = 'learning'")
        assert stored["key"].split("/")[1] != str(await second.last_event_id())

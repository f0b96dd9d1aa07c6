"""The SQLite log: migrations, concurrency between processes, events, claims, statuses, stats."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.gates import GateResult
from hitl_tui.store import LATEST, Store, StoreError
from hitl_tui.store.schema import MIGRATIONS


def brief(name="a.toml", h="h1", **kw) -> Brief:
    return Brief(name=name, title=kw.pop("title", "A"), brief="x", content_hash=h, **kw)


async def test_pragmas_and_schema_version(store):
    assert await store.schema_version() == LATEST
    mode = await store.fetchone("PRAGMA journal_mode")
    sync = await store.fetchone("PRAGMA synchronous")
    fk = await store.fetchone("PRAGMA foreign_keys")
    assert list(mode.values()) == ["wal"] and list(sync.values()) == [2] and list(fk.values()) == [1]


async def test_migration_from_the_first_version_keeps_data(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO briefs (name, title, created_at, updated_at) VALUES ('old.toml', 'Old', 1, 1)")
    con.execute("INSERT INTO events (ts, reviewer, kind) VALUES (1, 'ana', 'brief_added')")
    con.commit()
    con.close()
    store = await Store.open(path, "ben")
    try:
        assert await store.schema_version() == LATEST
        rows = await store.list_briefs()
        assert [(r.name, r.status) for r in rows] == [("old.toml", "new")]
        ok, _ = await store.claim(rows[0].id, "i1")  # the v2 table works
        assert ok and (await store.fetchone("SELECT COUNT(*) AS n FROM events"))["n"] >= 2
    finally:
        await store.close()


async def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer hitl-tui"):
        s = Store(path, "x")
        try:
            await s.connect()
        finally:
            await s.close()


def test_no_store_mixin_hides_another_ones_method():
    """Store is put together from mixins written on different branches: two with a method of the same name would
    silently leave only the first in the MRO (results import once got issue 12's approved pieces instead of its own
    rows and crashed)."""
    from collections import defaultdict

    owners: dict[str, list[str]] = defaultdict(list)
    for mixin in Store.__mro__[1:]:
        if mixin.__module__.startswith("hitl_tui.store.") and mixin.__name__ != "Database":
            for name, value in vars(mixin).items():
                if callable(value) and not name.startswith("__"):
                    owners[name].append(mixin.__name__)
    assert {name: who for name, who in owners.items() if len(who) > 1} == {}


async def test_events_are_append_only(store):
    await store.sync_brief(brief())
    with pytest.raises(Exception, match="append-only"):
        async with store.tx() as db:
            await db.execute("DELETE FROM events")
    with pytest.raises(Exception, match="append-only"):
        async with store.tx() as db:
            await db.execute("UPDATE events SET kind='x'")


async def test_changed_brief_becomes_new_version_and_keeps_old_drafts(store):
    r1 = await store.sync_brief(brief(h="h1"))
    d1, _ = await store.create_draft(r1.version_id, 0, "m", "M", 0.7, "v1")
    same = await store.sync_brief(brief(h="h1"))
    assert not same.new_version and same.version_id == r1.version_id
    r2 = await store.sync_brief(brief(h="h2"))
    assert r2.new_version and r2.version_id != r1.version_id
    assert [d.id for d in await store.drafts_for_version(r1.version_id)] == [d1]
    assert (await store.list_briefs())[0].status == "new"  # the new version has no drafts yet
    await store.mark_deleted("a.toml")
    assert await store.list_briefs() == []
    assert len(await store.list_briefs(include_deleted=True)) == 1
    kinds = [e.kind for e in await store.events()]
    assert kinds.count("brief_version") == 2 and "brief_deleted" in kinds


async def test_statuses_follow_the_review(store):
    r = await store.sync_brief(brief())
    d, rev = await store.create_draft(r.version_id, 0, "m", "M", 0.7, "v1")
    assert (await store.list_briefs())[0].status == "drafting"
    await store.finish_revision(rev, status="done", text="hello")
    assert (await store.list_briefs())[0].status == "ready"
    await store.claim(r.brief_id, "me")
    assert (await store.list_briefs())[0].status == "in review"
    decision = await store.decide(d, rev, "approve")
    assert (await store.list_briefs())[0].status == "approved"
    assert (await store.undo_last(r.brief_id)).decision_id == decision
    await store.decide(d, rev, "reject", "off-brand")
    assert (await store.list_briefs())[0].status == "rejected"
    invalid = await store.sync_brief(Brief(name="bad.toml", title="Bad", error="bad.toml: broken"))
    assert {r.name: r.status for r in await store.list_briefs()}["bad.toml"] == "invalid"
    assert invalid.version_id is None


async def test_claims_are_exclusive_and_expire(store):
    r = await store.sync_brief(brief())
    assert await store.claim(r.brief_id, "one") == (True, None)
    other = Store(store.path, "bob")
    await other.connect()
    try:
        assert await other.claim(r.brief_id, "two") == (False, "tester")
        await store.release(r.brief_id, "one")
        assert await other.claim(r.brief_id, "two") == (True, None)
        assert await other.claim(r.brief_id, "two", ttl=0.01) == (True, None)  # renewal by the holder
        time.sleep(0.05)
        assert await store.claim(r.brief_id, "one") == (True, None)  # expired leases can be taken
    finally:
        await other.close()


async def test_edit_snapshots_scores_ticks_and_stats(store):
    r = await store.sync_brief(brief())
    d, rev = await store.create_draft(r.version_id, 0, "openai/x", "X", 0.7, "v1")
    await store.finish_revision(rev, status="done", text="AI text here")
    await store.save_edit(d, "AI text here, edited", "s1")
    await store.save_edit(d, "AI text here, edited twice", "s1")
    await store.save_edit(d, "Another session", "s2")
    revs = await store.revisions(d)
    assert [(x.kind, x.text) for x in revs] == [("ai", "AI text here"), ("human", "AI text here, edited twice"),
                                                      ("human", "Another session")]
    assert await store.set_score(d, "voice", 4) is None
    assert await store.set_score(d, "voice", 5) == 4
    assert (await store.undo_last(r.brief_id)).restored == 4
    assert await store.scores(d) == {"voice": 4}
    await store.set_tick(d, "facts", True)
    assert await store.ticks(d) == {"facts": True}
    await store.record_gates(rev, [GateResult("banned", "banned", "fail", "uses x", "brief.banned", True)])
    await store.decide(d, revs[-1].id, "approve")
    stats = await store.stats()
    assert stats["approval_rate"] == 1.0 and stats["first_pass_approval_rate"] == 1.0
    assert stats["mean_scores"] == {"voice": 4.0} and stats["gate_failures"] == {"banned": 1}
    assert stats["human_edit_rate"] > 0.3 and "openai/x" in stats["human_edit_rate_by_model"]
    rows = await store.draft_rows()
    assert rows[0].text == "Another session" and rows[0].decision == "approve"



async def test_rows_are_typed_and_read_by_attribute_only(store):
    """Every read gives slotted dataclasses: a string-key look-up is an error where it is made (it used to answer
    through a dict shim), and "the latest AI revision", "what the reviewer sees" and "edited" are properties."""
    from hitl_tui.store.report_rows import Event, VariantReport

    r = await store.sync_brief(brief())
    d, rev = await store.create_draft(r.version_id, 0, "openai/x", "X", 0.7, "v1")
    await store.finish_revision(rev, status="done", text="AI text")
    await store.save_edit(d, "AI text, edited", "s1")
    again = await store.add_ai_revision(d, "openai/x", "v1", None, "regenerate")
    await store.finish_revision(again, status="failed", text="half a", error="gone")
    draft = await store.draft(d, with_revisions=True)
    assert (draft.latest.id, draft.latest_ai.id, draft.latest_finished_ai.id) == (again, again, rev)
    assert draft.shown.text == "AI text, edited" and [x.request for x in draft.revisions] == \
        ["draft", "edit", "regenerate"]
    [row] = await store.list_briefs()
    [report] = await store.draft_rows()
    events = await store.events()
    assert isinstance(report, VariantReport) and all(isinstance(e, Event) for e in events)
    assert report.ai_text == "half a" and events[0].payload["name"] == "a.toml"
    for typed in (row, draft, draft.latest, report, events[0]):
        assert not hasattr(typed, "__dict__"), f"{type(typed).__name__} is not slotted"
        with pytest.raises(TypeError):
            typed["id"]


def test_report_rows_load_with_the_first_report_not_with_the_store():
    """The queue's first frame imports the store; the report rows (a millisecond or so each to make) wait for the
    first export, statistic or history that needs them."""
    code = "import sys, hitl_tui.store; print('hitl_tui.store.report_rows' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

WRITER = textwrap.dedent("""
    import asyncio, sys
    from hitl_tui.briefs import Brief
    from hitl_tui.store import Store

    async def main(path, tag):
        store = await Store.open(path, tag)
        try:
            for i in range(150):
                await store.sync_brief(Brief(name=f"{tag}-{i % 10}.toml", title="t", brief="b",
                                             content_hash=f"{tag}{i}"))
                rows = await store.list_briefs()
        finally:
            await store.close()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def test_two_processes_writing_never_see_database_locked(tmp_path):
    path = tmp_path / "shared.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(path), tag], stderr=subprocess.PIPE, text=True)
             for tag in ("p1", "p2")]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM brief_versions").fetchone()[0] == 300
    con.close()


@pytest.mark.parametrize("turns", range(6))
async def test_a_write_cancelled_midway_never_leaves_the_connection_in_a_transaction(store, turns):
    # The UI cancels superseded workers (open_brief claims) at any await; the next write must still work.
    brief_id = (await store.sync_brief(brief())).brief_id
    task = asyncio.ensure_future(store.claim(brief_id, "i1"))
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    ok, _ = await store.claim(brief_id, "i1")  # "cannot start a transaction within a transaction" before
    assert ok and not store.db.in_transaction
    claims = await store.fetchall("SELECT instance FROM claims")
    assert claims == [{"instance": "i1"}]


async def test_each_reviewer_keeps_their_own_scores(store):
    r = await store.sync_brief(brief())
    d1, _ = await store.create_draft(r.version_id, 0, "openai/x", "X", 0.7, "v1")
    d2, _ = await store.create_draft(r.version_id, 1, "openai/y", "Y", 0.7, "v1")
    bob = await Store.open(store.path, "bob")
    try:
        assert await store.set_score(d1, "voice", 4) is None
        assert await bob.set_score(d1, "voice", 2) is None  # the first person's 4 was overwritten before
        await store.set_score(d2, "voice", 5)
        assert await store.scores(d1) == {"voice": 4} and await bob.scores(d1) == {"voice": 2}
        assert await store.colleagues_who_scored(d1) == ["bob"] and await bob.colleagues_who_scored(d2) == ["tester"]
        # each person's undo works on their own score only
        assert await bob.set_score(d1, "voice", 3) == 2
        await bob.clear_score(d1, "voice", restore=2)
        await store.clear_score(d2, "voice")
        assert await store.scores(d2) == {} and await bob.scores(d1) == {"voice": 2}
        await store.set_score(d2, "voice", 5)
        # statistics: each variant's scores averaged over its reviewers, then over variants
        stats = await store.stats()
        assert stats["mean_scores"] == {"voice": 4.0}  # (4 + 2) / 2 = 3 for d1, 5 for d2; not (4 + 2 + 5) / 3
        assert stats["mean_scores_by_model"] == {"openai/x": {"voice": 3.0}, "openai/y": {"voice": 5.0}}
        assert stats["mean_scores_by_reviewer"] == {"bob": {"voice": 2.0}, "tester": {"voice": 4.5}}
        assert stats["scores_given"] == 3 and stats["reviewers_scoring"] == 2
        rows = await store.score_rows()  # per reviewer, for agreement figures
        assert sorted((x.draft_id, x.reviewer, x.dimension, x.value, x.model) for x in rows) == [
            (d1, "bob", "voice", 2, "openai/x"), (d1, "tester", "voice", 4, "openai/x"),
            (d2, "tester", "voice", 5, "openai/y")]
        export = {row.draft_id: row for row in await store.draft_rows()}
        assert export[d1].scores == {"voice": 3.0}
        assert export[d1].reviewer_scores == {"bob": {"voice": 2}, "tester": {"voice": 4}}
    finally:
        await bob.close()


async def test_scores_from_before_per_reviewer_scoring_are_kept(tmp_path):
    path = tmp_path / "v3.db"
    con = sqlite3.connect(path)
    for step in MIGRATIONS[:3]:
        for statement in step:
            con.execute(statement)
    con.execute("PRAGMA user_version = 3")
    con.execute("INSERT INTO briefs (id, name, title, created_at, updated_at) VALUES (1, 'a.toml', 'A', 1, 1)")
    con.execute("INSERT INTO brief_versions VALUES (1, 1, 1, 'h', '{}', 1)")
    con.execute("INSERT INTO drafts VALUES (1, 1, 0, 'm', 'M', 0.7, 1)")
    con.execute("INSERT INTO scores (draft_id, dimension, value, reviewer, created_at) "
                "VALUES (1, 'voice', 4, 'ana', 1)")
    con.commit()
    con.close()
    async with Store.opened(path, "bob") as bob:
        await bob.set_score(1, "voice", 2)
        rows = await bob.fetchall("SELECT reviewer, dimension, value FROM scores ORDER BY reviewer")
        assert rows == [{"reviewer": "ana", "dimension": "voice", "value": 4},
                        {"reviewer": "bob", "dimension": "voice", "value": 2}]

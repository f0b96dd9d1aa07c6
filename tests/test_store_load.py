"""Many writers on one log: every write waits its turn and none is lost ("database is locked" under load)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.store import Store, StoreError

SCORER = textwrap.dedent("""
    import asyncio, sys
    from hitl_tui.store import Store

    async def main(path, reviewer, drafts):
        failures = 0
        async with Store.opened(path, reviewer) as store:
            for i in range(300):
                try:
                    await store.set_score(drafts[i % len(drafts)], f"dim{i // len(drafts)}", 1 + i % 5)
                except Exception as exc:
                    failures += 1
                    print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        print(failures)

    asyncio.run(main(sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")]))
""")

READER = textwrap.dedent("""
    import asyncio, os, sys
    from hitl_tui.store import Store

    async def main(path, stop):
        rounds = 0
        while not os.path.exists(stop) or rounds == 0:
            async with Store.opened(path, "reader", read_only_ok=True) as store:
                await store.stats()
                await store.draft_rows()
            rounds += 1
        print(rounds)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")

# A station opening a very large inbox for the first time: the longest write there is. In one transaction it held
# the write lock for over 15 s here, longer than the busy timeout, and every other writer failed.
BIG_SYNC = textwrap.dedent("""
    import asyncio, sys
    from hitl_tui.briefs import Brief
    from hitl_tui.store import Store

    async def main(path, n):
        async with Store.opened(path, "importer") as store:
            await store.sync_briefs([Brief(name=f"b{i:05d}.toml", title="t", brief="b", content_hash=f"h{i}")
                                     for i in range(n)])

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
""")


def spawn(tmp_path, name: str, code: str, *args: str) -> subprocess.Popen:
    """`name` is the script's file, one per process: rewriting a script another process is still reading gave that
    process an empty file (it printed nothing and exited 0: a failure of the test, not of the store)."""
    script = tmp_path / f"{name}.py"
    script.write_text(code)
    return subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


async def _drafts(path, n: int) -> list[int]:
    async with Store.opened(path, "setup") as store:
        version = (await store.sync_brief(Brief(name="a.toml", title="A", brief="x", content_hash="h"))).version_id
        return [(await store.create_draft(version, v, "m", "M", 0.7, "v1"))[0] for v in range(n)]


@pytest.mark.slow
def test_four_scorers_a_reader_and_a_big_import_lose_nothing(tmp_path):
    path = tmp_path / "hitl.db"
    drafts = ",".join(map(str, asyncio.run(_drafts(path, 6))))
    stop = tmp_path / "stop"
    importer = spawn(tmp_path, "importer", BIG_SYNC, str(path), "30000")
    reader = spawn(tmp_path, "reader", READER, str(path), str(stop))
    scorers = [spawn(tmp_path, f"scorer{n}", SCORER, str(path), f"rev{n}", drafts) for n in range(4)]
    results = [p.communicate(timeout=600) for p in scorers]
    assert importer.wait(timeout=600) == 0, importer.communicate()[1][-2000:]
    stop.touch()
    reads, read_errors = reader.communicate(timeout=600)
    assert [out.strip() for out, _err in results] == ["0"] * 4, [err[-1000:] for _out, err in results]
    assert reader.returncode == 0 and int(reads) >= 1, read_errors[-2000:]
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT COUNT(*) FROM briefs").fetchone()[0] == 30001
        assert con.execute("SELECT COUNT(*) FROM events WHERE kind = 'score'").fetchone()[0] == 1200
        per_reviewer = dict(con.execute("SELECT reviewer, COUNT(*) FROM events WHERE kind = 'score' "
                                        "GROUP BY reviewer").fetchall())
        assert per_reviewer == {f"rev{n}": 300 for n in range(4)}
    finally:
        con.close()


async def test_a_write_outlasting_the_busy_timeout_waits_and_retries(tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "BUSY_TIMEOUT", 0.2)  # SQLite's own wait per attempt, made short for the test
    path = tmp_path / "hitl.db"
    (draft,) = await _drafts(path, 1)
    holder = sqlite3.connect(path, isolation_level=None)  # another program holding the write lock
    holder.execute("BEGIN IMMEDIATE")
    async with Store.opened(path, "ana") as store:
        write = asyncio.ensure_future(store.set_score(draft, "voice", 4))
        await asyncio.sleep(1.0)  # several busy timeouts: the write is still waiting, not failed
        assert not write.done()
        holder.execute("COMMIT")
        assert await asyncio.wait_for(write, 60) is None
        assert (await store.fetchone("SELECT value FROM scores"))["value"] == 4
    holder.close()


async def test_a_lock_held_past_all_patience_is_one_line_and_the_connection_stays_usable(tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "BUSY_TIMEOUT", 0.1)
    monkeypatch.setattr(Store, "WRITE_PATIENCE", 0.5)
    path = tmp_path / "hitl.db"
    (draft,) = await _drafts(path, 1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    async with Store.opened(path, "ana") as store:
        with pytest.raises(StoreError, match="held the write lock") as err:
            await store.set_score(draft, "voice", 4)
        assert "\n" not in str(err.value) and str(path) in str(err.value)
        holder.execute("ROLLBACK")
        await store.set_score(draft, "voice", 5)
        assert not store.db.in_transaction
    holder.close()

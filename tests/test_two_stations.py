"""Two stations open on one workspace and a brief dropped while both run: it is drafted once, not once per
station (double cost). Real processes on pseudo-terminals, the local OpenAI-compatible server counting calls."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from station_process import StationProcess, query, wait_for_rows
from test_quit import workspace
from waiting import wait_until_sync

from hitl_tui.briefs import Brief
from hitl_tui.store import Store


def test_a_brief_dropped_while_two_stations_run_is_drafted_once(tmp_path, llm_server):
    model = "ok-20-twice"
    root = workspace(tmp_path / "ws", llm_server, model, briefs=0, variants=3)
    stations = [StationProcess(root), StationProcess(root, env={"HITL_REVIEWER": "colleague"})]
    try:
        for station in stations:
            wait_until_sync(lambda: station.worker_pid() is not None, what="both stations' drafting workers")
        (root / "briefs" / "launch.toml").write_text('title = "Launch"\nbrief = "New plan."\nchannel = "email"\n')
        db = root / "hitl.db"
        wait_for_rows(db, "SELECT COUNT(*) FROM revisions WHERE status='done' HAVING COUNT(*) >= 3")
        # Give a second drafter every chance to show up: both stations see the brief within a second.
        wait_until_sync(lambda: all(s.shows(b"Launch") for s in stations), what="both stations list the brief")
        for station in stations:
            station.press(b"q")
        for station in stations:
            station.wait_exit()
    finally:
        for station in stations:
            station.close()
    assert query(db, "SELECT COUNT(*) FROM drafts") == [(3,)]
    assert llm_server.calls[model] == 3


async def test_claiming_a_versions_drafts_is_atomic_across_processes(tmp_path):
    """Many processes race to create the drafts of the same brief versions: each version gets one set."""
    db = tmp_path / "hitl.db"
    async with Store.opened(db, "setup") as store:
        versions = [(await store.sync_brief(Brief(name=f"b{i}.toml", title="t", brief="x", content_hash=f"h{i}")))
                    .version_id for i in range(30)]
    racer = textwrap.dedent(f"""
        import asyncio
        from hitl_tui.store import Store

        async def main():
            async with Store.opened({str(db)!r}, "racer") as store:
                for version in {versions!r}:
                    await store.create_drafts(version, [(v, "m", "m", 0.7) for v in range(3)], "v1",
                                              only_if_none=True)

        asyncio.run(main())
    """)
    procs = [subprocess.Popen([sys.executable, "-c", racer], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    async with Store.opened(db, "observer") as store:
        counts = await store.fetchall("SELECT brief_version_id, COUNT(*) AS n FROM drafts GROUP BY 1")
    assert len(counts) == 30 and {c["n"] for c in counts} == {3}
    await asyncio.sleep(0)

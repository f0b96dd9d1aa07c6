"""watchfiles on a real temp folder: slow copies, atomic renames, temp files, deletes, polling + reconcile."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from waiting import HANG_GUARD, wait_until

from hitl_tui.config import InboxConfig
from hitl_tui.inbox import InboxService
from hitl_tui.watcher import Change, InboxWatcher, snapshot

BRIEF = 'title = "Sale"\nbrief = "20% off for everyone this week, with a longer body to copy slowly."\n'


class Recorder:
    def __init__(self) -> None:
        self.batches: list = []
        self.event = asyncio.Event()

    async def __call__(self, changes) -> None:
        self.batches.append(changes)
        self.event.set()

    @property
    def flat(self) -> list:
        return [c for batch in self.batches for c in batch]

    async def wait_for(self, predicate, timeout: float = HANG_GUARD) -> None:
        async def loop():
            while not predicate():
                self.event.clear()
                await self.event.wait()
        await asyncio.wait_for(loop(), timeout)


@pytest.fixture
async def watched(tmp_path):
    rec = Recorder()
    watcher = InboxWatcher(tmp_path, rec, debounce_ms=200, settle_ms=100, reconcile_seconds=60)
    task = asyncio.create_task(watcher.run())
    await asyncio.wait_for(watcher.ready.wait(), HANG_GUARD)
    yield tmp_path, rec, watcher
    watcher.stop()
    await asyncio.wait_for(task, HANG_GUARD)


async def test_plain_write_is_taken_once(watched):
    inbox, rec, _ = watched
    (inbox / "a.toml").write_text(BRIEF)
    await rec.wait_for(lambda: rec.flat)
    await asyncio.sleep(0.4)
    assert [(c.name, c.deleted) for c in rec.flat] == [("a.toml", False)]


async def test_a_dangling_link_is_taken_so_that_it_is_listed_with_its_reason(watched):
    inbox, rec, _ = watched
    os.symlink("gone.toml", inbox / "link.toml")  # stat() cannot follow it; it must not vanish from the queue
    await rec.wait_for(lambda: rec.flat)
    assert rec.flat == [Change("link.toml", deleted=False)]
    assert "link.toml" in snapshot(inbox)
    (inbox / "link.toml").unlink()
    await rec.wait_for(lambda: len(rec.flat) == 2)
    assert rec.flat[-1] == Change("link.toml", deleted=True)


async def test_slow_copy_is_taken_only_when_complete(watched):
    inbox, rec, watcher = watched
    data = BRIEF.encode()
    path = inbox / "slow.toml"
    with path.open("wb") as fh:
        for i in range(0, len(data), 12):
            fh.write(data[i:i + 12])
            fh.flush()
            await asyncio.sleep(0.06)
            assert not rec.flat, "taken while still being written"
    await rec.wait_for(lambda: rec.flat)
    assert [c.name for c in rec.flat] == ["slow.toml"]
    assert watcher.taken["slow.toml"][0] == len(data)


async def test_atomic_save_and_temp_files(watched):
    inbox, rec, _ = watched
    tmp = inbox / ".a.toml.tmp123"
    tmp.write_text(BRIEF)
    os.replace(tmp, inbox / "a.toml")
    (inbox / "b.toml.part").write_text("half")
    (inbox / ".#b.toml").write_text("lock")
    (inbox / "c.toml~").write_text("backup")
    await rec.wait_for(lambda: rec.flat)
    await asyncio.sleep(0.4)
    assert [(c.name, c.deleted) for c in rec.flat] == [("a.toml", False)]


async def test_vim_style_save_of_an_existing_file_is_a_change(watched):
    inbox, rec, _ = watched
    (inbox / "a.toml").write_text(BRIEF)
    await rec.wait_for(lambda: len(rec.flat) == 1)
    (inbox / "a.toml").unlink()
    (inbox / "a.toml").write_text(BRIEF + 'cta = "Buy"\n')
    await rec.wait_for(lambda: len(rec.flat) >= 2)
    await asyncio.sleep(0.3)
    assert [(c.name, c.deleted) for c in rec.flat] == [("a.toml", False), ("a.toml", False)]


async def test_delete_is_reported(watched):
    inbox, rec, _ = watched
    (inbox / "a.toml").write_text(BRIEF)
    await rec.wait_for(lambda: rec.flat)
    (inbox / "a.toml").unlink()
    await rec.wait_for(lambda: len(rec.flat) == 2)
    assert (rec.flat[1].name, rec.flat[1].deleted) == ("a.toml", True)


async def test_polling_with_reconcile_scan(tmp_path):
    rec = Recorder()
    watcher = InboxWatcher(tmp_path, rec, debounce_ms=200, settle_ms=50, force_polling=True, poll_delay_ms=100,
                           reconcile_seconds=0.3)
    task = asyncio.create_task(watcher.run())
    try:
        await asyncio.wait_for(watcher.ready.wait(), HANG_GUARD)
        path = tmp_path / "p.toml"
        path.write_text(BRIEF)
        await rec.wait_for(lambda: rec.flat)
        # An in-place append within the same second is invisible to mtime polling; the reconcile scan sees size.
        with path.open("a") as fh:
            fh.write('cta = "Go"\n')
        await rec.wait_for(lambda: len(rec.flat) >= 2)
        assert {c.name for c in rec.flat} == {"p.toml"}
    finally:
        watcher.stop()
        await asyncio.wait_for(task, HANG_GUARD)


async def test_inbox_service_records_versions_and_deletes(tmp_path, store):
    inbox = tmp_path / "briefs"
    inbox.mkdir()
    (inbox / "keep.toml").write_text(BRIEF)
    (inbox / "broken.toml").write_text("title = ")
    updates = []

    async def on_update(update):
        updates.append(update)

    service = InboxService(inbox, store, InboxConfig(settle_ms=50), on_update)
    initial = await service.start()
    assert {(u.name, u.new_version) for u in initial} == {("keep.toml", True), ("broken.toml", False)}
    assert next(u for u in initial if u.name == "broken.toml").brief.error.startswith("broken.toml: not valid TOML")
    task = asyncio.create_task(service.run())
    try:
        await asyncio.wait_for(service.watcher.ready.wait(), HANG_GUARD)
        (inbox / "keep.toml").write_text(BRIEF + 'cta = "Buy now"\n')
        (inbox / "broken.toml").unlink()
        await wait_until(lambda: len(updates) >= 2)
        by_name = {u.name: u for u in updates}
        assert by_name["keep.toml"].new_version and by_name["keep.toml"].brief.cta == "Buy now"
        assert by_name["broken.toml"].deleted
        rows = await store.list_briefs()
        assert [r.name for r in rows] == ["keep.toml"]
        versions = await store.fetchall("SELECT version FROM brief_versions")
        assert [v["version"] for v in versions] == [1, 2]
    finally:
        service.stop()
        await asyncio.wait_for(task, HANG_GUARD)


def test_snapshot_ignores_non_briefs(tmp_path: Path):
    from hitl_tui.watcher import snapshot

    (tmp_path / "a.toml").write_text("x")
    (tmp_path / ".hidden.toml").write_text("x")
    (tmp_path / "dir.md").mkdir()
    assert set(snapshot(tmp_path)) == {"a.toml"}


async def test_a_rescan_reads_only_the_files_that_changed(tmp_path, store, monkeypatch):
    import hitl_tui.inbox as inbox_module
    from hitl_tui.inbox import sync_inbox

    inbox = tmp_path / "briefs"
    inbox.mkdir()
    for name in ("a.toml", "b.toml", "c.toml"):
        (inbox / name).write_text(BRIEF.replace("Sale", name))
    assert len(await sync_inbox(inbox, store)) == 3
    events_before = len(await store.events())

    read: list[str] = []
    real_parse = inbox_module.parse_brief
    monkeypatch.setattr(inbox_module, "parse_brief", lambda path, root: read.append(path.name) or real_parse(path, root))
    assert await sync_inbox(inbox, store) == []  # nothing moved: nothing read, nothing written
    assert read == [] and len(await store.events()) == events_before

    (inbox / "b.toml").write_text(BRIEF + 'cta = "Buy"\n')
    os.utime(inbox / "c.toml")  # touched, same content: read, but no new version
    (inbox / "a.toml").unlink()
    updates = {u.name: u for u in await sync_inbox(inbox, store)}
    assert sorted(read) == ["b.toml", "c.toml"]
    assert updates["b.toml"].new_version and not updates["c.toml"].new_version and updates["a.toml"].deleted
    kinds = [e.kind for e in await store.events()][events_before:]
    assert sorted(kinds) == ["brief_deleted", "brief_version"]


def test_a_later_edit_is_not_mistaken_for_a_slow_writer(tmp_path, monkeypatch):
    # Events seconds apart are separate saves: the second waits only the settle time. Before, the long gap
    # stretched its quiet time to 3 s, so an edited brief took seconds to update in the queue.
    import hitl_tui.watcher as watcher_mod

    now = [100.0]
    monkeypatch.setattr(watcher_mod.time, "monotonic", lambda: now[0])
    watcher = InboxWatcher(tmp_path, Recorder(), settle_ms=100)
    path = tmp_path / "a.toml"
    for i, at in enumerate([100.0, 100.4, 100.8]):  # a slow copy: a chunk every 0.4 s
        path.write_text(BRIEF[: 20 * (i + 1)])
        now[0] = at
        watcher.note("a.toml")
    assert watcher.quiet_time("a.toml") == pytest.approx(0.6)
    watcher._pending.clear()
    path.write_text(BRIEF + "# edited\n")
    now[0] = 130.0  # edited half a minute later
    watcher.note("a.toml")
    assert watcher.quiet_time("a.toml") == pytest.approx(0.1)

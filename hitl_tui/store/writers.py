"""Who writes each streaming draft, and what happens to drafts whose writer is gone.

A process that streams drafts (the station's drafting worker, `hitl draft`) registers a writer row: host, pid,
the pid's start time (pids are reused) and a heartbeat it renews while it has drafts streaming. Each revision it
creates points at that row. A revision still `pending`/`streaming` whose writer is known to be gone ends as
interrupted, keeping its partial text, with what happened as the reason:
- same host and that process is not running → at once;
- another host (its pid cannot be asked) and no heartbeat for STALE_SECONDS → then;
- no writer recorded (rows from before this was kept) → when no checkpoint came for LEGACY_STALE_SECONDS.
Stations run this at start-up and on their poll loop, so it happens whenever it becomes known.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from .base import Database

HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 30.0  # six missed heartbeats: a writer this late on another host is gone or hung
LEGACY_STALE_SECONDS = 10.0
LIVE = "status IN ('pending', 'streaming')"  # the same words as the partial index revisions_live

WHAT = {"worker": "the drafting worker", "cli": "`hitl draft`"}


def process_start(pid: int) -> int | None:
    """When the process started (clock ticks since boot), to tell it from a later one given the same pid."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[19]) if fields[0] not in ("Z", "X") else None


def process_alive(pid: int, start: int | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        pass
    if start is None or not Path("/proc/self/stat").exists():
        return True  # no /proc here: the pid alone has to do
    return process_start(pid) == start


def this_host() -> str:
    """Where a pid means this process table: the host name, and the pid namespace where there is one (two
    containers may share a name and a workspace, but not their pids)."""
    try:
        return f"{socket.gethostname()}#{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return socket.gethostname()


def host_name(host: str) -> str:
    return host.split("#")[0]


def writer_gone(row: dict, now: float, host: str) -> str | None:
    """Why a live revision's writer is gone (the reason recorded), or None while it may still be writing."""
    if row["writer_id"] is None:
        if row["updated_at"] < now - LEGACY_STALE_SECONDS:
            return "the app stopped while this was streaming"
        return None
    what = WHAT.get(row["kind"], "the drafting process")
    if row["ended_at"] is not None:
        return f"{what} stopped while this was streaming"
    if row["host"] == host:
        return None if process_alive(row["pid"], row["pid_start"]) else f"{what} stopped while this was streaming"
    if row["heartbeat_at"] < now - STALE_SECONDS:
        return f"{what} on {host_name(row['host'])} stopped answering while this was streaming"
    return None


class WriterOps(Database):
    writer_id: int | None = None  # set once this process writes drafts; new AI revisions point at it

    async def register_writer(self, kind: str, *, host: str | None = None, pid: int | None = None) -> int:
        pid = os.getpid() if pid is None else pid
        now = time.time()
        async with self.tx() as db:
            cur = await db.execute("INSERT INTO writers (kind, host, pid, pid_start, reviewer, started_at, "
                                   "heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   (kind, host or this_host(), pid, process_start(pid), self.reviewer, now, now))
            return cur.lastrowid

    async def heartbeat(self, writer_id: int, at: float | None = None) -> None:
        # No event: a heartbeat changes nothing anyone reviews, and every event makes stations reload the queue.
        async with self.tx() as db:
            await db.execute("UPDATE writers SET heartbeat_at=? WHERE id=?", (at or time.time(), writer_id))

    async def _beat(self, db, now: float) -> None:
        """New work for this writer: its heartbeat is fresh from the first moment (it may have been idle)."""
        if self.writer_id is not None:
            await db.execute("UPDATE writers SET heartbeat_at=? WHERE id=?", (now, self.writer_id))

    async def end_writer(self, writer_id: int, reason: str, texts: dict[int, str] | None = None
                         ) -> list[tuple[int, int, str]]:
        """The writer stops: its revisions still live end as interrupted (with the latest text it had, else the
        last checkpoint). Returns (revision_id, draft_id, text) of each."""
        texts = texts or {}
        async with self.tx() as db:
            rows = await (await db.execute(f"SELECT id, draft_id, text FROM revisions WHERE writer_id=? AND {LIVE}",
                                           (writer_id,))).fetchall()
            ended = [(r["id"], r["draft_id"], texts.get(r["id"], r["text"])) for r in rows]
            await self._interrupt(db, [(rid, text, reason) for rid, _d, text in ended])
            await db.execute("UPDATE writers SET ended_at=? WHERE id=?", (time.time(), writer_id))
            return ended

    async def end_process_writers(self, pid: int, reason: str) -> list[tuple[int, int, str]]:
        """A process on this host is known to be dead (we killed it, or saw it exit): end what it was writing."""
        rows = await self.fetchall("SELECT id FROM writers WHERE host=? AND pid=? AND ended_at IS NULL",
                                   (this_host(), pid))
        ended = []
        for row in rows:
            ended += await self.end_writer(row["id"], reason)
        return ended

    async def recover_orphans(self) -> list[tuple[int, int, str, str]]:
        """End the live revisions whose writer is gone. Returns (revision_id, draft_id, text, reason) of each.
        Cheap when nothing streams (one indexed read, no write), so stations call it on every poll."""
        query = ("SELECT r.id, r.draft_id, r.text, r.updated_at, r.writer_id, w.kind, w.host, w.pid, w.pid_start, "
                 f"w.heartbeat_at, w.ended_at FROM revisions r LEFT JOIN writers w ON w.id = r.writer_id "
                 f"WHERE r.{LIVE}")
        now, host = time.time(), this_host()
        if not any(writer_gone(row, now, host) for row in await self.fetchall(query)):
            return []
        async with self.tx() as db:  # read again inside the write: a writer may have ended them meanwhile
            rows = [dict(r) for r in await (await db.execute(query)).fetchall()]
            gone = [(row, reason) for row in rows if (reason := writer_gone(row, now, host))]
            await self._interrupt(db, [(row["id"], row["text"], reason) for row, reason in gone])
            return [(row["id"], row["draft_id"], row["text"], reason) for row, reason in gone]

    async def _interrupt(self, db, ends: list[tuple[int, str, str]]) -> None:
        now = time.time()
        for revision_id, text, reason in ends:
            cur = await db.execute(f"UPDATE revisions SET status='interrupted', text=?, error=?, updated_at=? "
                                   f"WHERE id=? AND {LIVE}", (text, reason, now, revision_id))
            if cur.rowcount:
                await self.event(db, "draft_interrupted", revision_id=revision_id, error=reason, chars=len(text))

"""The database connection: WAL, FULL sync, busy timeout, BEGIN IMMEDIATE writes, migrations, the event log."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import aiosqlite

from .schema import LATEST, MIGRATIONS


class StoreError(RuntimeError):
    pass


class Database:
    def __init__(self, path: Path, reviewer: str) -> None:
        self.path = Path(path)
        self.reviewer = reviewer
        self._db: aiosqlite.Connection | None = None
        # One connection is shared by every coroutine; transactions on it must not interleave.
        self._tx_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, reviewer: str = "reviewer"):
        store = cls(path, reviewer)
        await store.connect()
        return store

    @classmethod
    @asynccontextmanager
    async def opened(cls, path: Path, reviewer: str = "reviewer"):
        """The log for one command or test: opened, and closed however it ends."""
        store = await cls.open(path, reviewer)
        try:
            yield store
        finally:
            await store.close()

    async def connect(self) -> None:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so a write never upgrades from a read lock
        # (a deferred BEGIN there gave "database is locked" between two processes).
        self._db = await aiosqlite.connect(self.path, isolation_level=None, timeout=10.0)
        self._db.row_factory = aiosqlite.Row
        try:
            await self._db.execute("PRAGMA busy_timeout=10000")
            await self._set_wal()
            for pragma in ("synchronous=FULL", "foreign_keys=ON"):
                await self._db.execute(f"PRAGMA {pragma}")
            await self.migrate()
        except BaseException:
            await self.close()  # an open aiosqlite thread would keep the process from exiting
            raise

    async def _set_wal(self) -> None:
        # Switching to WAL needs a moment of exclusive access and does not wait on the busy handler, so two
        # processes opening a new database together can see "database is locked" here: retry briefly.
        for attempt in range(50):
            try:
                await self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                await asyncio.sleep(0.02 * (attempt + 1))

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("the store is closed")
        return self._db

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cur:
            return (await cur.fetchone())[0]

    async def migrate(self, target: int = LATEST) -> None:
        """Apply the missing steps in one transaction; user_version is transactional, so it is all or nothing."""
        async with self.tx() as db:
            async with db.execute("PRAGMA user_version") as cur:
                current = (await cur.fetchone())[0]
            if current > LATEST:
                raise StoreError(f"{self.path}: schema version {current} is newer than this hitl ({LATEST}); "
                                 "upgrade hitl-tui")
            for version in range(current, target):
                for statement in MIGRATIONS[version]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version + 1}")

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._tx_lock:
            db = self.db
            # A caller may be cancelled at any await here (an exclusive worker replaced by a newer one), but the
            # statement it was waiting on still runs in aiosqlite's thread. Statements run in order, so a ROLLBACK
            # queued after a cancelled BEGIN or INSERT always undoes it; the connection never stays mid-transaction.
            try:
                await db.execute("BEGIN IMMEDIATE")
                yield db
            except BaseException:
                await asyncio.shield(_rollback(db))
                raise
            else:
                await asyncio.shield(db.execute("COMMIT"))

    async def event(self, db: aiosqlite.Connection, kind: str, *, brief_id: int | None = None,
                    draft_id: int | None = None, revision_id: int | None = None, **payload: Any) -> None:
        """Append to the log; call inside the transaction that makes the change it records."""
        await db.execute(
            "INSERT INTO events (ts, reviewer, kind, brief_id, draft_id, revision_id, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), self.reviewer, kind, brief_id, draft_id, revision_id,
             json.dumps(payload, ensure_ascii=False, default=str)))

    async def _write_gates(self, db: aiosqlite.Connection, revision_id: int, results: list) -> None:
        """A revision's gate results (replacing earlier ones) and their event; call inside a transaction."""
        now = time.time()
        await db.execute("DELETE FROM gate_results WHERE revision_id=?", (revision_id,))
        await db.executemany(
            "INSERT INTO gate_results (revision_id, gate, status, required, message, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(revision_id, r.id, r.status, int(r.required), r.message, r.source, now) for r in results])
        await self.event(db, "gates", revision_id=revision_id, failed=[r.id for r in results if r.status == "fail"],
                         warned=[r.id for r in results if r.status == "warn"])

    async def last_event_id(self) -> int:
        """The newest event's id: every state change writes one, so a changed id means something changed."""
        async with self.db.execute("SELECT COALESCE(MAX(id), 0) FROM events") as cur:
            return (await cur.fetchone())[0]

    async def fetchall(self, sql: str, params: tuple = ()) -> list[dict]:
        async with self.db.execute(sql, params) as cur:
            return [dict(row) for row in await cur.fetchall()]

    async def fetchone(self, sql: str, params: tuple = ()) -> dict | None:
        async with self.db.execute(sql, params) as cur:
            row = await cur.fetchone()
            return dict(row) if row else None


async def _rollback(db: aiosqlite.Connection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.OperationalError:  # BEGIN itself failed (busy): there is nothing to undo
        pass

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
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            else:
                await db.execute("COMMIT")

    async def event(self, db: aiosqlite.Connection, kind: str, *, brief_id: int | None = None,
                    draft_id: int | None = None, revision_id: int | None = None, **payload: Any) -> None:
        """Append to the log; call inside the transaction that makes the change it records."""
        await db.execute(
            "INSERT INTO events (ts, reviewer, kind, brief_id, draft_id, revision_id, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), self.reviewer, kind, brief_id, draft_id, revision_id,
             json.dumps(payload, ensure_ascii=False, default=str)))

    async def fetchall(self, sql: str, params: tuple = ()) -> list[dict]:
        async with self.db.execute(sql, params) as cur:
            return [dict(row) for row in await cur.fetchall()]

    async def fetchone(self, sql: str, params: tuple = ()) -> dict | None:
        async with self.db.execute(sql, params) as cur:
            row = await cur.fetchone()
            return dict(row) if row else None

"""The database connection: WAL, FULL sync, busy timeout, BEGIN IMMEDIATE writes, migrations, the event log.

A log that cannot be used as asked (garbage bytes, a newer schema, a read-only folder, a write lock held for
minutes) is a `StoreError` with one line naming the file and what to do.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import aiosqlite

from ..errors import StoreError
from .schema import LATEST, MIGRATIONS

__all__ = ["Database", "StoreError", "check_log"]


class Database:
    # SQLite's own wait for the write lock, per attempt; longer than any one write transaction (those are kept
    # short: big syncs are written in chunks).
    BUSY_TIMEOUT = 15.0
    # How long a write keeps retrying BEGIN IMMEDIATE, with backoff, before it gives up with a StoreError: only a
    # program holding the lock for minutes gets there, and a reviewer's score is worth the wait.
    WRITE_PATIENCE = 120.0

    def __init__(self, path: Path, reviewer: str, *, read_only: bool = False, read_only_ok: bool = False) -> None:
        self.path = Path(path)
        self.reviewer = reviewer
        # read_only: open a private in-memory copy of the log; read_only_ok: do so only if the log cannot be
        # written (a read-only folder or mount). Reports then work; what they write is dropped on close.
        self.read_only = read_only
        self.read_only_ok = read_only_ok
        self._db: aiosqlite.Connection | None = None
        # One connection is shared by every coroutine; transactions on it must not interleave.
        self._tx_lock = asyncio.Lock()
        self.tx_holder: asyncio.Task | None = None  # the task inside tx() now: named when a wait for it is given up

    @classmethod
    async def open(cls, path: Path, reviewer: str = "reviewer", **access: bool):
        store = cls(path, reviewer, **access)
        await store.connect()
        return store

    @classmethod
    @asynccontextmanager
    async def opened(cls, path: Path, reviewer: str = "reviewer", **access: bool):
        """The log for one command or test: opened, and closed however it ends."""
        store = await cls.open(path, reviewer, **access)
        try:
            yield store
        except sqlite3.DatabaseError as exc:
            # Opening reads only the header and the schema: a page damaged further in shows up at the first query
            # that reaches it, and is then the same one line as a log damaged at its start.
            if is_damaged(exc):
                raise StoreError(explain(path, exc)) from None
            raise
        finally:
            await store.close()

    # ---------------------------------------------------------------- opening

    async def connect(self) -> None:
        writable = log_is_writable(self.path)
        if not writable and not (self.read_only or self.read_only_ok):
            raise StoreError(read_only_message(self.path))
        try:
            if self.read_only or not writable:
                self.read_only = True
                await self._connect_snapshot()
            else:
                await self._connect_writable()
        except BaseException as exc:
            await self.close()  # an open aiosqlite thread would keep the process from exiting
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(explain(self.path, exc)) from None
            raise

    async def _connect_writable(self) -> None:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so a write never upgrades from a read lock
        # (a deferred BEGIN there gave "database is locked" between two processes).
        self._db = await aiosqlite.connect(self.path, isolation_level=None, timeout=self.BUSY_TIMEOUT)
        self._db.row_factory = aiosqlite.Row
        await self._db.execute(f"PRAGMA busy_timeout={int(self.BUSY_TIMEOUT * 1000)}")
        version = await self.schema_version()  # the first read: a file that is not a database fails here
        check_version(self.path, version)
        await self._set_wal()
        for pragma in ("synchronous=FULL", "foreign_keys=ON"):
            await self._db.execute(f"PRAGMA {pragma}")
        if version < LATEST:  # a write lock only when there is something to migrate: readers never wait here
            await self.migrate()

    async def _connect_snapshot(self) -> None:
        """The log as it is on disk, copied into memory and brought to the current schema there."""
        self._db = await aiosqlite.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._db.row_factory = aiosqlite.Row
        if self.path.exists():
            source = await _open_read_only(self.path)
            try:
                async with source.execute("PRAGMA user_version") as cur:
                    check_version(self.path, (await cur.fetchone())[0])
                await source.backup(self._db)
            finally:
                await source.close()
        await self.migrate()

    async def _set_wal(self) -> None:
        async with self.db.execute("PRAGMA journal_mode") as cur:
            if (await cur.fetchone())[0] == "wal":
                return
        # Switching to WAL needs a moment of exclusive access and does not wait on the busy handler, so two
        # processes opening a new database together can see "database is locked" here: retry briefly.
        for attempt in range(50):
            try:
                await self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or attempt == 49:
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
            check_version(self.path, current)  # another hitl may have moved it on since we looked
            for version in range(current, target):
                for statement in MIGRATIONS[version]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version + 1}")

    # ---------------------------------------------------------------- writing

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._tx_lock:
            db = self.db
            self.tx_holder = asyncio.current_task()
            # A caller may be cancelled at any await here (an exclusive worker replaced by a newer one), but the
            # statement it was waiting on still runs in aiosqlite's thread. Statements run in order, so a ROLLBACK
            # queued after a cancelled BEGIN or INSERT always undoes it; the connection never stays mid-transaction.
            try:
                await self._begin(db)
                yield db
            except BaseException:
                await asyncio.shield(_rollback(db))
                raise
            else:
                await asyncio.shield(db.execute("COMMIT"))
            finally:
                self.tx_holder = None

    async def _begin(self, db: aiosqlite.Connection) -> None:
        """BEGIN IMMEDIATE, waiting its turn: SQLite's busy handler waits BUSY_TIMEOUT; past that (a colleague's
        long write, a program holding the lock) it backs off and tries again, up to WRITE_PATIENCE in all."""
        deadline = time.monotonic() + self.WRITE_PATIENCE
        delay = 0.05
        while True:
            try:
                await db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() + delay > deadline:
                    raise StoreError(f"{self.path}: another program has held the write lock for over "
                                     f"{self.WRITE_PATIENCE:.0f} s; nothing was saved. Close whatever holds it "
                                     "(an open sqlite3 shell?) and try again") from None
            await asyncio.sleep(delay * (0.5 + random.random()))  # jitter: waiting writers do not move in step
            delay = min(delay * 2, 2.0)

    async def event(self, db: aiosqlite.Connection, kind: str, *, brief_id: int | None = None,
                    draft_id: int | None = None, revision_id: int | None = None, actor: str | None = None,
                    **payload: Any) -> None:
        """Append to the log; call inside the transaction that makes the change it records. `actor` names who
        acted when it is not this store's person (an auto-approval made in their drafting worker)."""
        await db.execute(
            "INSERT INTO events (ts, reviewer, kind, brief_id, draft_id, revision_id, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), actor or self.reviewer, kind, brief_id, draft_id, revision_id,
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

    # ---------------------------------------------------------------- reading

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


async def _open_read_only(path: Path) -> aiosqlite.Connection:
    """The log opened without writing a byte. SQLite opens a WAL database read-only only if its -shm file exists
    or can be made; on a read-only folder after a clean close there is none, and `immutable=1` (which reads the
    main file alone) is then right, since everything was checkpointed into it. With a -wal file left behind, a
    plain read-only open reads it too (immutable would miss its commits)."""
    uri = path.resolve().as_uri()
    wal = path.with_name(path.name + "-wal")
    left_over = wal.exists() and wal.stat().st_size > 0
    for query in ("?mode=ro",) if left_over else ("?mode=ro", "?mode=ro&immutable=1"):
        db = await aiosqlite.connect(uri + query, uri=True, isolation_level=None, check_same_thread=False)
        try:
            async with db.execute("PRAGMA user_version") as cur:
                await cur.fetchone()
            return db
        except sqlite3.OperationalError as exc:
            await db.close()
            if "unable to open" not in str(exc) or query.endswith("immutable=1"):
                raise
    raise AssertionError("unreachable")


def log_is_writable(path: Path) -> bool:
    """Can this process write the log and the WAL files beside it? os.access also sees a read-only mount
    (EROFS), where even root cannot write."""
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def check_version(path: Path, version: int) -> None:
    if version > LATEST:
        raise StoreError(f"{path} was written by a newer hitl-tui (log schema {version}; this one knows up to "
                         f"{LATEST}): upgrade hitl-tui (e.g. pip install -U hitl-tui) to use it")


def read_only_message(path: Path) -> str:
    return (f"{path} is read-only (a read-only folder or mount): the review station and `hitl draft` need to "
            "write to it; `hitl briefs`, `hitl stats`, `hitl export`, `hitl queue` and `hitl claims` still work")


def is_damaged(exc: sqlite3.DatabaseError) -> bool:
    """SQLite found the file is not a database, or a damaged page in it (SQLITE_NOTADB, SQLITE_CORRUPT)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return True
    text = str(exc)
    return "not a database" in text or "malformed" in text or "encrypted" in text


def explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    """One line for a log SQLite cannot use."""
    text = str(exc)
    if "malformed" in text:  # a database, with a damaged page somewhere in it
        return (f"{path} is damaged ({text}): move it aside (e.g. mv {path.name} {path.name}.broken) to start a "
                "new log, or restore it from a backup")
    if is_damaged(exc):
        return (f"{path} is not a SQLite database (damaged or overwritten: {text}): move it aside "
                f"(e.g. mv {path.name} {path.name}.broken) to start a new log, or restore it from a backup")
    if "unable to open" in text:
        return f"{path}: cannot open the log ({text}); check that it is a file this user can read and write"
    if "readonly" in text or "read-only" in text:
        return read_only_message(path)
    return f"{path}: {text}"


def check_log(path: Path) -> None:
    """What the review station checks before it takes over the terminal (a few ms, plain sqlite3): that the log
    can be opened for writing, is a database and is not from a newer hitl. Raises StoreError."""
    if not log_is_writable(path):
        raise StoreError(read_only_message(path))
    if not path.exists():
        return
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=Database.BUSY_TIMEOUT)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain(path, exc)) from None
    check_version(path, version)

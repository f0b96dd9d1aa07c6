"""A worked-out statistics summary kept in hitl.db (table `stats_cache`) until the log changes.

Working out win rates (with their bootstrap), review analytics and results on a large log takes a good part of a
second in a fresh process; the answer depends only on the log, the code and the day (charts end today). So each
summary is stored under a key made of those — the newest event id, a fingerprint of the code that computes it and
the UTC date — and any process (`hitl stats`, a station) reads it back while the key still holds.

The cache is derived data, not part of the log: writing it adds no event (an event would change the newest event
id and so invalidate it). It is written only when the write lock is free at once, and not at all on a read-only
workspace: a report never waits for, or fails on, its cache.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

_COMPUTED_BY = ("analytics", "store/learning.py", "store/results.py", "store/active_time.py", "store/schema.py",
                "metrics.py")


@cache
def code_fingerprint() -> str:
    """A short hash of the source that computes the summary: a changed formula never reads an old answer."""
    from .. import __version__

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    try:
        for name in _COMPUTED_BY:
            path = root / name
            for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
                digest.update(file.name.encode() + b"\0" + file.read_bytes())
    except OSError:  # sources not readable as files (a zipped install): the version alone
        return __version__
    return digest.hexdigest()[:12]


def cache_key(kind: str, newest_event: int) -> str:
    today = datetime.now(timezone.utc).date().isoformat()
    return f"{kind}/{newest_event}/{code_fingerprint()}/{today}"


async def load(db, kind: str, key: str) -> dict | None:
    async with db.execute("SELECT key, body FROM stats_cache WHERE kind = ?", (kind,)) as cur:
        row = await cur.fetchone()
    return json.loads(row[1]) if row is not None and row[0] == key else None


async def keep(db, tx_lock, kind: str, key: str, body: dict) -> bool:
    """Store the summary if the write lock is free right now; returns whether it was stored."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    async with tx_lock:
        async with db.execute("PRAGMA busy_timeout") as cur:
            wait_ms = (await cur.fetchone())[0]
        await db.execute("PRAGMA busy_timeout=0")
        try:
            await db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # another writer holds the lock, or the workspace is read-only
            await db.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            return False
        try:
            await db.execute("INSERT OR REPLACE INTO stats_cache (kind, key, body, written_at) VALUES (?, ?, ?, ?)",
                             (kind, key, text, time.time()))
            await db.execute("COMMIT")
            return True
        except sqlite3.OperationalError:
            await db.execute("ROLLBACK")
            return False
        finally:
            await db.execute(f"PRAGMA busy_timeout={int(wait_ms)}")

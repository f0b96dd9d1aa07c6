"""Active review time of approvals, summed by SQLite: what `analytics.activity.active_seconds` computes in Python.

For an approval, the window runs from its draft's creation to the decision; active time is the sum, per reviewer, of
the gaps of at most IDLE_SECONDS between consecutive human events on the brief inside that window. Events only ever
get later timestamps, so once a variant is approved its active time is final: `decide()` records it on the
decision (`decisions.active_seconds`) in the same transaction, and statistics read it instead of scanning the log.
Decisions from before that column (or written another way) are worked out here when statistics need them.
"""

from __future__ import annotations

from functools import cache

APPROVALS = ("approve", "override")

# One row per approval in `windows` (decision_id, draft_id, brief_id, start, stop) → (decision_id, seconds).
_SUM = """
    g AS (SELECT w.decision_id, e.ts - LAG(e.ts) OVER (PARTITION BY w.decision_id, e.reviewer ORDER BY e.ts) AS gap
          FROM w JOIN events e ON e.brief_id = w.brief_id AND e.ts BETWEEN w.start AND w.stop
          AND e.kind IN ({marks}))
    SELECT w.decision_id, COALESCE(t.active, 0) FROM w LEFT JOIN (
        SELECT decision_id, SUM(gap) AS active FROM g WHERE gap <= ? GROUP BY decision_id) t
    ON t.decision_id = w.decision_id"""

_WINDOWS = """
    WITH w AS MATERIALIZED (
        SELECT x.id AS decision_id, x.draft_id, x.brief_id, d.created_at AS start, x.created_at AS stop
        FROM decisions x JOIN drafts d ON d.id = x.draft_id WHERE {where}),"""


@cache
def _human_events() -> tuple[tuple[str, ...], float, str]:
    """The kinds of event that count, the longest gap that counts, and the SQL that sums them. The analytics
    module loads with the first approval or statistic, not with the store (tests/test_startup_lean.py)."""
    from ..analytics.activity import HUMAN_EVENTS, IDLE_SECONDS

    kinds = tuple(sorted(HUMAN_EVENTS))
    return kinds, IDLE_SECONDS, _SUM.format(marks=",".join("?" * len(kinds)))


async def active_seconds_sql(db, where: str, params: tuple = ()) -> dict[int, float]:
    """decision id → active seconds, for the approvals the SQL condition `where` (on decisions x) selects."""
    kinds, idle, sum_sql = _human_events()
    sql = _WINDOWS.format(where=f"x.kind IN ('approve', 'override') AND ({where})") + sum_sql
    async with db.execute(sql, (*params, *kinds, idle)) as cur:
        return {decision: round(seconds, 1) for decision, seconds in await cur.fetchall()}


async def record_active_time(db, decision_id: int) -> None:
    """Write an approval's active review time on it; call inside the transaction that makes the decision."""
    seconds = (await active_seconds_sql(db, "x.id = ?", (decision_id,))).get(decision_id)
    if seconds is not None:
        await db.execute("UPDATE decisions SET active_seconds = ? WHERE id = ?", (seconds, decision_id))

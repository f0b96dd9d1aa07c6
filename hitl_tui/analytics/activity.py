"""Active review time from the event log, and per-day series for sparklines.

Core module: no UI, no store.

Active time: the log has no "looking at the screen" events, only actions (open = claim, score, tick, note, edit,
decide, revise, compare picks, …). Each reviewer's actions on one brief are cut into sessions wherever two
consecutive actions are more than `idle` seconds apart (default 300 s: the reviewer went away); within a session the
time between actions counts as active. So active time is the sum, per reviewer, of the gaps of at most `idle`
seconds between consecutive human events on the brief inside the window asked for. What a reviewer does before
their first action, or after their last, is invisible to the log and not counted; a brief opened (a claim event)
starts the clock. Several reviewers on one brief add up (person-time).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

# Event kinds a person causes (the `events.kind` values written by store/review.py and drafts.py), plus the kinds
# the compare view, experts and audits are expected to write. Drafting and system events are not activity.
HUMAN_EVENTS = frozenset({
    "claim", "release", "score", "score_undone", "tick", "note", "edit", "approve", "override", "reject",
    "decision_undone", "revise", "regenerate", "preference", "ask", "answer", "sign_off", "claim_source", "audit",
})
IDLE_SECONDS = 300.0


@dataclass(slots=True, frozen=True)
class ActivityEvent:
    """An `events` row: ts (epoch seconds), reviewer, brief_id, kind."""
    ts: float
    reviewer: str
    brief_id: int
    kind: str


@dataclass(slots=True, frozen=True)
class Window:
    """The span of work to measure: one brief's events from start to end (epoch seconds), e.g. from a variant's
    first draft to its approval."""
    brief_id: int
    start: float
    end: float


def _gaps(times: list[float], idle: float) -> float:
    return sum(b - a for a, b in zip(times, times[1:]) if b - a <= idle)


def active_seconds(events: Iterable[ActivityEvent], windows: Mapping[Hashable, Window], *,
                   idle: float = IDLE_SECONDS) -> dict[Hashable, float]:
    """Active review seconds for each window (keyed as given, e.g. by draft id). Non-human event kinds are ignored.

    Sorts the events once and bisects per window, so 100,000 events and thousands of windows stay cheap."""
    by_brief: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for e in events:
        if e.kind in HUMAN_EVENTS:
            by_brief[e.brief_id].append((e.ts, e.reviewer))
    stamps: dict[int, list[float]] = {}
    for brief_id, rows in by_brief.items():
        rows.sort()
        stamps[brief_id] = [ts for ts, _ in rows]
    out = {}
    for key, w in windows.items():
        rows = by_brief.get(w.brief_id, [])
        times = stamps.get(w.brief_id, [])
        span = rows[bisect_left(times, w.start):bisect_right(times, w.end)]
        per_reviewer: dict[str, list[float]] = defaultdict(list)
        for ts, reviewer in span:
            per_reviewer[reviewer].append(ts)
        out[key] = round(sum(_gaps(ts, idle) for ts in per_reviewer.values()), 1)
    return out


def sessions(events: Iterable[ActivityEvent], *, idle: float = IDLE_SECONDS) -> list[dict]:
    """Each (reviewer, brief) run of human events with no gap over `idle`: reviewer, brief_id, start, end, events,
    active_seconds. Ordered by start."""
    runs: dict[tuple[str, int], list[float]] = defaultdict(list)
    for e in events:
        if e.kind in HUMAN_EVENTS:
            runs[(e.reviewer, e.brief_id)].append(e.ts)
    out = []
    for (reviewer, brief_id), times in runs.items():
        times.sort()
        first = 0
        for i in range(1, len(times) + 1):
            if i == len(times) or times[i] - times[i - 1] > idle:
                chunk = times[first:i]
                out.append({"reviewer": reviewer, "brief_id": brief_id, "start": chunk[0], "end": chunk[-1],
                            "events": len(chunk), "active_seconds": round(chunk[-1] - chunk[0], 1)})
                first = i
    return sorted(out, key=lambda s: (s["start"], s["reviewer"], s["brief_id"]))


def daily_counts(timestamps: Iterable[float], *, tz: tzinfo = timezone.utc, days: int | None = None,
                 end: date | None = None) -> list[tuple[str, int]]:
    """(YYYY-MM-DD, count) for every day from the first timestamp's day (or `days` days back from `end`) to `end`
    (default: the last timestamp's day), zeros included — ready for a sparkline of e.g. approvals per day."""
    counts: dict[date, int] = defaultdict(int)
    for ts in timestamps:
        counts[datetime.fromtimestamp(ts, tz).date()] += 1
    if end is None:
        if not counts:
            return []
        end = max(counts)
    if days is not None:
        start = end - timedelta(days=days - 1)
    elif counts:
        start = min(counts)
    else:
        return []
    out = []
    day = start
    while day <= end:
        out.append((day.isoformat(), counts.get(day, 0)))
        day += timedelta(days=1)
    return out

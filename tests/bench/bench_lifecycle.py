"""Benchmark 7: quitting while drafts stream — from the key press (or the hang-up) until the process has exited.

The target is 2 s: a reviewer who quits, or whose SSH connection drops, must not wait, and nothing may keep
running (or spending) after them. The tests (tests/test_quit.py) prove it exits and leaves nothing behind; here
is how long it takes. The station runs on a pseudo-terminal against the test server in a process of its own.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from common import ServerProcess, make_workspace, median, report

import station_process  # tests/station_process.py (common.py puts tests/ on the path)


def _streaming(db: Path, words: int) -> bool:
    try:
        con = sqlite3.connect(db, timeout=30)
        try:
            rows = con.execute("SELECT text FROM revisions WHERE status='streaming'").fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return False
    return len(rows) >= 2 and all(text.count("word") >= words for (text,) in rows)


def bench_quit(tmp: Path, smoke: bool) -> None:
    runs = 1 if smoke else 5
    server = ServerProcess()
    times: dict[str, list[float]] = {"q": [], "hang-up": []}
    left = 0
    try:
        for n in range(runs):
            for how in times:
                root = make_workspace(tmp / f"quit-{how}-{n}", briefs=3, auto_draft=True, variants=2,
                                      models=[{"model": "openai/slow-2000-50", "api_base": server.base_url}])
                station = station_process.StationProcess(root)
                try:
                    station_process.wait_until_sync(lambda: _streaming(root / "hitl.db", 5), timeout=120)
                    start = time.perf_counter()
                    station.press(b"q") if how == "q" else station.hang_up()
                    station.proc.wait(60)
                    times[how].append(time.perf_counter() - start)
                    left += len(station.left_behind())
                finally:
                    station.close()
    finally:
        server.stop()
    for how, values in times.items():
        m = median(values)
        report(f"quit while streaming → exit ({how}, n={len(values)})",
               f"{m:.2f} s median, max {max(values):.2f} s" + (f", {left} left running" if left else ""),
               "≤ 2 s, nothing left running", m <= 2.0 and not left)

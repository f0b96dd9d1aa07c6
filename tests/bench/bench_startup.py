"""Benchmarks 1-2: the first frame, and a brief dropped into the inbox reaching the queue."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from common import BARE_APP, HITL, make_workspace, median, p95, report, time_to_text, wait_until


# ------------------------------------------------------------------ 1. first frame

def bench_first_frame(tmp: Path, smoke: bool) -> None:
    runs = 2 if smoke else 7
    ws = make_workspace(tmp / "ff", briefs=3)
    import subprocess

    subprocess.run(HITL + ["-w", str(ws), "briefs"], check=True, capture_output=True)  # the log knows them
    bare_script = tmp / "bare.py"
    bare_script.write_text(BARE_APP)
    hitl, bare = [], []
    for _ in range(runs):  # interleaved, so both see the same machine state
        bare.append(time_to_text([sys.executable, str(bare_script)], b"bare app ready"))
        hitl.append(time_to_text(HITL + ["-w", str(ws)], b"Campaign 00000"))
    h, b = median(hitl), median(bare)
    report("first frame (queue shown)", f"{h:.3f} s (bare app {b:.3f} s, {h / b:.2f}x)", "≤ 0.25 s and ≤ 1.5x bare",
           h <= 0.25 and h <= 1.5 * b)


# ------------------------------------------------------------------ 2. drop to queue

async def bench_drop(tmp: Path, smoke: bool) -> None:
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.workspace import Workspace

    n = 3 if smoke else 20
    ws = Workspace.load(make_workspace(tmp / "drop"))
    app = HitlApp(ws)
    times: dict[str, list[float]] = {"plain write": [], "temp then rename": []}
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(app.ready.wait(), 10)
        await asyncio.wait_for(app.inbox_service.watcher.ready.wait(), 10)
        for i in range(n):
            for mode in times:
                name = f"drop-{mode[0]}-{i}.toml"
                body = f'title = "Dropped {i}"\nbrief = "x"\n'
                start = time.perf_counter()
                if mode == "plain write":
                    (ws.inbox / name).write_text(body)
                else:
                    tmp_file = ws.inbox / f".{name}.tmp"
                    tmp_file.write_text(body)
                    os.replace(tmp_file, ws.inbox / name)
                await wait_until(lambda: any(r["name"] == name for r in app.review.rows), timeout=10)
                times[mode].append(time.perf_counter() - start)
    for mode, values in times.items():
        m = median(values) * 1000
        report(f"drop to queue ({mode}, n={n})", f"{m:.0f} ms median, p95 {p95(values) * 1000:.0f} ms",
               "≤ 150 ms median", m <= 150)

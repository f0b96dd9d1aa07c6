"""Benchmarks 1-3: the first frame, a brief dropped into the inbox reaching the queue, and the demo's first streamed
token."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from common import (BARE_APP, HITL, make_workspace, median, p95, report, time_to_text, times_to_patterns,
                    wait_for_exit, wait_until)


# ------------------------------------------------------------------ 1. first frame

def bench_first_frame(tmp: Path, smoke: bool) -> None:
    runs = 2 if smoke else 7
    ws = make_workspace(tmp / "ff", briefs=3)
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


# ------------------------------------------------------------------ 3. first streamed token in the demo

DEMO_SHOWN = re.compile(re.escape(b"demo (offline)"))  # the title bar of the first frame
FIRST_TOKEN = re.compile(rb"\d tok(?!e)")  # a pane header's live count ("streaming · 3 tok"), not "for tokens"


def bench_first_token(tmp: Path, smoke: bool) -> None:
    """`hitl demo` from launch to the first streamed token on screen, against `python -c "import litellm"` (with
    the environment the drafting worker gives it) timed in the same run, interleaved; the demo's first frame, while
    its drafting worker starts beside it, against a bare Textual app."""
    runs = 2 if smoke else 7
    bare_script = tmp / "bare.py"
    bare_script.write_text(BARE_APP)
    litellm_env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR"}
    imports, tokens, frames, bare = [], [], [], []
    for i in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import litellm"], check=True, env=litellm_env)
        imports.append(time.perf_counter() - start)
        bare.append(time_to_text([sys.executable, str(bare_script)], b"bare app ready"))
        demo = tmp / f"demo-{i}"
        seen = times_to_patterns(HITL + ["demo", str(demo)], {"frame": DEMO_SHOWN, "token": FIRST_TOKEN},
                                 timeout=120)
        wait_for_exit(str(demo))  # its drafting worker saves and exits before the next run starts
        frames.append(seen["frame"])
        tokens.append(seen["token"])
    t, li = median(tokens), median(imports)
    report("demo: launch to first streamed token", f"{t:.2f} s (import litellm {li:.2f} s, {t / li:.2f}x)",
           "≤ 1.3x import litellm", t <= 1.3 * li)
    f, b = median(frames), median(bare)
    report("demo: first frame, worker starting", f"{f:.3f} s (bare app {b:.3f} s, {f / b:.2f}x)",
           "≤ 0.25 s and ≤ 1.5x bare", f <= 0.25 and f <= 1.5 * b)

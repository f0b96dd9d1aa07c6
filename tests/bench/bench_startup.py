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

from common import (BARE_APP, HITL, make_workspace, median, p95, report, time_to_text, wait_for_exit,
                    wait_until)


# ------------------------------------------------------------------ 1. first frame

def bench_first_frame(tmp: Path, smoke: bool) -> None:
    """The queue on screen, against a bare Textual app; with auto_draft on, the drafting worker starts at launch,
    beside the first frame (and loads litellm on the other core), so that is measured too."""
    runs = 2 if smoke else 15  # a frame is ~0.25 s: 15 rounds keep one run's median within a few ms of the next
    ws = make_workspace(tmp / "ff", briefs=3)
    drafting = make_workspace(tmp / "ff-drafting", briefs=3, auto_draft=True)
    for root in (ws, drafting):
        subprocess.run(HITL + ["-w", str(root), "briefs"], check=True, capture_output=True)  # the log knows them
    bare_script = tmp / "bare.py"
    bare_script.write_text(BARE_APP)
    hitl, with_worker, bare = [], [], []
    for _ in range(runs):  # interleaved, so all see the same machine state
        bare.append(time_to_text([sys.executable, str(bare_script)], b"bare app ready"))
        hitl.append(time_to_text(HITL + ["-w", str(ws)], b"Campaign 00000"))
        with_worker.append(time_to_text(HITL + ["-w", str(drafting)], b"Campaign 00000"))
        wait_for_exit(str(drafting))
    b = median(bare)
    for name, times in (("first frame (queue shown)", hitl), ("first frame, drafting worker starting", with_worker)):
        h = median(times)
        report(name, f"{h:.3f} s (bare app {b:.3f} s, {h / b:.2f}x)", "≤ 0.25 s and ≤ 1.5x bare",
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
                await wait_until(lambda: any(r.name == name for r in app.review.rows), timeout=10)
                times[mode].append(time.perf_counter() - start)
    for mode, values in times.items():
        m = median(values) * 1000
        report(f"drop to queue ({mode}, n={n})", f"{m:.0f} ms median, p95 {p95(values) * 1000:.0f} ms",
               "≤ 150 ms median", m <= 150)


# ------------------------------------------------------------------ 3. first streamed token in the demo

FIRST_TOKEN = re.compile(rb"\d tok(?!e)")  # a pane header's live count ("streaming · 3 tok"), not "for tokens"


def _import_litellm(env: dict) -> float:
    """Seconds from start until `import litellm` has returned in a fresh interpreter. Not the whole
    `python -c "import litellm"`: its exit (tearing litellm down) adds about a second that nobody waits for."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "import litellm; print('imported', flush=True)"],
                            stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout.readline().strip() == "imported"
    took = time.perf_counter() - start
    proc.wait()
    return took


def bench_first_token(tmp: Path, smoke: bool) -> None:
    """`hitl demo` from launch to the first streamed token on screen, against importing litellm in a fresh
    interpreter (with the environment the drafting worker gives it), interleaved in the same run."""
    runs = 2 if smoke else 7
    litellm_env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR"}
    imports, tokens = [], []
    for i in range(runs):
        imports.append(_import_litellm(litellm_env))
        demo = tmp / f"demo-{i}"
        tokens.append(time_to_text(HITL + ["demo", str(demo)], FIRST_TOKEN, timeout=120))
        wait_for_exit(str(demo))  # its drafting worker saves and exits before the next run starts
    t, li = median(tokens), median(imports)
    report("demo: launch to first streamed token", f"{t:.2f} s (import litellm {li:.2f} s, {t / li:.2f}x)",
           "≤ 1.3x import litellm", t <= 1.3 * li)

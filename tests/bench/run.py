"""Benchmarks of the review station against its speed and memory targets.

    python tests/bench/run.py            # full sizes, prints figures and targets (minutes)
    python tests/bench/run.py --smoke    # tiny sizes: proves every benchmark still runs (CI)
    python tests/bench/run.py --only first_frame,log

Figures are medians (p95 where the target says so). Nothing here asserts a time: a missed target is printed as
MISS and the exit code stays 0 unless a benchmark crashes (--strict makes misses fail).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from bench_data import bench_log, bench_scale  # noqa: E402
from bench_lifecycle import bench_quit  # noqa: E402
from bench_startup import bench_drop, bench_first_frame, bench_first_token  # noqa: E402
from bench_streaming import bench_long_drafts, bench_streaming  # noqa: E402
from common import RESULTS, compile_app_bytecode  # noqa: E402


BENCHES = {
    "first_frame": bench_first_frame,
    "first_token": bench_first_token,
    "drop": lambda tmp, smoke: asyncio.run(bench_drop(tmp, smoke)),
    "streaming": lambda tmp, smoke: asyncio.run(bench_streaming(tmp, smoke)),
    "long_drafts": lambda tmp, smoke: asyncio.run(bench_long_drafts(tmp, smoke)),
    "scale": bench_scale,
    "log": bench_log,
    "quit": bench_quit,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to prove the benchmarks run")
    parser.add_argument("--only", help="comma-separated: " + ",".join(BENCHES))
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    from importlib.metadata import version

    print(f"hitl-tui benchmarks{' (smoke: tiny sizes, figures not comparable)' if args.smoke else ''}")
    print(f"  machine: {os.cpu_count()} cores, Python {platform.python_version()}, textual {version('textual')}, "
          f"litellm {version('litellm')}, {time.strftime('%Y-%m-%d')}")
    names = args.only.split(",") if args.only else list(BENCHES)
    compile_app_bytecode()
    if len(names) > 1:
        # Each benchmark in a fresh process: one that loads litellm (or leaves garbage) must not weigh on the
        # next one's memory or timing.
        import subprocess

        met = missed = 0
        for n, name in enumerate(names):
            if n and not args.smoke:
                time.sleep(3)  # let the last one's processes (drafting worker, test server) finish exiting
            cmd = [sys.executable, __file__, "--only", name] + (["--smoke"] if args.smoke else [])
            out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
            lines = out.stdout.splitlines()[2:-1]  # without the child's header and total
            print("\n".join(lines), flush=True)
            met += sum(line.startswith("  OK ") for line in lines)
            missed += sum(line.startswith("  MISS") for line in lines)
            if out.returncode:
                print(f"benchmark {name} crashed (exit {out.returncode})")
                return out.returncode
        print(f"{met} met, {missed} missed")
        return 1 if (args.strict and missed) else 0
    tmp = Path(tempfile.mkdtemp(prefix="hitl-bench-"))
    try:
        for name in names:
            print(f"- {name}", flush=True)
            BENCHES[name](tmp, args.smoke)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    missed = [r for r in RESULTS if not r[3]]
    print(f"{len(RESULTS) - len(missed)} met, {len(missed)} missed")
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())

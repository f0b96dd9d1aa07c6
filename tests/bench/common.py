"""Shared pieces of the benchmarks: workspaces, a pseudo-terminal launcher, statistics, reporting."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
import fcntl
from pathlib import Path

import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/fake_openai.py

HITL = [sys.executable, "-m", "hitl_tui"]

RESULTS: list[tuple[str, str, str, bool]] = []


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def report(name: str, figure: str, target: str, ok: bool) -> None:
    RESULTS.append((name, figure, target, ok))
    print(f"  {'OK  ' if ok else 'MISS'} {name:<44} {figure:<34} target {target}", flush=True)


def compile_app_bytecode() -> None:
    """Measure the app as `pip install` leaves it: with its modules' bytecode compiled. A source checkout run
    with PYTHONDONTWRITEBYTECODE=1 (as on our dev machines) would recompile every module at each start, ~25 ms
    that no installed copy pays. Compiles the very copy that `python -m hitl_tui` imports from here."""
    code = "import compileall, os, hitl_tui; compileall.compile_dir(os.path.dirname(hitl_tui.__file__), quiet=1)"
    subprocess.run([sys.executable, "-c", code], check=True)


def make_workspace(root: Path, briefs: int = 0, auto_draft: bool = False, models: list | None = None,
                   variants: int = 3) -> Path:
    from hitl_tui.config import starter_config
    from hitl_tui.workspace import init_workspace

    init_workspace(root, examples=False)
    config = starter_config()
    config["drafting"].update(auto_draft=auto_draft, variants=variants, concurrency=8)
    if models:
        config["drafting"]["models"] = models
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    for i in range(briefs):
        (root / "briefs" / f"brief-{i:05d}.toml").write_text(
            f'title = "Campaign {i:05d}"\nbrief = "Announce offer {i}."\nchannel = "email"\n')
    return root


def time_to_text(argv: list[str], needle: bytes | re.Pattern, env: dict | None = None, timeout: float = 30.0,
                 size: tuple[int, int] = (120, 40)) -> float:
    """Seconds from process start until `needle` (bytes, or a pattern) appears on a pseudo-terminal it draws to;
    then quit it."""
    pattern = needle if isinstance(needle, re.Pattern) else re.compile(re.escape(needle))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    full_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=full_env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    seen, found = b"", None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                seen = (seen + chunk)[-200_000:]
                if pattern.search(seen):
                    found = time.perf_counter() - start
                    break
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.close(master)
    if found is None:
        raise RuntimeError(f"{needle!r} never appeared; last output: {seen[-400:]!r}")
    return found


def wait_for_exit(cmdline_part: str, timeout: float = 30.0) -> None:
    """Wait until no process whose command line contains `cmdline_part` is left (a drafting worker that is still
    saving and exiting would otherwise weigh on the next measurement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = False
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    alive = cmdline_part.encode() in (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if alive:
                    break
        if not alive:
            return
        time.sleep(0.05)


BARE_APP = '''
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("bare app ready")
Bare().run()
'''


class ServerProcess:
    """The OpenAI-compatible test server in a process of its own, like a real provider: its work must not share
    a GIL with what is being measured."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve().parent.parent / "fake_openai.py")],
                                     stdout=subprocess.PIPE, text=True)
        self.base_url = self.proc.stdout.readline().strip()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_until(predicate, timeout: float = 60.0, step: float = 0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(step)
    raise TimeoutError(str(predicate))



async def key_to_frame(app, key: str, handled) -> float:
    """Seconds from a key press until `handled()` holds and the next frame is drawn. Not pilot.press: it sleeps
    in 20 ms steps until the process looks idle, which measures the pilot, not the app."""
    from textual import events

    start = time.perf_counter()
    app.post_message(events.Key(key, key))
    await wait_until(handled, step=0.0005)
    drawn = asyncio.Event()
    app.call_after_refresh(drawn.set)
    await drawn.wait()
    return time.perf_counter() - start

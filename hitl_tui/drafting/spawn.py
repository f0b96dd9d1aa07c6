"""Starting the drafting worker process (worker.py): its command line, defined once, and its early start.

`hitl` starts the worker at launch, before textual and the app are imported (ui/run.py): litellm's import, which
the first draft waits for, then begins ~0.3 s sooner, on the other core. The app's DraftingClient adopts that
running process (`take_early` + `adopt`) instead of starting its own: the same pipes, protocol and shutdown.
A station that ends without adopting it (a one-line error at start-up, an exception) kills it at once
(`end_early`): no worker is ever left behind. Nothing heavy is imported here.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

PIPE_LIMIT = 64 * 1024 * 1024  # one protocol line may carry a whole brief

_early: subprocess.Popen | None = None
_early_for: tuple[str, str] | None = None  # (workspace root, reviewer) it was started for


def worker_argv(root: Path, reviewer: str) -> list[str]:
    # -P: `-m` would put the current folder (a shared workspace) first on sys.path, where a litellm.py or a
    # checkout's hitl_tui/ would be imported in place of the installed ones.
    return [sys.executable, "-P", "-m", "hitl_tui.drafting.worker", "--root", str(root), "--reviewer", reviewer]


def worker_env() -> dict[str, str]:
    return {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONUNBUFFERED": "1"}


def kill_group(pid: int) -> None:
    """SIGKILL the worker's session's process group (the worker and anything it started), else the worker."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_early(root: Path, reviewer: str) -> None:
    """Start the worker for this workspace and reviewer now, before the event loop exists."""
    global _early, _early_for
    if _early is not None:
        return
    # Its own session, as the client starts it: SIGHUP or ctrl+c from the terminal go to the station, which stops
    # the worker; if the station dies instead, the worker sees its stdin close and stops by itself.
    _early = subprocess.Popen(worker_argv(root, reviewer), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=worker_env(), start_new_session=True)
    _early_for = (str(Path(root).resolve()), reviewer)


def early_running() -> bool:
    """Whether `hitl` started a worker at launch that nobody has adopted (or killed) yet."""
    return _early is not None


def take_early(root: Path, reviewer: str) -> subprocess.Popen | None:
    """The worker started at launch for this workspace and reviewer, if it still runs; the caller owns it now."""
    global _early
    proc = _early
    if proc is None or _early_for != (str(Path(root).resolve()), reviewer):
        return None
    _early = None
    if proc.poll() is not None:  # it died before anyone needed it: the caller starts a new one
        _close_pipes(proc)
        return None
    return proc


def end_early() -> None:
    """The station is ending: a worker started at launch that nobody adopted is killed now and reaped."""
    global _early
    proc, _early = _early, None
    if proc is None:
        return
    if proc.poll() is None:
        kill_group(proc.pid)  # nothing was sent to it: nothing to record, no reason to wait
    proc.wait()
    _close_pipes(proc)


def kill_early() -> None:
    """A last resort that cannot wait (the quit watchdog): kill an unadopted early worker."""
    proc = _early
    if proc is not None and proc.returncode is None:
        kill_group(proc.pid)


def _close_pipes(proc: subprocess.Popen) -> None:
    for pipe in (proc.stdin, proc.stdout):
        try:
            pipe.close()
        except (OSError, ValueError):
            pass


class AdoptedProcess:
    """A worker started by subprocess.Popen before the event loop existed, seen through what the client uses of
    asyncio.subprocess.Process: pid, returncode, stdin (a StreamWriter), stdout (a StreamReader), wait()."""

    def __init__(self, popen: subprocess.Popen, stdin: asyncio.StreamWriter, stdout: asyncio.StreamReader,
                 exited: asyncio.Future) -> None:
        self._popen = popen
        self.pid = popen.pid
        self.stdin = stdin
        self.stdout = stdout
        self._exited = exited

    @property
    def returncode(self) -> int | None:
        return self._popen.returncode

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    def kill(self) -> None:
        self._popen.kill()


async def adopt(popen: subprocess.Popen) -> AdoptedProcess:
    """Connect the running loop to the worker's pipes, and learn when it exits (a thread waits for it: asyncio's
    child watcher only knows the processes asyncio started)."""
    loop = asyncio.get_running_loop()
    stdout = asyncio.StreamReader(limit=PIPE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdout), popen.stdout)
    transport, protocol = await loop.connect_write_pipe(lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()),
                                                        popen.stdin)
    stdin = asyncio.StreamWriter(transport, protocol, None, loop)
    exited = loop.create_future()

    def settle(code: int) -> None:
        if not exited.done():
            exited.set_result(code)

    def wait() -> None:
        code = popen.wait()
        try:
            loop.call_soon_threadsafe(settle, code)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    threading.Thread(target=wait, name=f"worker-{popen.pid}-exit", daemon=True).start()
    return AdoptedProcess(popen, stdin, stdout, exited)

"""The review station as a real process on a pseudo-terminal, the way a reviewer's SSH session runs it.

The pty is the process's controlling terminal, so closing our end is a real hang-up (the kernel sends SIGHUP),
as when an SSH connection drops. A thread keeps reading the screen so the app never blocks writing to it.
Also: the processes it started (read from /proc), to prove none is left behind. Shared by tests and benchmarks.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from waiting import HANG_GUARD, wait_until_sync


def _take_terminal() -> None:
    # Runs in the child after setsid(): the pty becomes its controlling terminal, so a hang-up reaches it.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class StationProcess:
    def __init__(self, root: Path, size: tuple[int, int] = (120, 40), env: dict | None = None,
                 argv: list[str] | None = None) -> None:
        self.root = Path(root)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                    **(env or {})}
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv or [sys.executable, "-m", "hitl_tui", "-w", str(self.root)],
                                     stdin=slave, stdout=slave, stderr=slave, env=full_env, close_fds=True,
                                     start_new_session=True, preexec_fn=_take_terminal)
        os.close(slave)
        self.master: int | None = master
        self._screen = bytearray()
        self._lock = threading.Lock()
        self._stop = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.known: dict[int, int] = {}  # pid -> start time of every process of ours seen so far

    # ------------------------------------------------------------------ the terminal

    def _read(self) -> None:
        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                with self._lock:
                    self._screen += data
                    del self._screen[:-400_000]

    @property
    def screen(self) -> bytes:
        with self._lock:
            return bytes(self._screen)

    def shows(self, needle: bytes) -> bool:
        return needle in self.screen

    def press(self, keys: bytes) -> float:
        """Type on the terminal; returns the wall-clock time (time.time()) just before the keys were sent.
        Like `hang_up` and `signal`, it first records the processes running now (see `left_behind`)."""
        self.descendants()
        moment = time.time()
        os.write(self.master, keys)
        return moment

    def hang_up(self) -> float:
        """Close the terminal, as a dropped SSH connection does: the kernel sends SIGHUP to the station."""
        self.descendants()
        moment = time.time()
        self._close_master()
        return moment

    def signal(self, sig: int) -> float:
        self.descendants()
        moment = time.time()
        self.proc.send_signal(sig)
        return moment

    def _close_master(self) -> None:
        if self.master is not None:
            self._stop = True
            self._reader.join(5)
            os.close(self.master)
            self.master = None

    # ------------------------------------------------------------------ processes

    def descendants(self) -> dict[int, int]:
        """pid -> start time of the station and every process under it now (recorded in `known` too)."""
        parent: dict[int, int] = {}
        starts: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _stat(int(entry))
                if stat:
                    parent[int(entry)], starts[int(entry)] = stat[1], stat[2]
        found = {self.proc.pid} if self.proc.pid in starts else set()
        grew = True
        while grew:
            new = {pid for pid, ppid in parent.items() if ppid in found and pid not in found}
            found |= new
            grew = bool(new)
        mine = {pid: starts[pid] for pid in found}
        self.known.update(mine)
        return mine

    def worker_pid(self) -> int | None:
        return next((pid for pid in self.descendants() if pid != self.proc.pid), None)

    def left_behind(self) -> list[int]:
        """Processes of ours (ever seen) that still run: same pid, same start time, not a zombie."""
        return [pid for pid, start in self.known.items() if _alive(pid, start)]

    def wait_exit(self, timeout: float = HANG_GUARD) -> tuple[int, float]:
        """(exit code, seconds it took from now). Raises if the station is still running after `timeout`."""
        start = time.monotonic()
        code = self.proc.wait(timeout)
        return code, time.monotonic() - start

    def close(self) -> None:
        """However the test went: nothing of ours keeps running."""
        self.descendants()
        for pid, start in self.known.items():
            if _alive(pid, start):
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._close_master()


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, start time) from /proc/<pid>/stat, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) "; comm may hold spaces and parentheses
    return fields[0], int(fields[1]), int(fields[19])


def _alive(pid: int, start: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[2] == start and stat[0] not in ("Z", "X")


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """A read of the workspace's log as another process sees it (empty while it does not exist yet)."""
    if not Path(db).exists():
        return []
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        con.close()


def wait_for_rows(db: Path, sql: str, params: tuple = (), timeout: float = HANG_GUARD, what: str | None = None):
    return wait_until_sync(lambda: query(db, sql, params), timeout=timeout, what=what or sql)

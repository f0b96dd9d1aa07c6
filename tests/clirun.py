"""Running the `hitl` command as a user does: in a subprocess, into a pipe, a pty or a reader that goes away."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

HANG_GUARD = 120  # seconds: only a guard against a hung command, never the thing measured


def cli_env(env: dict | None = None) -> dict:
    full = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    full.pop("HITL_WORKSPACE", None)
    full.pop("COLUMNS", None)
    full.update(env or {})
    return full


def hitl(*args: str, cwd: Path, env: dict | None = None, timeout: float = HANG_GUARD) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hitl_tui", *args], cwd=cwd, env=cli_env(env), capture_output=True,
                          text=True, timeout=timeout)


def hitl_bytes(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hitl_tui", *args], cwd=cwd, env=cli_env(env), capture_output=True,
                          timeout=HANG_GUARD)


def hitl_into_closed_pipe(*args: str, cwd: Path, read_lines: int = 0) -> tuple[int, bytes]:
    """Run hitl with stdout into a real pipe whose reader takes `read_lines` lines and closes it (`| head -N`);
    0 closes it before hitl writes anything. The pipe holds only 4 KiB, so any longer output meets the closed
    end. Returns the exit code and everything hitl wrote to stderr."""
    read_fd, write_fd = os.pipe()
    fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen([sys.executable, "-m", "hitl_tui", *args], cwd=cwd, env=cli_env(), stdout=write_fd,
                            stderr=subprocess.PIPE)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb", buffering=0) as reader:
        for _ in range(read_lines):
            line = b""
            while not line.endswith(b"\n"):
                byte = reader.read(1)
                if not byte:
                    break
                line += byte
    _, stderr = proc.communicate(timeout=HANG_GUARD)
    return proc.returncode, stderr


def hitl_in_pty(*args: str, cwd: Path, env: dict | None = None, columns: int = 80, rows: int = 24
                ) -> tuple[int, bytes]:
    """Run hitl with a terminal (a pty of the given size) as stdin, stdout and stderr; returns the exit code and
    every byte it sent to the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "hitl_tui", *args], cwd=cwd,
                            env=cli_env({"TERM": "xterm-256color", **(env or {})}), stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + HANG_GUARD
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child has gone and the terminal is closed
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=HANG_GUARD)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, b"".join(chunks)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def screen_lines(output: bytes) -> list[str]:
    """What a terminal would show, line by line: colour codes removed, line ends normalised."""
    return _SGR.sub("", output.decode("utf-8", "replace")).replace("\r\n", "\n").split("\n")

"""A dropped SSH connection (SIGHUP) or SIGTERM: the open edit is saved, the claim released, the process ends.

The app runs as a real process on a pseudo-terminal, like a reviewer's session over SSH.
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
import time
import tomllib

import pytest
import tomli_w

from hitl_tui.workspace import init_workspace


def start_app(root):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    proc = subprocess.Popen([sys.executable, "-m", "hitl_tui", "-w", str(root)], stdin=slave, stdout=slave,
                            stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    return proc, master


def drain(master, seconds: float) -> bytes:
    out, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
    return out


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_signal_saves_the_open_edit_and_releases_the_claim(tmp_path, sig):
    root = tmp_path / "ws"
    init_workspace(root, examples=False)
    config = tomllib.loads((root / "hitl.toml").read_text())
    config["drafting"]["models"] = ["hitl-offline/fast"]
    config["drafting"]["variants"] = 1
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    (root / "briefs" / "sale.toml").write_text('title = "Sale"\nbrief = "20% off."\n')
    proc, master = start_app(root)
    try:
        shown, deadline = b"", time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until the draft is done and shown
            shown += drain(master, 0.2)
            try:
                if query(root / "hitl.db", "SELECT 1 FROM revisions WHERE status='done'"):
                    break
            except sqlite3.OperationalError:  # not created yet
                pass
        deadline = time.monotonic() + 15
        while b"done" not in shown and time.monotonic() < deadline:  # the pane's status line says done
            shown += drain(master, 0.1)
        drain(master, 0.3)
        os.write(master, b"e")
        drain(master, 0.5)
        os.write(master, b"ZQX")  # typed, and the line drops before the 0.5 s autosave
        drain(master, 0.15)
        proc.send_signal(sig)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    human = query(root / "hitl.db", "SELECT text FROM revisions WHERE kind='human'")
    assert human and "ZQX" in human[-1][0]
    assert query(root / "hitl.db", "SELECT * FROM claims") == []
    kinds = [k for (k,) in query(root / "hitl.db", "SELECT kind FROM events")]
    assert "edit" in kinds and "release" in kinds

"""A log that cannot be used as it is: garbage bytes, a newer schema, a read-only workspace.

Each command is run as a user runs it (a subprocess; the station on a pseudo-terminal): one line naming the file
and what to do, exit code 2, no traceback, and the station never draws a screen it cannot keep.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from hitl_tui.store import LATEST

ALT_SCREEN = b"\x1b[?1049h"  # what Textual writes first when it takes over the terminal


def hitl_env(**extra: str) -> dict:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "TERM": "xterm-256color", **extra}
    env.pop("HITL_WORKSPACE", None)
    return env


def hitl(*args: str, cwd: Path, wrap: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*(wrap or []), sys.executable, "-m", "hitl_tui", *args], cwd=cwd, env=hitl_env(),
                          capture_output=True, text=True, timeout=120)


def station(cwd: Path, wrap: list[str] | None = None, timeout: float = 60) -> tuple[int | None, bytes]:
    """`hitl` on a pseudo-terminal: its exit code (None if it was still running at the hang guard) and output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([*(wrap or []), sys.executable, "-m", "hitl_tui"], cwd=cwd, stdin=slave, stdout=slave,
                            stderr=slave, env=hitl_env(), start_new_session=True)
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:  # read until the terminal closes (EIO once the process is gone)
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        try:
            return proc.wait(timeout=max(1.0, deadline - time.monotonic())), out
        except subprocess.TimeoutExpired:  # it opened a screen and kept running: quit it
            os.write(master, b"q")
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            return None, out
    finally:
        os.close(master)


def assert_one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    for word in words:
        assert word in lines[0], lines[0]


def drafting_workers(root: Path) -> list[int]:
    """Drafting worker processes running now for this workspace (whoever started them)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"hitl_tui.drafting.worker" in argv and str(root).encode() in argv:
            pids.append(int(entry))
    return pids


def assert_station_refused(cwd: Path, *words: str, wrap: list[str] | None = None) -> None:
    code, out = station(cwd, wrap)
    # `hitl` starts the drafting worker at launch, before the log is checked: it is ended before the one line.
    assert drafting_workers(cwd.resolve()) == []
    text = out.decode(errors="replace")
    assert code == 2, text[-2000:]
    assert ALT_SCREEN not in out, "the station drew a screen it could not keep"
    assert "Traceback" not in text
    lines = [line for line in text.replace("\r", "").splitlines() if line.strip()]
    assert len(lines) == 1, text[-2000:]
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def ws(tmp_path) -> Path:
    from hitl_tui.workspace import init_workspace

    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


COMMANDS = [("briefs",), ("stats",), ("export",), ("draft", "spring-sale-email.toml", "-m", "hitl-offline/fast"),
            ("queue",), ("claims", "spring-sale-email.toml")]


def test_a_log_that_is_not_a_database_is_one_line_for_every_command(ws):
    (ws / "hitl.db").write_bytes(os.urandom(8192))
    for args in COMMANDS:
        result = hitl(*args, cwd=ws)
        assert_one_line(result, str(ws / "hitl.db"), "not a SQLite database", "move it aside", "backup")
    assert_station_refused(ws, "hitl.db", "not a SQLite database")


def test_a_station_refused_at_start_ends_the_drafting_worker_it_started(ws):
    """The worker `hitl` starts at launch (to overlap litellm's import with the start-up) is killed and reaped
    when the station then stops at its one-line check: it is not left to run on its own."""
    import gc

    from hitl_tui.drafting import spawn
    from hitl_tui.store import StoreError
    from hitl_tui.ui.run import run_review
    from hitl_tui.workspace import Workspace

    started = []
    real_start = spawn.start_early

    def start_early(root, reviewer):
        real_start(root, reviewer)
        started.append(spawn._early)

    (ws / "hitl.db").write_bytes(os.urandom(8192))
    spawn.start_early = start_early
    try:
        with pytest.raises(StoreError, match="not a SQLite database"):
            run_review(Workspace.load(ws))
    finally:
        spawn.start_early = real_start
        gc.enable()  # the station's fast start turned it off
    assert len(started) == 1  # it was started (auto_draft is on in a new workspace) ...
    assert started[0].returncode is not None  # ... and is gone, reaped, when run_review returns
    assert drafting_workers(ws.resolve()) == []


def damage_table(db: Path, table: str) -> None:
    """Overwrite the page that holds `table`'s rows (a bad sector, a torn copy): the file still opens, its header
    and schema read fine, and only a query that reaches that table finds it damaged."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()[0]
    con.close()
    with open(db, "r+b") as f:
        f.seek(page_size * (root - 1))
        f.write(b"\xff" * page_size)


def test_a_log_damaged_past_its_header_is_one_line_for_every_command(ws):
    drafted = hitl("draft", "spring-sale-email.toml", "-m", "hitl-offline/fast", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr[-2000:]  # a real log: the inbox's briefs, drafts of one
    damage_table(ws / "hitl.db", "briefs")
    for args in COMMANDS:
        result = hitl(*args, cwd=ws)
        assert "Traceback" not in result.stderr, (args, result.stderr[-600:])
        assert_one_line(result, str(ws / "hitl.db"), "damaged", "move it aside", "backup")


def test_a_log_from_a_newer_hitl_is_one_line_for_every_command(ws):
    con = sqlite3.connect(ws / "hitl.db")
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.close()
    for args in COMMANDS:
        result = hitl(*args, cwd=ws)
        assert_one_line(result, str(ws / "hitl.db"), "newer hitl-tui", "upgrade")
    assert_station_refused(ws, "newer hitl-tui")


# ---------------------------------------------------------------- a read-only workspace

def _read_only_mount_works(tmp_path: Path) -> bool:
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = tmp_path / "ro-probe"
    probe.mkdir()
    result = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro {probe} {probe} && touch {probe}/x"],
                            capture_output=True, text=True)
    return "Read-only file system" in result.stderr


def read_only(folder: Path) -> list[str]:
    """A prefix that runs a command with `folder` bind-mounted read-only onto itself, in a private mount namespace
    (the mount goes away with the command): a read-only mount as a user meets it, where even root cannot write."""
    return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder)]


def test_a_read_only_workspace_still_lists_reports_and_exports(ws, tmp_path):
    if not _read_only_mount_works(tmp_path):
        pytest.skip("this machine cannot make a read-only bind mount (needs root and mount namespaces)")
    drafted = hitl("draft", "flash-reminder.md", "-m", "hitl-offline/fast", "-n", "1", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr
    (ws / "briefs" / "late.toml").write_text('title = "Arrived later"\nbrief = "x"\n')  # not in the log yet
    (ws / "briefs" / "broken.toml").write_text('title = "x"\nmax_words = "many"\n')
    before = {p.name: p.stat().st_mtime_ns for p in ws.iterdir()}
    ro = read_only(ws)

    listed = hitl("briefs", "--json", cwd=ws, wrap=ro)
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["flash-reminder.md"]["status"] == "ready" and rows["flash-reminder.md"]["drafts"] == 1
    assert rows["late.toml"]["status"] == "new" and rows["broken.toml"]["status"] == "invalid"
    assert "read-only" in listed.stderr and listed.stderr.count("\n") == 1
    text = hitl("briefs", cwd=ws, wrap=ro)
    assert text.returncode == 0 and "late.toml" in text.stdout and "read-only" in text.stderr

    stats = hitl("stats", "--json", cwd=ws, wrap=ro)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["briefs_by_status"]["ready"] == 1
    exported = hitl("export", cwd=ws, wrap=ro)
    assert exported.returncode == 0, exported.stderr
    assert [json.loads(line)["brief"] for line in exported.stdout.splitlines()] == ["flash-reminder.md"]
    queue = hitl("queue", "--json", cwd=ws, wrap=ro)
    assert queue.returncode == 0, queue.stderr
    assert {r["brief"]: r["why"] for r in json.loads(queue.stdout)}["flash-reminder.md"] == "ready"
    claims = hitl("claims", "flash-reminder.md", "--json", cwd=ws, wrap=ro)
    assert claims.returncode == 0 and [v["variant"] for v in json.loads(claims.stdout)] == [1], claims.stderr

    assert_one_line(hitl("draft", "late.toml", "-m", "hitl-offline/fast", cwd=ws, wrap=ro), "read-only",
                    "hitl briefs")
    assert_station_refused(ws, "read-only", wrap=ro)
    assert {p.name: p.stat().st_mtime_ns for p in ws.iterdir()} == before  # nothing was written


def test_a_read_only_workspace_without_a_log_lists_the_inbox(ws, tmp_path):
    if not _read_only_mount_works(tmp_path):
        pytest.skip("this machine cannot make a read-only bind mount (needs root and mount namespaces)")
    listed = hitl("briefs", "--json", cwd=ws, wrap=read_only(ws))
    assert listed.returncode == 0, listed.stderr
    assert {r["status"] for r in json.loads(listed.stdout)} == {"new"} and not (ws / "hitl.db").exists()
    stats = hitl("stats", "--json", cwd=ws, wrap=read_only(ws))
    assert stats.returncode == 0 and json.loads(stats.stdout)["briefs_total"] == 0, stats.stderr


async def test_a_log_that_breaks_after_the_check_ends_the_station_with_its_one_line(ws):
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.workspace import Workspace

    (ws / "hitl.db").write_bytes(os.urandom(8192))  # as if replaced between the start-up check and the open
    app = HitlApp(Workspace.load(ws), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert app.return_code == 2 and "not a SQLite database" in str(app.fatal)  # run_app raises it: one line


ALT_SCREEN_OFF = b"\x1b[?1049l"  # Textual gives the terminal back


def test_the_station_on_a_log_damaged_past_its_header_says_its_one_line(ws):
    """The header and schema read fine, so the station starts; the first queue load meets the damaged page. It
    must end with the CLI's one line and exit 2, not a traceback (found in a user trial of issue 9)."""
    drafted = hitl("draft", "spring-sale-email.toml", "-m", "hitl-offline/fast", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr[-2000:]
    damage_table(ws / "hitl.db", "briefs")
    code, out = station(ws)
    after = out.rsplit(ALT_SCREEN_OFF, 1)[-1].decode(errors="replace")  # what is left on the terminal
    text = out.decode(errors="replace")
    assert "Traceback" not in text, text[-3000:]
    assert code == 2, text[-2000:]
    lines = [line for line in after.replace("\r", "").splitlines() if line.strip()]
    assert len(lines) == 1, after[-2000:]
    for word in (str(ws / "hitl.db"), "is damaged", "move it aside", "backup"):
        assert word in lines[0], lines[0]


async def test_a_log_damaged_while_the_station_runs_is_said_on_screen_and_the_station_stays(ws):
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.workspace import Workspace

    drafted = hitl("draft", "spring-sale-email.toml", "-m", "hitl-offline/fast", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr[-2000:]
    app = HitlApp(Workspace.load(ws), watch=False)
    shown: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.notify = lambda message, **kw: shown.append(str(message))  # what reaches the screen
        damage_table(ws / "hitl.db", "briefs")
        await app.review._refresh_queue_guarded()  # as after any change: the queue is read again, meets the damage
        await pilot.pause()
        assert app.is_running and app.return_code is None
    assert any("is damaged" in m and "move it aside" in m for m in shown), shown

"""What the `hitl` command writes: into a pipe whose reader leaves early, onto a terminal (a real pty) when the
text carries escape sequences, into files and JSON byte for byte, and tables that fit the terminal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from clirun import hitl, hitl_bytes, hitl_in_pty, hitl_into_closed_pipe, screen_lines
from fake_openai import HOSTILE, MARKUP_TEXT
from rich.cells import cell_len

# What a terminal would act on: clear screen, any OSC (clipboard, title, hyperlink), 8-bit CSI in UTF-8, reset, bell.
ACTIVE = [b"\x1b[2J", b"\x1b]", b"\xc2\x9b", b"\x1bc", b"\x07"]


@pytest.fixture(scope="module")
def busy_ws(tmp_path_factory) -> Path:
    """A workspace with 300 briefs and one brief drafted offline: every command has plenty to print."""
    root = tmp_path_factory.mktemp("busy")
    assert hitl("init", "ws", cwd=root).returncode == 0
    ws = root / "ws"
    for i in range(300):
        (ws / "briefs" / f"brief-{i:03}.toml").write_text(f'title = "Brief number {i}"\nbrief = "Say {i}."\n')
    drafted = hitl("draft", "flash-reminder.md", "-m", "hitl-offline/fast", "--json", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr
    (ws / "copy.txt").write_text("This cheap deal is revolutionary. [insert price] Upgrade now.")
    return ws


@pytest.mark.parametrize("args, read_lines", [
    (("briefs",), 1), (("briefs", "--json"), 1), (("briefs",), 0), (("stats", "--json"), 0), (("stats",), 0),
    (("check", "copy.txt", "--channel", "sms", "--json"), 0), (("check", "copy.txt"), 0), (("export",), 0),
    (("export", "--format", "md"), 1), (("export", "--format", "csv"), 0)])
def test_a_reader_that_leaves_early_ends_the_command_quietly(busy_ws, args, read_lines):
    code, stderr = hitl_into_closed_pipe(*args, cwd=busy_ws, read_lines=read_lines)
    assert stderr.decode() == ""  # no traceback, no "Exception ignored ... BrokenPipeError"
    # As a shell reports a Unix tool that SIGPIPE ended (`yes | head -1`). With a line read first, the last
    # write may have half-succeeded (the kernel takes what fits and reports no error): then it ends normally.
    assert code == 141 if read_lines == 0 else code in (0, 141)


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory, llm_server) -> Path:
    """A brief drafted by a model whose text carries terminal control sequences, and a brief whose title and
    file name carry them too."""
    root = tmp_path_factory.mktemp("hostile")
    assert hitl("init", "ws", cwd=root).returncode == 0
    ws = root / "ws"
    (ws / "briefs" / "evil\x1b[2J.toml").write_text('title = "Sale \\u001b]0;pwned\\u0007 \\u009b31m now"\n'
                                                  'brief = "x"\n')
    drafted = hitl("draft", "flash-reminder.md", "-m", "openai/markup", "--api-base", llm_server.base_url, "-n", "2",
                   "--json", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr
    return ws


def assert_inert(output: bytes) -> None:
    found = [seq for seq in ACTIVE if seq in output]
    assert found == [], f"the terminal was sent {found}"
    assert "␛[2J" in output.decode(), "the sequence is shown, as text, not dropped"


@pytest.mark.parametrize("variants", ["1", "2"])  # one variant streams its tokens live; several print at the end
def test_draft_on_a_terminal_shows_escape_sequences_inert(hostile_ws, llm_server, variants):
    code, output = hitl_in_pty("draft", "flash-reminder.md", "-m", "openai/markup", "--api-base",
                               llm_server.base_url, "-n", variants, cwd=hostile_ws)
    assert code == 0, output
    assert_inert(output)
    assert "[bold red]news[/]" in output.decode()


@pytest.mark.parametrize("args", [("export", "--format", "md"), ("export", "--format", "csv"), ("export",),
                                  ("briefs",), ("briefs", "--json")])
def test_other_commands_on_a_terminal_show_escape_sequences_inert(hostile_ws, args):
    code, output = hitl_in_pty(*args, columns=200, cwd=hostile_ws)
    assert code == 0, output
    assert not [seq for seq in ACTIVE if seq in output], output
    if args[0] == "export" and args[-1] != "export":
        assert "␛[2J" in output.decode()


def test_files_pipes_and_json_keep_the_model_text_byte_for_byte(hostile_ws, llm_server, tmp_path):
    drafted = hitl("draft", "flash-reminder.md", "-m", "openai/markup", "--api-base", llm_server.base_url, "-n", "1",
                   "--json", cwd=hostile_ws)
    assert json.loads(drafted.stdout)[0]["text"] == MARKUP_TEXT
    assert "\x9b" not in drafted.stdout, "JSON carries C1 controls escaped (the same value once parsed)"
    plain = hitl("draft", "flash-reminder.md", "-m", "openai/markup", "--api-base", llm_server.base_url, "-n", "2",
                 cwd=hostile_ws)
    assert MARKUP_TEXT in plain.stdout  # a pipe is not a terminal: what the model wrote
    out = tmp_path / "export.md"
    assert hitl("export", "--format", "md", "--out", str(out), cwd=hostile_ws).returncode == 0
    assert "> " + MARKUP_TEXT in out.read_text()
    assert "> " + MARKUP_TEXT in hitl("export", "--format", "md", cwd=hostile_ws).stdout
    rows = [json.loads(line) for line in hitl("export", cwd=hostile_ws).stdout.splitlines()]
    assert MARKUP_TEXT in {r["text"] for r in rows}
    briefs = json.loads(hitl_bytes("briefs", "--json", cwd=hostile_ws).stdout)
    assert {"evil\x1b[2J.toml"} <= {b["name"] for b in briefs}
    assert all(seq in MARKUP_TEXT for seq in HOSTILE)


def _widths(output: bytes) -> list[int]:
    return [cell_len(line) for line in screen_lines(output)]


@pytest.fixture(scope="module")
def wide_ws(tmp_path_factory, llm_server) -> Path:
    root = tmp_path_factory.mktemp("wide")
    assert hitl("init", "ws", cwd=root).returncode == 0
    ws = root / "ws"
    long_name = "a-brief-with-a-very-long-file-name-" + "x" * 100 + ".toml"
    (ws / "briefs" / long_name).write_text(f'title = "{"Long title words " * 11}"\nbrief = "x"\n')
    (ws / "briefs" / "huge-title.toml").write_text(f'title = "{"t" * 10_000}"\nbrief = "x"\n')
    model = "openai/ok-3-" + "m" * 120  # a long model name, as a gateway's can be
    drafted = hitl("draft", "flash-reminder.md", "-m", model, "--api-base", llm_server.base_url, "-n", "1", cwd=ws)
    assert drafted.returncode == 0, drafted.stderr  # ok-3 misses the must-include: gate failures to list
    asyncio.run(_score_every_draft(ws / "hitl.db"))  # so that `hitl stats` has a row for the long model name
    return ws


async def _score_every_draft(db: Path) -> None:
    from hitl_tui.store import Store

    async with Store.opened(db, "tester") as store:
        for row in await store.fetchall("SELECT id FROM drafts"):
            await store.set_score(row["id"], "voice", 4)


@pytest.mark.parametrize("args", [("briefs",), ("stats",), ("check", "copy.txt", "--brief", "flash-reminder.md")])
def test_tables_fit_the_terminal_width(wide_ws, args):
    (wide_ws / "copy.txt").write_text(("Last day: this cheap deal ends tonight. [insert price] " * 8).strip())
    code, output = hitl_in_pty(*args, columns=80, cwd=wide_ws)
    assert code in (0, 1), output
    widths = _widths(output)
    assert max(widths) <= 80, [line for line in screen_lines(output) if cell_len(line) > 80][:3]
    assert "t" * 300 not in output.decode(), "a huge field is never printed in full"


def test_tables_in_a_pipe_follow_columns(wide_ws):
    result = hitl_bytes("briefs", cwd=wide_ws, env={"COLUMNS": "60"})
    assert result.returncode == 0
    assert max(_widths(result.stdout)) <= 60

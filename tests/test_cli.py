"""The `hitl` command, run as a user runs it: in a subprocess, on a real workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def hitl(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(env or {})}
    full_env.pop("HITL_WORKSPACE", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "hitl_tui", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def ws(tmp_path) -> Path:
    result = hitl("init", "ws", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "ws"


def test_init_creates_everything_and_never_overwrites(tmp_path):
    result = hitl("init", "w", cwd=tmp_path)
    root = tmp_path / "w"
    assert "created hitl.toml" in result.stdout
    assert (root / "briefs" / "spring-sale-email.toml").is_file() and (root / "outbox").is_dir()
    (root / "hitl.toml").write_text('reviewer = "mine"\n')
    (root / "briefs" / "spring-sale-email.toml").write_text('title = "edited"\nbrief = "x"\n')
    again = hitl("init", "w", cwd=tmp_path)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert (root / "hitl.toml").read_text() == 'reviewer = "mine"\n'
    assert "edited" in (root / "briefs" / "spring-sale-email.toml").read_text()


def test_briefs_json_lists_statuses_and_errors(ws):
    (ws / "briefs" / "broken.toml").write_text('title = "x"\nmax_words = "many"\n')
    (ws / "briefs" / ".hidden.toml").write_text("x")
    result = hitl("briefs", "--json", cwd=ws / "briefs")  # found by walking up
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert ".hidden.toml" not in rows
    assert rows["spring-sale-email.toml"]["status"] == "new" and rows["spring-sale-email.toml"]["error"] is None
    assert rows["broken.toml"]["status"] == "invalid"
    assert rows["broken.toml"]["error"].startswith("broken.toml: field")
    text = hitl("briefs", cwd=ws).stdout
    assert "invalid" in text and "broken.toml" in text


def test_briefs_lists_dangling_links_and_oversized_briefs_as_invalid(ws):
    os.symlink("gone.toml", ws / "briefs" / "link.toml")
    items = ", ".join(['"x"'] * 100_000)
    (ws / "briefs" / "huge.toml").write_text(f'title = "{"t" * 10_000}"\nbrief = "x"\nmust_include = [{items}]\n')
    rows = {r["name"]: r for r in json.loads(hitl("briefs", "--json", cwd=ws).stdout)}
    assert rows["link.toml"]["status"] == "invalid" and "dangling link" in rows["link.toml"]["error"]
    assert rows["huge.toml"]["status"] == "invalid"
    assert rows["huge.toml"]["error"] == "huge.toml: field 'title': 10,000 characters; at most 200"
    assert len(rows["huge.toml"]["title"]) <= 200
    table = hitl("briefs", cwd=ws).stdout
    assert "link.toml" in table and "t" * 300 not in table


def test_workspace_flag_and_env(ws, tmp_path):
    assert hitl("--workspace", str(ws), "briefs", "--json", cwd=tmp_path).returncode == 0
    assert hitl("briefs", "--json", cwd=tmp_path, env={"HITL_WORKSPACE": str(ws)}).returncode == 0
    missing = hitl("briefs", cwd=tmp_path)
    assert missing.returncode == 2 and "run `hitl init`" in missing.stderr


def test_bad_config_is_one_line(ws):
    (ws / "hitl.toml").write_text("[drafting]\nvariants = 'three'\n")
    result = hitl("briefs", cwd=ws)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "drafting.variants: expected an integer" in result.stderr


def test_draft_offline_streams_and_stores(ws):
    result = hitl("draft", "spring-sale-email.toml", "--model", "hitl-offline/fast", "--json", cwd=ws)
    assert result.returncode == 0, result.stderr
    drafts = json.loads(result.stdout)
    assert len(drafts) == 3 and {d["status"] for d in drafts} == {"done"}
    assert all("20% off" in d["text"] for d in drafts) and drafts[0]["error"] is None
    assert hitl("briefs", "--json", cwd=ws).stdout.count('"ready"') == 1
    assert result.stderr == "", "nothing from litellm may reach the terminal"


def test_draft_from_a_local_openai_server(ws, llm_server):
    result = hitl("draft", "flash-reminder.md", "--model", "openai/ok-25", "--api-base", llm_server.base_url,
                  "--variants", "2", "--json", cwd=ws)
    assert result.returncode == 0, result.stderr
    drafts = json.loads(result.stdout)
    assert [d["status"] for d in drafts] == ["done", "done"] and drafts[0]["text"].count("word") == 25
    plain = hitl("draft", "flash-reminder.md", "-m", "openai/ok-5", "--api-base", llm_server.base_url, "-n", "1",
                 cwd=ws)
    assert "── v1 · openai/ok-5 · done · 5 tokens" in plain.stdout and "word4" in plain.stdout


def test_draft_failure_exits_non_zero_with_one_clear_line(ws, llm_server):
    result = hitl("draft", "flash-reminder.md", "-m", "openai/auth", "--api-base", llm_server.base_url, "-n", "1",
                  cwd=ws)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["hitl: v1 openai/auth failed: The provider refused the API key (401); check OPENAI_API_KEY: "
                     "Incorrect API key provided: sk-test"]


def test_check_like_a_linter(ws, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Hi! Get 20% off annual plans until Friday 28 March. Paid plans add unlimited projects. " * 4
                    + "Upgrade now.")
    bad = tmp_path / "bad.txt"
    bad.write_text("This cheap deal is revolutionary. [insert price] Upgrade now.")
    ok = hitl("check", str(good), "--brief", "spring-sale-email.toml", cwd=ws)
    assert ok.returncode == 0, ok.stdout
    fail = hitl("check", str(bad), "--brief", "spring-sale-email.toml", cwd=ws)
    assert fail.returncode == 1 and "FAIL" in fail.stdout
    assert "uses: “cheap”, “revolutionary”" in fail.stdout and f"{bad}:1:6: 'cheap'" in fail.stdout
    data = json.loads(hitl("check", str(bad), "--channel", "sms", "--json", cwd=ws).stdout)
    assert data["passed"] is False and {g["id"] for g in data["gates"]} >= {"placeholders", "max_chars"}
    assert hitl("check", str(tmp_path / "missing.txt"), cwd=ws).returncode == 2
    assert hitl("check", cwd=ws).returncode == 2
    sms = tmp_path / "sms.txt"
    sms.write_text("x " * 100)
    over = hitl("check", str(sms), "--channel", "sms", cwd=ws)
    assert over.returncode == 1 and "checklists.sms.max_chars" in over.stdout


def test_export_and_stats(ws):
    hitl("draft", "flash-reminder.md", "-m", "hitl-offline/fast", "--json", cwd=ws)
    lines = hitl("export", "--format", "jsonl", cwd=ws).stdout.splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["brief"] == "flash-reminder.md"
    out = ws / "out.csv"
    assert hitl("export", "--format", "csv", "--out", str(out), cwd=ws).returncode == 0
    assert out.read_text().startswith("brief,title,brief_version,variant")
    assert "## Last-day reminder" in hitl("export", "--format", "md", cwd=ws).stdout
    stats = json.loads(hitl("stats", "--json", cwd=ws).stdout)
    assert stats["briefs_by_status"]["ready"] == 1 and stats["events"] > 5
    assert "Approval rate" in hitl("stats", cwd=ws).stdout


CORE = ["hitl_tui.briefs", "hitl_tui.gates", "hitl_tui.prompts", "hitl_tui.metrics", "hitl_tui.config",
        "hitl_tui.settings", "hitl_tui.defaults", "hitl_tui.offline_copy", "hitl_tui.terminal", "hitl_tui.redaction",
        "hitl_tui.errors", "hitl_tui.userconfig", "hitl_tui.keymap", "hitl_tui.records", "hitl_tui.slugs"] + [
    f"hitl_tui.analytics.{m}" for m in ("pairs", "bradley_terry", "finetune", "review", "activity", "results",
                                        "agreement", "policy", "triage", "reshow", "summary", "figures")] + [
    f"hitl_tui.learning.{m}" for m in ("edits", "feedback", "marking", "mining", "rules_file", "voice_memory")] + [
    f"hitl_tui.approval.{m}" for m in ("claims", "signoff", "settings")]


def test_core_modules_import_neither_textual_nor_litellm():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in CORE) +
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'litellm', 'openai'))\n"
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_cli_help_does_not_load_litellm():
    code = ("import sys\nfrom hitl_tui import cli\ncli.build_parser()\n"
            "print('litellm' in sys.modules, 'textual' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False False"


def _options(parser, path=()):
    """Every argument of the parser and its sub-commands, with the command path it belongs to."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, (*path, name))
        else:
            yield path, action


def test_every_flag_and_argument_has_help_text():
    from hitl_tui.cli import build_parser

    missing = [f"{' '.join(path) or 'hitl'} {action.option_strings or action.dest}"
               for path, action in _options(build_parser()) if not (action.help or "").strip()]
    assert missing == []


def test_global_flags_work_before_or_after_the_subcommand(ws, tmp_path):
    import sqlite3

    after = hitl("briefs", "--json", "--workspace", str(ws), cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert hitl("stats", "-w", str(ws), "--json", cwd=tmp_path).returncode == 0
    before = hitl("--reviewer", "ana", "-w", str(ws), "draft", "flash-reminder.md", "-m", "hitl-offline/fast",
                  "-n", "1", "--json", cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    later = hitl("draft", "flash-reminder.md", "-m", "hitl-offline/fast", "-n", "1", "--json", "--reviewer", "bob",
                 "--workspace", str(ws), cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    with sqlite3.connect(ws / "hitl.db") as db:
        who = {r[0] for r in db.execute("SELECT reviewer FROM events WHERE kind = 'draft_created'")}
    assert who == {"ana", "bob"}
    # the one given after the subcommand wins over the one before it
    assert hitl("-w", str(tmp_path / "nowhere"), "briefs", "-w", str(ws), cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("argv", [[], ["-w", "ws"], ["--workspace", "ws"], ["--workspace=ws"], ["--reviewer", "ana"],
                                  ["--reviewer=ana", "-w", "a", "--workspace", "b"], ["-w", "a", "--reviewer", ""]])
def test_a_plain_hitl_is_read_as_the_full_parser_reads_it(argv):
    """`hitl` with only global options skips building every sub-command's parser (start-up speed); what it reads
    must be what the full parser reads."""
    from hitl_tui.cli import build_parser, plain_review_args

    full = build_parser().parse_args(argv)
    assert vars(plain_review_args(argv)) == {"workspace": full.workspace, "reviewer": full.reviewer, "command": None}


@pytest.mark.parametrize("argv", [["briefs"], ["-h"], ["--version"], ["-w"], ["-w", "--reviewer", "x"], ["-wws"],
                                  ["-w=ws"], ["--reviewer"], ["--workspace", "ws", "demo"], ["--review", "ana"]])
def test_anything_but_a_plain_hitl_goes_to_the_full_parser(argv):
    from hitl_tui.cli import plain_review_args

    assert plain_review_args(argv) is None


def test_a_missing_value_is_still_one_usage_line(tmp_path):
    result = hitl("-w", cwd=tmp_path)
    assert result.returncode == 2 and "argument --workspace/-w: expected one argument" in result.stderr


def test_draft_never_shows_or_stores_the_api_key_a_provider_echoes(ws, llm_server):
    import sqlite3

    key = "zz-live-4711abcdef0123"  # no well-known shape: only known as the configured provider key
    result = hitl("draft", "flash-reminder.md", "-m", "openai/auth-echo", "--api-base", llm_server.base_url, "-n",
                  "1", cwd=ws, env={"OPENAI_API_KEY": key})
    assert result.returncode == 1
    assert result.stderr.strip() == ("hitl: v1 openai/auth-echo failed: The provider refused the API key (401); check "
                                     "OPENAI_API_KEY: Invalid credentials in header 'Authorization: Bearer [redacted]'")
    assert key not in result.stdout + result.stderr
    with sqlite3.connect(ws / "hitl.db") as db:
        stored = " ".join(str(v) for row in db.execute("SELECT error FROM revisions UNION ALL "
                                                         "SELECT payload FROM events") for v in row)
    assert "[redacted]" in stored and key not in stored
    assert key not in (ws / "hitl.log").read_text()

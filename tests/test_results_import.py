"""`hitl results import FILE`: per-line errors and nothing imported, re-imports that never double count, and
published results related to model, prompt version, channel and score band in `hitl stats --json`."""

from __future__ import annotations

import json
import sqlite3
import tomllib

import pytest
from clirun import hitl
from learning_fixtures import approve, brief_version

from hitl_tui.store import Store


@pytest.fixture
async def published(workspace):
    """Four approved pieces: a1, a2, a3 by openai/a, b1 by openai/b. b1's outbox file is from before piece ids."""
    async with Store.opened(workspace.db_path, "ana") as store:
        for name, model in (("a1", "openai/a"), ("a2", "openai/a"), ("a3", "openai/a"), ("b1", "openai/b")):
            _, drafts = await brief_version(store, f"{name}.toml", [model], channel="sms" if name == "a3" else "email")
            await store.set_score(drafts[0][0], "voice", 5 if model == "openai/a" else 2)
            await approve(store, workspace.outbox, drafts[0][0])
    old = workspace.outbox / "b1.md"
    old.write_text("\n".join(line for line in old.read_text().splitlines() if not line.startswith("id = ")) + "\n")
    return workspace


def piece_ids(ws) -> dict[str, str]:
    return {p.stem: tomllib.loads(p.read_text().split("+++")[1]).get("id") for p in ws.outbox.glob("*.md")}


def run_import(ws, name: str, text: str):
    path = ws.root / name
    path.write_text(text)
    return hitl("-w", str(ws.root), "results", "import", str(path), cwd=ws.root)


def result_rows(ws) -> list[tuple]:
    con = sqlite3.connect(ws.db_path)
    try:
        return con.execute("SELECT piece, day, impressions, clicks, extra FROM results ORDER BY piece, day").fetchall()
    finally:
        con.close()


def test_bad_rows_are_reported_per_line_and_nothing_is_imported(published):
    result = run_import(published, "results.csv", "piece,date,impressions,clicks,campaign\n"
                                                  "a1.md,2025-03-01,1000,30,spring\n"
                                                  "a1.mdd,2025-03-01,10,1,x\n"
                                                  "a2.md,2025-03-01,lots,1,x\n"
                                                  "a1.md,2025-03-01,1000,31,spring\n"
                                                  "a3.md,2025-31-01,5,1,x\n")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "results.csv: line 3: unknown piece 'a1.mdd' (did you mean 'a1.md'?)",
        "results.csv: line 4: impressions 'lots' is not a number",
        "results.csv: line 5: duplicate of line 2 (" + piece_ids(published)["a1"] + ", 2025-03-01)",
        "results.csv: line 6: date '2025-31-01' is not YYYY-MM-DD",
        "hitl: nothing imported (4 problems above); fix them and import the file again"]
    assert result_rows(published) == []
    result = run_import(published, "results.xlsx", "x")
    assert result.returncode == 2 and result.stderr.strip() == "hitl: results.xlsx: a results file is .csv or .jsonl"


def test_import_by_file_name_or_id_keeps_extras_and_never_double_counts(published):
    ids = piece_ids(published)
    assert ids["b1"] is None and all(ids[p] for p in ("a1", "a2", "a3"))
    csv_text = ("piece,date,impressions,clicks,conversions,campaign\n"
                f"a1.md,2025-03-01,1000,30,3,spring\n"
                f"{ids['a2']},2025-03-01,2000,40,2,spring\n"
                f"outbox/a3.md,2025-03-01,1000,10,1,spring\n"
                f"b1.md,2025-03-01,500,25,5,spring\n")
    result = run_import(published, "results.csv", csv_text)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Imported 4 rows from results.csv: 4 new, 0 updated, 0 unchanged."
    rows = result_rows(published)
    assert [r[0] for r in rows] == sorted([ids["a1"], ids["a2"], ids["a3"], "b1.md"])
    assert all(json.loads(r[4]) == {"campaign": "spring"} for r in rows)
    first = json.loads(hitl("-w", str(published.root), "stats", "--json", cwd=published.root).stdout)["results"]
    a = first["by_model"]["openai/a"]
    assert (a["impressions"], a["clicks"], a["n"], a["ctr"]) == (4000, 80, 3, 0.02)
    assert a["ctr_low"] < 0.02 < a["ctr_high"]
    b = first["by_model"]["openai/b"]
    assert (b["impressions"], b["clicks"], b["n"], b["ctr"]) == (500, 25, 1, None)
    assert b["ctr_note"].startswith("n too small")  # one piece is not a model's CTR
    assert first["by_channel"]["sms"]["n"] == 1 and first["by_score_band"]["4–5"]["n"] == 3
    assert first["by_prompt_version"]["v1"]["n"] == 4

    again = run_import(published, "results.csv", csv_text)  # the same file twice
    assert again.stdout.strip() == "Imported 4 rows from results.csv: 0 new, 0 updated, 4 unchanged."
    stats = json.loads(hitl("-w", str(published.root), "stats", "--json", cwd=published.root).stdout)
    assert stats["results"] == first
    fixed = run_import(published, "fixed.jsonl",
                       json.dumps({"id": ids["a2"], "date": "2025-03-01", "impressions": 2000, "clicks": 60}) + "\n" +
                       json.dumps({"file": "a1", "date": "2025-03-02", "impressions": 100, "clicks": 1}) + "\n")
    assert fixed.stdout.strip() == "Imported 2 rows from fixed.jsonl: 1 new, 1 updated, 0 unchanged."
    a = json.loads(hitl("-w", str(published.root), "stats", "--json", cwd=published.root).stdout)["results"][
        "by_model"]["openai/a"]
    assert (a["impressions"], a["clicks"], a["rows"]) == (4100, 101, 4)
    text = hitl("-w", str(published.root), "stats", cwd=published.root).stdout
    assert "Published results" in text and "n too small" in text

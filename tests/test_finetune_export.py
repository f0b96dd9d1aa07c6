"""`hitl export --format dpo|kto|sft|openai-preference`: each format read back, its columns, filters, provenance."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from clirun import hitl
from learning_fixtures import approve, brief_version, pick_model

from hitl_tui.briefs import Brief
from hitl_tui.prompts import build_draft_messages
from hitl_tui.store import Store

LOGGED = [{"role": "system", "content": "You write copy."}, {"role": "user", "content": "Write the sale email."}]


@pytest.fixture
async def log(workspace):
    """v1 (sale): A edited and approved, B rejected, prompts logged. v2 (tips): ana picked A over B; prompts not
    logged (an older log), prompt version v1 = the configured one, so they can be rebuilt. v3 (old): ben picked B
    over A under prompt version v0, not logged: its prompt is unknown."""
    async with Store.opened(workspace.db_path, "ana") as store:
        _, (a, b) = await brief_version(store, "sale.toml", ["openai/a", "openai/b"])
        await store.save_messages({a[1]: LOGGED, b[1]: LOGGED[:1] + [{"role": "user", "content": "Another angle."}]})
        await store.save_edit(a[0], "Edited sale copy.", "s1")
        await approve(store, workspace.outbox, a[0])
        await store.decide(b[0], b[1], "reject", "flat")
        tips, _ = await brief_version(store, "tips.toml", ["openai/a", "openai/b"])
        await pick_model(store, tips, "openai/a")
    async with Store.opened(workspace.db_path, "ben") as store:
        old, _ = await brief_version(store, "old.toml", ["openai/a", "openai/b"], prompt_version="v0")
        await pick_model(store, old, "openai/b")
    return workspace


def export(ws, *args: str) -> tuple[list[dict], str]:
    result = hitl("-w", str(ws.root), "export", *args, cwd=ws.root)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def chat(messages: list[dict], roles: list[str]) -> None:
    assert [m["role"] for m in messages] == roles and all(set(m) == {"role", "content"} for m in messages)


def test_dpo_rows_are_prompt_chosen_rejected_with_provenance(log):
    rows, summary = export(log, "--format", "dpo")
    for row in rows:
        assert set(row) == {"prompt", "chosen", "rejected", "meta"}
        chat(row["prompt"], ["system", "user"])
        chat(row["chosen"], ["assistant"])
        chat(row["rejected"], ["assistant"])
    by_kind = {r["meta"]["kind"]: r for r in rows}
    assert sorted(by_kind) == ["approved_over_rejected", "edit_over_ai", "explicit"]
    edit = by_kind["edit_over_ai"]
    assert edit["chosen"][0]["content"] == "Edited sale copy." and edit["prompt"] == LOGGED
    assert edit["rejected"][0]["content"] == "openai/a writes about sale.toml"
    assert edit["meta"]["prompt_source"] == "logged" and edit["meta"]["reviewer"] == "ana"
    picked = by_kind["explicit"]
    assert picked["meta"]["brief"] == "tips.toml" and picked["meta"]["models"] == {"chosen": "openai/a",
                                                                                    "rejected": "openai/b"}
    # tips.toml's prompts predate message logging: rebuilt from the brief and today's templates, and marked.
    brief = Brief.from_fields("tips.toml", {"title": "Tips", "brief": "Sell it.", "channel": "email"})
    assert picked["meta"]["prompt_source"] == "rebuilt"
    assert picked["prompt"] == build_draft_messages(brief, log.config, 0)
    assert "3 dpo rows" in summary and "1 prompt unknown" in summary  # old.toml's v0 prompt cannot be rebuilt


def test_openai_preference_rows_have_input_messages_and_outputs(log):
    rows, _ = export(log, "--format", "openai-preference")
    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"input", "preferred_output", "non_preferred_output", "meta"}
        assert set(row["input"]) == {"messages"}
        chat(row["input"]["messages"], ["system", "user"])
        chat(row["preferred_output"], ["assistant"])
        chat(row["non_preferred_output"], ["assistant"])


def test_kto_and_sft_rows_come_from_decisions(log):
    rows, _ = export(log, "--format", "kto")
    for row in rows:
        assert set(row) == {"prompt", "completion", "label", "meta"}
        chat(row["prompt"], ["system", "user"])
        chat(row["completion"], ["assistant"])
    assert sorted((r["label"], r["completion"][0]["content"]) for r in rows) == [
        (False, "openai/b writes about sale.toml"), (True, "Edited sale copy.")]
    rows, _ = export(log, "--format", "sft")
    assert len(rows) == 1 and set(rows[0]) == {"messages", "meta"}
    chat(rows[0]["messages"], ["system", "user", "assistant"])
    assert rows[0]["messages"][:2] == LOGGED and rows[0]["messages"][2]["content"] == "Edited sale copy."
    assert rows[0]["meta"]["kind"] == "human_final" and rows[0]["meta"]["model"] == "openai/a"


def test_filters_keep_one_reviewer_explicit_pairs_or_a_date_range(log):
    today = datetime.now(timezone.utc).date()  # the filters' days are UTC days
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    rows, _ = export(log, "--format", "dpo", "--explicit-only")
    assert [r["meta"]["kind"] for r in rows] == ["explicit"]
    rows, summary = export(log, "--format", "dpo", "--judged-by", "ben")
    assert rows == [] and "filtered" in summary
    rows, _ = export(log, "--format", "kto", "--judged-by", "ana", "--since", yesterday.isoformat(),
                     "--until", tomorrow.isoformat())
    assert len(rows) == 2
    assert export(log, "--format", "kto", "--since", tomorrow.isoformat())[0] == []
    assert export(log, "--format", "sft", "--until", yesterday.isoformat())[0] == []
    rows, _ = export(log, "--format", "sft", "--no-meta")
    assert set(rows[0]) == {"messages"}


def test_bad_filter_use_is_one_line(log):
    result = hitl("-w", str(log.root), "export", "--format", "csv", "--explicit-only", cwd=log.root)
    assert result.returncode == 2 and result.stderr.strip() == \
        "hitl: --explicit-only applies to the fine-tuning formats (dpo, kto, sft, openai-preference)"
    result = hitl("-w", str(log.root), "export", "--format", "sft", "--explicit-only", cwd=log.root)
    assert result.returncode == 2 and "--explicit-only applies to dpo and openai-preference" in result.stderr
    result = hitl("-w", str(log.root), "export", "--format", "dpo", "--since", "31/03/2025", cwd=log.root)
    assert result.returncode == 2 and "'31/03/2025' is not a date" in result.stderr

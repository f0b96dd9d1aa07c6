"""Fine-tuning export rows (analytics/finetune.py): each format serialised, read back and checked against its
documented shape — TRL's conversational preference / unpaired preference / language-modeling formats
(huggingface.co/docs/trl/dataset_formats) and OpenAI's preference fine-tuning JSONL (input.messages,
preferred_output, non_preferred_output; developers.openai.com/api/docs/guides/direct-preference-optimization)."""

from __future__ import annotations

import json

import pytest

from hitl_tui.analytics.finetune import ExportFilter, build, day_range, dpo_rows, kto_rows, to_jsonl
from hitl_tui.analytics.pairs import EXPLICIT, Variant, explicit_pair, implicit_pairs

DAY = 86400.0
T0 = 1_741_000_000.0      # 2025-03-03 11:06:40 UTC


def messages(angle: str) -> tuple[dict, ...]:
    return ({"role": "system", "content": "You are a senior marketing copywriter."},
            {"role": "user", "content": f"Write an email draft.\n\n## Angle for this variant\nAngle: {angle}"})


def variant(draft_id: int, model: str, decision: str | None, *, final: str | None = None, reviewer: str = "dana",
            when: float = T0, angle: str = "benefit", prompt: bool = True) -> Variant:
    ai = f"Subject: Spring sale {draft_id} — 20% off"
    return Variant("spring-sale.toml", 2, draft_id, model, ai, final or ai, decision,
                   reviewer if decision else None, when if decision else None, "v3", "email", draft_id * 10,
                   draft_id * 10 + (1 if final else 0), messages(angle) if prompt else (),
                   {"clarity": 4, "brand": 5} if decision else {})


def roundtrip(rows: list[dict]) -> list[dict]:
    text = to_jsonl(rows)
    assert text.endswith("\n") and len(text.splitlines()) == len(rows)
    return [json.loads(line) for line in text.splitlines()]


def assistant(message_list: list[dict]) -> str:
    assert len(message_list) == 1 and message_list[0]["role"] == "assistant"
    return message_list[0]["content"]


VARIANTS = [variant(1, "openai/gpt-4o", "approve", final="Subject: Spring sale — 20% off, edited ✓"),
            variant(2, "anthropic/claude", "reject", angle="problem"),
            variant(3, "hitl-offline/fast", None, angle="scenario")]
PAIRS = implicit_pairs(VARIANTS) + [explicit_pair(VARIANTS[1], VARIANTS[2], "left", reviewer="kim", ts=T0 + DAY),
                                    explicit_pair(VARIANTS[0], VARIANTS[2], "tie", reviewer="kim", ts=T0 + DAY)]


def test_dpo_rows_are_trl_conversational_preference_rows():
    export = dpo_rows(PAIRS)
    rows = roundtrip(export.rows)
    assert len(rows) == 3 and export.skipped == {"tie": 1}
    for row in rows:
        assert set(row) == {"prompt", "chosen", "rejected", "meta"}
        assert [m["role"] for m in row["prompt"]] == ["system", "user"]
        assert assistant(row["chosen"]) != assistant(row["rejected"])
    by_kind = {r["meta"]["kind"]: r for r in rows}
    edit = by_kind["edit_over_ai"]
    assert assistant(edit["chosen"]) == "Subject: Spring sale — 20% off, edited ✓"      # unicode kept as is
    assert assistant(edit["rejected"]) == "Subject: Spring sale 1 — 20% off"
    assert edit["meta"]["same_prompt"] is True and edit["meta"]["authors"] == {"chosen": "human", "rejected": "ai"}
    picked = by_kind[EXPLICIT]
    assert picked["prompt"][1]["content"].endswith("Angle: problem")      # the chosen text's own prompt
    assert picked["meta"]["same_prompt"] is False
    meta = by_kind["approved_over_rejected"]["meta"]
    assert meta == {"brief": "spring-sale.toml", "brief_version": 2, "kind": "approved_over_rejected",
                    "reviewer": "dana", "time": "2025-03-03T11:06:40+00:00",
                    "models": {"chosen": "openai/gpt-4o", "rejected": "anthropic/claude"},
                    "prompt_versions": {"chosen": "v3", "rejected": "v3"},
                    "authors": {"chosen": "human", "rejected": "ai"},
                    "scores": {"chosen": {"clarity": 4, "brand": 5}, "rejected": {"clarity": 4, "brand": 5}},
                    "draft_ids": {"chosen": 1, "rejected": 2}, "revision_ids": {"chosen": 11, "rejected": 20},
                    "same_prompt": False, "prompt_source": "logged"}


def test_openai_preference_rows_have_input_messages_and_one_assistant_message_per_output():
    rows = roundtrip(build("openai-preference", pairs=PAIRS).rows)
    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"input", "preferred_output", "non_preferred_output", "meta"}
        assert set(row["input"]) == {"messages"}
        assert [m["role"] for m in row["input"]["messages"]] == ["system", "user"]
        assistant(row["preferred_output"]), assistant(row["non_preferred_output"])
    assert all("meta" not in json.loads(line) for line in to_jsonl(rows, meta=False).splitlines())


def test_kto_rows_label_approved_text_true_and_rejected_text_false():
    export = build("kto", variants=VARIANTS)
    rows = roundtrip(export.rows)
    assert export.skipped == {"undecided": 1}
    for row in rows:
        assert set(row) == {"prompt", "completion", "label", "meta"}
        assert [m["role"] for m in row["prompt"]] == ["system", "user"]
    assert [(assistant(r["completion"]), r["label"], r["meta"]["kind"]) for r in rows] == [
        ("Subject: Spring sale — 20% off, edited ✓", True, "human_final"),
        ("Subject: Spring sale 2 — 20% off", False, "rejected")]


def test_sft_rows_end_with_the_approved_final_text():
    rows = roundtrip(build("sft", variants=VARIANTS).rows)
    assert len(rows) == 1
    assert set(rows[0]) == {"messages", "meta"}
    assert [m["role"] for m in rows[0]["messages"]] == ["system", "user", "assistant"]
    assert rows[0]["messages"][-1]["content"] == "Subject: Spring sale — 20% off, edited ✓"
    assert rows[0]["meta"]["model"] == "openai/gpt-4o" and rows[0]["meta"]["revision_id"] == 11


def test_filters_keep_one_reviewer_a_date_range_or_explicit_pairs():
    assert {r["meta"]["reviewer"] for r in dpo_rows(PAIRS, ExportFilter(reviewer="kim")).rows} == {"kim"}
    assert [r["meta"]["kind"] for r in dpo_rows(PAIRS, ExportFilter(explicit_only=True)).rows] == [EXPLICIT]
    since, until = day_range("2025-03-04", "2025-03-04")
    assert until - since == DAY
    in_range = dpo_rows(PAIRS, ExportFilter(since=since, until=until))
    assert [r["meta"]["time"][:10] for r in in_range.rows] == ["2025-03-04"]
    assert in_range.skipped == {"filtered": 2, "tie": 1}
    late = [variant(4, "m", "approve", when=T0 + 2 * DAY), variant(5, "m", "approve", reviewer="kim")]
    assert [r["meta"]["draft_id"] for r in build("sft", variants=late,
                                                 filt=ExportFilter(since=since, reviewer="dana")).rows] == [4]


def test_rows_without_a_known_prompt_are_counted_not_invented():
    unknown = [variant(1, "a", "approve", prompt=False), variant(2, "b", "reject", prompt=False)]
    assert build("sft", variants=unknown).skipped == {"prompt unknown": 1, "not approved": 1}
    export = kto_rows(unknown)
    assert export.rows == [] and export.skipped == {"prompt unknown": 2}
    with pytest.raises(ValueError, match="unknown format"):
        build("parquet")

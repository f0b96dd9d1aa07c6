"""`hitl export`: every draft in its final state (JSON lines, CSV or Markdown), or fine-tuning data (dpo, kto, sft,
openai-preference) built by `analytics/finetune.py` from the picks, the decisions and the messages each AI revision
was sent.

A prompt comes from the log (`revision_messages`, written by the drafting engine before each request). For a log
that predates that, the messages of a first draft or a revise are rebuilt from the brief version and the workspace's
prompt templates, only while its prompt version is still the configured one (else the templates may have changed),
and such rows say `"prompt_source": "rebuilt"` in `meta`; a regenerate's random angle cannot be rebuilt, so its rows
are left out ("prompt unknown").
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .config import Config
from .store import Store
from .terminal import json_dumps
from .workspace import Workspace

if TYPE_CHECKING:
    from .store.report_rows import PromptInput, VariantReport

FINETUNE_FORMATS = ("dpo", "kto", "sft", "openai-preference")
FORMATS = ("jsonl", "csv", "md") + FINETUNE_FORMATS

# scores: each dimension's mean over the reviewers who scored the variant; reviewer_scores: each one's own.
COLUMNS = ["brief", "title", "brief_version", "variant", "model", "status", "decision", "reason", "reviewer",
           "prompt_version", "ai_revisions", "edit_rate", "scores", "reviewer_scores", "text"]


def _rows_as(fmt: str, rows: list[VariantReport]) -> str:
    if fmt == "jsonl":
        return "".join(json_dumps({k: getattr(r, k) for k in COLUMNS}) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: getattr(r, k) for k in COLUMNS} | {
                "scores": json.dumps(r.scores), "reviewer_scores": json.dumps(r.reviewer_scores, ensure_ascii=False)})
        return out.getvalue()
    parts = ["# hitl export\n"]
    for r in rows:
        scores = ", ".join(f"{k} {v:g}" for k, v in r.scores.items()) or "—"
        if len(r.reviewer_scores) > 1:
            scores += " · " + "; ".join(f"{who}: " + ", ".join(f"{k} {v}" for k, v in own.items())
                                        for who, own in r.reviewer_scores.items())
        parts.append(f"\n## {r.title} · v{r.variant + 1} · {r.model}\n\n"
                     f"- brief: `{r.brief}` (version {r.brief_version})\n- status: {r.status}"
                     f" · decision: {r.decision or '—'}" + (f" ({r.reason})" if r.reason else "") +
                     f"\n- scores: {scores}\n- human edit rate: {r.edit_rate * 100:.0f}%\n\n")
        parts.append("\n".join("> " + line for line in (r.text or "").splitlines()) + "\n")
    return "".join(parts)


def export(ws: Workspace, fmt: str) -> str:
    async def run() -> list[VariantReport]:
        async with Store.opened(ws.db_path, ws.config.reviewer, read_only_ok=True) as store:
            return await store.draft_rows()

    return _rows_as(fmt, asyncio.run(run()))


@dataclass
class FinetuneExport:
    text: str
    rows: int
    skipped: Counter


def rebuild_messages(inputs: list[PromptInput], config: Config) -> dict[int, list[dict]]:
    """Messages re-made for AI revisions the log has none for (see the module docstring)."""
    from .briefs import Brief
    from .prompts import Feedback, build_draft_messages, build_revision_messages

    out = {}
    for row in inputs:
        if row.prompt_version != config.prompts.version:
            continue
        brief = Brief.from_fields(row.brief, json.loads(row.fields))
        if row.number == 1:
            out[row.revision_id] = build_draft_messages(brief, config, row.rank)
        elif row.feedback:
            given = json.loads(row.feedback)
            feedback = Feedback(**{k: v for k, v in given.items() if k in Feedback.__dataclass_fields__})
            out[row.revision_id] = build_revision_messages(brief, config, row.previous or "", feedback)
    return out


async def _prompts(store: Store, config: Config, revision_ids: set[int]) -> dict[int, tuple[tuple, str]]:
    """AI revision id → (its messages, "logged" or "rebuilt"); absent when unknown."""
    logged = await store.messages_for(revision_ids)
    rebuilt = rebuild_messages(await store.prompt_inputs(revision_ids - set(logged)), config)
    return {**{rid: (tuple(m), "rebuilt") for rid, m in rebuilt.items()},
            **{rid: (tuple(m), "logged") for rid, m in logged.items()}}


async def finetune_rows(store: Store, config: Config, fmt: str, filt) -> tuple[list[dict], Counter]:
    from .analytics.finetune import build
    from .analytics.pairs import implicit_pairs

    facts = await store.draft_facts(texts=True)
    scores = {f.draft_id: f.scores for f in facts}
    explicit = await store.explicit_pairs(texts=True, scores=scores) if fmt in ("dpo", "openai-preference") else []
    behind = await store.ai_revision_behind({side.revision_id for pair in explicit for side in pair.sides})
    prompts = await _prompts(store, config, {f.ai_revision_id for f in facts if f.ai_revision_id} |
                             set(behind.values()))

    def with_prompt(side):
        messages, source = prompts.get(behind.get(side.revision_id), ((), "unknown"))
        return replace(side, messages=messages, prompt_source=source)

    variants = [store.variant_of(f, None, *prompts.get(f.ai_revision_id, ((), "unknown"))) for f in facts]
    pairs = [replace(p, winner=with_prompt(p.winner), loser=with_prompt(p.loser)) for p in explicit]
    result = build(fmt, pairs=pairs + implicit_pairs(variants), variants=variants, filt=filt)
    return result.rows, result.skipped


def export_finetune(ws: Workspace, fmt: str, filt, *, meta: bool = True) -> FinetuneExport:
    from .analytics.finetune import to_jsonl

    async def run() -> tuple[list[dict], Counter]:
        async with Store.opened(ws.db_path, ws.config.reviewer, read_only_ok=True) as store:
            return await finetune_rows(store, ws.config, fmt, filt)

    rows, skipped = asyncio.run(run())
    return FinetuneExport(to_jsonl(rows, meta=meta), len(rows), skipped)

"""`hitl export`: every draft in its final state, as JSON lines, CSV or Markdown."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from .store import Store
from .terminal import json_dumps
from .workspace import Workspace

# scores: each dimension's mean over the reviewers who scored the variant; reviewer_scores: each one's own.
COLUMNS = ["brief", "title", "brief_version", "variant", "model", "status", "decision", "reason", "reviewer",
           "prompt_version", "ai_revisions", "edit_rate", "scores", "reviewer_scores", "text"]


def _rows_as(fmt: str, rows: list[dict]) -> str:
    if fmt == "jsonl":
        return "".join(json_dumps({k: r.get(k) for k in COLUMNS}) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({**r, "scores": json.dumps(r["scores"]),
                             "reviewer_scores": json.dumps(r["reviewer_scores"], ensure_ascii=False)})
        return out.getvalue()
    parts = ["# hitl export\n"]
    for r in rows:
        scores = ", ".join(f"{k} {v:g}" for k, v in r["scores"].items()) or "—"
        if len(r["reviewer_scores"]) > 1:
            scores += " · " + "; ".join(f"{who}: " + ", ".join(f"{k} {v}" for k, v in own.items())
                                        for who, own in r["reviewer_scores"].items())
        parts.append(f"\n## {r['title']} · v{r['variant'] + 1} · {r['model']}\n\n"
                     f"- brief: `{r['brief']}` (version {r['brief_version']})\n- status: {r['status']}"
                     f" · decision: {r['decision'] or '—'}" + (f" ({r['reason']})" if r["reason"] else "") +
                     f"\n- scores: {scores}\n- human edit rate: {r['edit_rate'] * 100:.0f}%\n\n")
        parts.append("\n".join("> " + line for line in (r["text"] or "").splitlines()) + "\n")
    return "".join(parts)


def export(ws: Workspace, fmt: str) -> str:
    async def run() -> list[dict]:
        async with Store.opened(ws.db_path, ws.config.reviewer, read_only_ok=True) as store:
            return await store.draft_rows()

    return _rows_as(fmt, asyncio.run(run()))

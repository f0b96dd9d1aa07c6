"""Building a review log the way the station does, for the learning tests (picks, decisions, outbox pieces)."""

from __future__ import annotations

import time
from pathlib import Path

from hitl_tui.briefs import Brief
from hitl_tui.gates import GateResult
from hitl_tui.outbox import write_approved


async def brief_version(store, name: str, models: list[str], *, channel: str = "email", prompt_version: str = "v1",
                        texts: list[str] | None = None) -> tuple[int, list[tuple[int, int]]]:
    """A brief version with one finished variant per model; returns (version id, [(draft id, AI revision id)])."""
    version = (await store.sync_brief(Brief(name=name, title=name.split(".")[0].title(), brief="Sell it.",
                                            channel=channel, content_hash=name))).version_id
    out = []
    for i, model in enumerate(models):
        draft, rev = await store.create_draft(version, i, model, model, 0.7, prompt_version)
        text = texts[i] if texts else f"{model} writes about {name}"
        await store.finish_revision(rev, status="done", text=text, tokens_in=100, tokens_out=50, cost=0.001)
        out.append((draft, rev))
    return version, out


async def pick_model(store, version: int, winner: str | None) -> None:
    """Judge the version's next pair: the side whose model is `winner` wins (None: a tie)."""
    pair = await store.next_pair(version)
    if winner is None:
        pick = "tie"
    else:
        pick = "left" if pair.left.model == winner else "right"
    await store.record_pick(pair, pick)


async def approve(store, outbox: Path, draft_id: int, *, kind: str = "approve", reason: str = "",
                  gates: list[GateResult] | None = None) -> Path:
    """What the station's approve key does: gates and decision in the log, then the outbox file."""
    draft = await store.draft(draft_id, with_revisions=True)
    ai, latest = draft.latest_ai, draft.latest
    brief = await store.fetchone("SELECT name, title FROM briefs WHERE id = ?", (draft.brief_id,))
    if gates is not None:
        await store.record_gates(latest.id, gates)
    await store.decide(draft_id, latest.id, kind, reason, gates)
    return write_approved(outbox, brief_name=brief["name"], title=brief["title"], text=latest.text,
                          model=draft.model, label=draft.label, prompt_version=ai.prompt_version,
                          reviewer=store.reviewer, decision=kind, reason=reason, scores={}, gates=[],
                          edit_rate=0.0, revision=ai.number, drafted_at=ai.created_at, approved_at=time.time())


def gate(gate_id: str, status: str, required: bool = True) -> GateResult:
    return GateResult(gate_id, gate_id, status, f"{gate_id} {status}", "test", required)

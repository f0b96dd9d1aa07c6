"""What the analytics read from the log, as their typed rows: variants, review facts, gate rows, activity, pairs,
published results; and the chat messages each AI revision was sent (written by the drafting engine).

Queries only: the numbers are worked out by `hitl_tui.analytics` (see `analytics/summary.py`). Most queries read the
SQL views of schema v4 (`final_drafts`, `active_decisions`, `preferences`), so what `hitl stats` reports can be
reproduced with sqlite3 from the same views.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from .base import Database

if TYPE_CHECKING:  # the analytics load with the first statistic or export, not with the store (before the first frame)
    from ..analytics.activity import ActivityEvent
    from ..analytics.pairs import Pair, Variant
    from ..analytics.review import GateRow, VariantFacts

APPROVALS = ("approve", "override")

_FACT_COLUMNS = ("draft_id, brief_id, brief, channel, brief_version_id, brief_version, variant, model, drafted_at, "
                 "ai_revision_id, ai_revisions, status, prompt_version, final_revision_id, final_author, "
                 "tokens_in, tokens_out, cost, decision, decision_reason, decided_by, decided_at, decided_revision_id")


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class LearningOps(Database):
    # ------------------------------------------------------------------ what each AI revision was sent

    async def save_messages(self, messages: dict[int, list[dict]]) -> None:
        """The exact chat messages each AI revision is (about to be) sent, keyed by revision id, in one
        transaction. The drafting engine writes them before the request, so the exports' prompts are the real ones."""
        if not messages:
            return
        now = time.time()
        async with self.tx() as db:
            await db.executemany(
                "INSERT OR REPLACE INTO revision_messages (revision_id, messages, created_at) VALUES (?, ?, ?)",
                [(rid, json.dumps(list(m), ensure_ascii=False), now) for rid, m in messages.items()])
            await self.event(db, "messages", revision_ids=sorted(messages))

    async def messages_for(self, revision_ids) -> dict[int, list[dict]]:
        """revision id → the messages it was sent, for those that have them logged."""
        out: dict[int, list[dict]] = {}
        for chunk in _chunks(sorted({r for r in revision_ids if r is not None})):
            rows = await self.fetchall(f"SELECT revision_id, messages FROM revision_messages WHERE revision_id IN "
                                       f"({','.join('?' * len(chunk))})", tuple(chunk))
            out.update((r["revision_id"], json.loads(r["messages"])) for r in rows)
        return out

    async def prompt_inputs(self, revision_ids) -> list[dict]:
        """What it takes to rebuild the messages of AI revisions whose messages were not logged: the revision's
        number, feedback and prompt version, its draft's variant and its rank among the same model's variants of the
        brief version (the angle it was given), the brief version's fields and the text before it (for a revise)."""
        out = []
        for chunk in _chunks(sorted({r for r in revision_ids if r is not None})):
            out += await self.fetchall(
                f"""SELECT r.id AS revision_id, r.number, r.feedback, r.prompt_version, d.variant, b.name AS brief,
                           v.fields,
                           (SELECT COUNT(*) FROM drafts o WHERE o.brief_version_id = d.brief_version_id
                            AND o.model = d.model AND o.variant < d.variant) AS rank,
                           (SELECT p.text FROM revisions p WHERE p.draft_id = r.draft_id AND p.id < r.id
                            ORDER BY p.id DESC LIMIT 1) AS previous
                    FROM revisions r JOIN drafts d ON d.id = r.draft_id
                    JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
                    WHERE r.kind = 'ai' AND r.id IN ({','.join('?' * len(chunk))})""", tuple(chunk))
        return out

    # ------------------------------------------------------------------ variants and review facts

    async def draft_facts(self, *, texts: bool = False) -> list[dict]:
        """One row per draft from the `final_drafts` view (with `ai_text`/`final_text` when asked) and `scores`:
        dimension → the mean of its reviewers' scores."""
        rows = await self.fetchall(f"SELECT {_FACT_COLUMNS}{', ai_text, final_text' if texts else ''} "
                                   f"FROM final_drafts ORDER BY draft_id")
        scores: dict[int, dict[str, float]] = defaultdict(dict)
        for s in await self.fetchall("SELECT draft_id, dimension, AVG(value) AS value FROM scores "
                                     "GROUP BY draft_id, dimension"):
            scores[s["draft_id"]][s["dimension"]] = round(s["value"], 2)
        for row in rows:
            row["scores"] = scores.get(row["draft_id"], {})
        return rows

    async def decided_texts(self) -> dict[int, tuple[str, str]]:
        """draft id → (latest AI text, final text) of every draft with a decision that stands."""
        rows = await self.fetchall("SELECT draft_id, ai_text, final_text FROM final_drafts WHERE decision IS NOT NULL")
        return {r["draft_id"]: (r["ai_text"] or "", r["final_text"] or "") for r in rows}

    @staticmethod
    def variant_of(row: dict, texts: tuple[str, str] | None = None, messages: tuple = (),
                   prompt_source: str = "logged") -> Variant:
        from ..analytics.pairs import Variant

        ai_text, final_text = texts if texts is not None else (row.get("ai_text") or "", row.get("final_text") or "")
        return Variant(row["brief"], row["brief_version"], row["draft_id"], row["model"], ai_text, final_text,
                       row["decision"], row["decided_by"], row["decided_at"], row["prompt_version"],
                       row["channel"] or "", row["ai_revision_id"], row["final_revision_id"], messages,
                       row["scores"], prompt_source)

    @staticmethod
    def variant_facts(row: dict, edit_rate: float | None, active: float | None) -> VariantFacts:
        from ..analytics.review import VariantFacts

        return VariantFacts(row["draft_id"], row["brief_version_id"], row["model"], row["drafted_at"],
                            row["ai_revisions"] or 1, row["prompt_version"], row["channel"] or "",
                            row["tokens_in"] or 0, row["tokens_out"] or 0, row["cost"] or 0.0, row["decision"],
                            row["decision_reason"] or "", row["decided_at"], row["decided_revision_id"],
                            row["ai_revision_id"], edit_rate, active)

    async def gate_rows(self) -> list[GateRow]:
        from ..analytics.review import GateRow

        rows = await self.fetchall("SELECT r.draft_id, g.revision_id, g.gate, g.status, g.required, "
                                   "r.kind = 'ai' AS ai FROM gate_results g JOIN revisions r ON r.id = g.revision_id")
        return [GateRow(r["draft_id"], r["revision_id"], r["gate"], r["status"], bool(r["required"]), bool(r["ai"]))
                for r in rows]

    async def activity(self, brief_ids) -> list[ActivityEvent]:
        """The human events on these briefs (for active review time)."""
        from ..analytics.activity import HUMAN_EVENTS, ActivityEvent

        ids = sorted(set(brief_ids))
        kinds = sorted(HUMAN_EVENTS)
        out: list[ActivityEvent] = []
        for chunk in _chunks(ids):
            rows = await self.fetchall(
                f"SELECT ts, reviewer, brief_id, kind FROM events WHERE brief_id IN ({','.join('?' * len(chunk))}) "
                f"AND kind IN ({','.join('?' * len(kinds))})", (*chunk, *kinds))
            out += [ActivityEvent(r["ts"], r["reviewer"], r["brief_id"], r["kind"]) for r in rows]
        return out

    # ------------------------------------------------------------------ pairs

    async def explicit_pairs(self, *, texts: bool = False, scores: dict[int, dict] | None = None) -> list[Pair]:
        """Compare-view picks that stand (the `preferences` view) as pairs of the texts judged. With texts, each
        side's text and author are filled in (for the exports)."""
        from ..analytics.pairs import EXPLICIT, Pair, Side

        extra = (", lr.text AS left_text, lr.kind AS left_author, rr.text AS right_text, rr.kind AS right_author"
                 if texts else "")
        joins = ("JOIN revisions lr ON lr.id = p.left_revision_id JOIN revisions rr ON rr.id = p.right_revision_id"
                 if texts else "")
        rows = await self.fetchall(f"SELECT p.*{extra} FROM preferences p {joins} ORDER BY p.pick_id")
        scores = scores or {}
        pairs = []
        for r in rows:
            sides = [Side(r[f"{s}_draft_id"], r[f"{s}_revision_id"], r[f"{s}_model"], r[f"{s}_prompt_version"],
                          r.get(f"{s}_text") or "", r.get(f"{s}_author") or "ai",
                          scores=scores.get(r[f"{s}_draft_id"], {})) for s in ("left", "right")]
            winner, loser = (sides[1], sides[0]) if r["pick"] == "right" else (sides[0], sides[1])
            pairs.append(Pair(winner, loser, EXPLICIT, r["brief"], r["brief_version"], r["reviewer"],
                              r["created_at"], tie=r["pick"] == "tie"))
        return pairs

    async def ai_revision_behind(self, revision_ids) -> dict[int, int]:
        """revision id → the AI revision its text is or started from (itself for an AI revision)."""
        out: dict[int, int] = {}
        for chunk in _chunks(sorted({r for r in revision_ids if r is not None})):
            rows = await self.fetchall(
                f"""SELECT r.id, (SELECT MAX(a.id) FROM revisions a WHERE a.draft_id = r.draft_id AND a.kind = 'ai'
                                  AND a.id <= r.id) AS ai
                    FROM revisions r WHERE r.id IN ({','.join('?' * len(chunk))})""", tuple(chunk))
            out.update((r["id"], r["ai"]) for r in rows if r["ai"] is not None)
        return out

    # ------------------------------------------------------------------ the learning half of `hitl stats`

    async def learning_stats(self) -> dict:
        """Win rates, review analytics, published results and chart series (`analytics/summary.py`). Worked out
        again only when the log has a new event since the last time: every change writes one."""
        newest = await self.last_event_id()
        cached = getattr(self, "_learning_cache", None)
        if cached is not None and cached[0] == newest:
            return cached[1]
        from ..analytics.activity import Window, active_seconds
        from ..analytics.summary import learning_summary
        from ..metrics import edit_rate

        rows = await self.draft_facts()
        approved = [r for r in rows if r["decision"] in APPROVALS and r["decided_at"] is not None]
        texts = await self.decided_texts()
        rates = {r["draft_id"]: edit_rate(*texts[r["draft_id"]]) for r in approved if r["draft_id"] in texts}
        active = active_seconds(await self.activity(r["brief_id"] for r in approved),
                                {r["draft_id"]: Window(r["brief_id"], r["drafted_at"], r["decided_at"])
                                 for r in approved})
        summary = learning_summary(
            variants=[self.variant_of(r, texts.get(r["draft_id"], ("", ""))) for r in rows],
            facts=[self.variant_facts(r, rates.get(r["draft_id"]), active.get(r["draft_id"])) for r in rows],
            gates=await self.gate_rows(), explicit=await self.explicit_pairs(),
            results=await self.result_rows(), pieces=await self.piece_facts(rows))
        self._learning_cache = (newest, summary)
        return summary

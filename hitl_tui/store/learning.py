"""What the analytics read from the log, as their typed rows: variants, review facts, gate rows, activity, pairs,
published results; and the chat messages each AI revision was sent (written by the drafting engine).

Queries only: the numbers are worked out by `hitl_tui.analytics` (see `analytics/summary.py`). Most queries read the
SQL views of schema v8 (`final_drafts`, `active_decisions`, `preferences`), so what `hitl stats` reports can be
reproduced with sqlite3 from the same views.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from .base import Database

if TYPE_CHECKING:  # the analytics load with the first statistic or export, not with the store (before the first frame)
    from ..analytics.pairs import Pair, Variant
    from ..analytics.review import GateRow, VariantFacts
    from .report_rows import DraftFacts, PromptInput

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

    async def prompt_inputs(self, revision_ids) -> list[PromptInput]:
        """What it takes to rebuild the messages of AI revisions whose messages were not logged: the revision's
        number, feedback and prompt version, its draft's variant and its rank among the same model's variants of the
        brief version (the angle it was given), the brief version's fields and the text before it (for a revise)."""
        from .report_rows import PromptInput

        out = []
        for chunk in _chunks(sorted({r for r in revision_ids if r is not None})):
            out += [PromptInput.from_row(r) for r in await self.fetchall(
                f"""SELECT r.id AS revision_id, r.number, r.feedback, r.prompt_version, d.variant, b.name AS brief,
                           v.fields,
                           (SELECT COUNT(*) FROM drafts o WHERE o.brief_version_id = d.brief_version_id
                            AND o.model = d.model AND o.variant < d.variant) AS rank,
                           (SELECT p.text FROM revisions p WHERE p.draft_id = r.draft_id AND p.id < r.id
                            ORDER BY p.id DESC LIMIT 1) AS previous
                    FROM revisions r JOIN drafts d ON d.id = r.draft_id
                    JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
                    WHERE r.kind = 'ai' AND r.id IN ({','.join('?' * len(chunk))})""", tuple(chunk))]
        return out

    # ------------------------------------------------------------------ variants and review facts

    async def draft_facts(self, *, texts: bool = False) -> list[DraftFacts]:
        """One row per draft from the `final_drafts` view (with `ai_text`/`final_text` when asked) and `scores`:
        dimension → the mean of its reviewers' scores."""
        from .report_rows import DraftFacts

        rows = await self.fetchall(f"SELECT {_FACT_COLUMNS}{', ai_text, final_text' if texts else ''} "
                                   f"FROM final_drafts ORDER BY draft_id")
        scores: dict[int, dict[str, float]] = defaultdict(dict)
        for s in await self.fetchall("SELECT draft_id, dimension, AVG(value) AS value FROM scores "
                                     "GROUP BY draft_id, dimension"):
            scores[s["draft_id"]][s["dimension"]] = round(s["value"], 2)
        return [DraftFacts(**row, scores=scores.get(row["draft_id"], {})) for row in rows]

    async def approved_texts(self) -> dict[int, tuple[str, str]]:
        """draft id → (latest AI text, final text) of every draft whose standing decision approves it."""
        rows = await self._tuples(
            """SELECT a.draft_id, ai.text, fin.text FROM active_decisions a
               JOIN revisions ai ON ai.id = (SELECT MAX(id) FROM revisions WHERE draft_id = a.draft_id AND kind = 'ai')
               JOIN revisions fin ON fin.id = (SELECT MAX(id) FROM revisions WHERE draft_id = a.draft_id)
               WHERE a.kind IN ('approve', 'override')""")
        return {draft: (ai or "", final or "") for draft, ai, final in rows}

    async def _tuples(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows as plain tuples: for the big reads of the statistics, where a dict per row costs more than the query."""
        async with self.db.execute(sql, params) as cur:
            return [tuple(row) for row in await cur.fetchall()]

    @staticmethod
    def variant_of(row: DraftFacts, texts: tuple[str, str] | None = None, messages: tuple = (),
                   prompt_source: str = "logged") -> Variant:
        from ..analytics.pairs import Variant

        ai_text, final_text = texts if texts is not None else (row.ai_text or "", row.final_text or "")
        return Variant(row.brief, row.brief_version, row.draft_id, row.model, ai_text, final_text,
                       row.decision, row.decided_by, row.decided_at, row.prompt_version,
                       row.channel or "", row.ai_revision_id, row.final_revision_id, messages,
                       row.scores, prompt_source)

    @staticmethod
    def variant_facts(row: DraftFacts, edit_rate: float | None, active: float | None) -> VariantFacts:
        from ..analytics.review import VariantFacts

        return VariantFacts(row.draft_id, row.brief_version_id, row.model, row.drafted_at,
                            row.ai_revisions or 1, row.prompt_version, row.channel or "",
                            row.tokens_in or 0, row.tokens_out or 0, row.cost or 0.0, row.decision,
                            row.decision_reason or "", row.decided_at, row.decided_revision_id,
                            row.ai_revision_id, edit_rate, active)

    async def gate_rows(self) -> list[GateRow]:
        """Gate results as review analytics read them (`review.GateRow`)."""
        from ..analytics.review import GateRow

        # Passing results matter only on the revision a decision names (they say its gates were run and passed);
        # everywhere else review analytics read failures and warnings alone, so the rest are not read.
        rows = await self._tuples("SELECT r.draft_id, g.revision_id, g.gate, g.status, g.required, r.kind = 'ai' "
                                  "FROM gate_results g JOIN revisions r ON r.id = g.revision_id "
                                  "WHERE g.status <> 'pass' OR g.revision_id IN (SELECT revision_id FROM decisions)")
        return [GateRow(d, rev, gate, status, bool(required), bool(ai)) for d, rev, gate, status, required, ai in rows]

    async def active_review_seconds(self) -> dict[int, float]:
        """draft id → active review seconds from its first draft to its approval, for every approved draft: as
        recorded with the approval, or worked out now for an approval from before that (`active_time.py`)."""
        from .active_time import active_seconds_sql

        rows = await self._tuples("SELECT decision_id, draft_id, active_seconds FROM active_decisions "
                                  "WHERE kind IN ('approve', 'override')")
        missing = [decision for decision, _, seconds in rows if seconds is None]
        known: dict[int, float] = {}
        for chunk in _chunks(missing):
            known.update(await active_seconds_sql(self.db, f"x.id IN ({','.join('?' * len(chunk))})", tuple(chunk)))
        return {draft: seconds if seconds is not None else known.get(decision)
                for decision, draft, seconds in rows}

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
        again only when the log has a new event since the last time (every change writes one): until then the
        summary comes from memory, or from `stats_cache` in hitl.db for a new process."""
        from . import stats_cache

        key = stats_cache.cache_key("learning", await self.last_event_id())
        cached = getattr(self, "_learning_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        summary = await stats_cache.load(self.db, "learning", key)
        if summary is None:
            summary = await self._work_out_learning()
            await stats_cache.keep(self.db, self._tx_lock, "learning", key, summary)
        self._learning_cache = (key, summary)
        return summary

    async def _work_out_learning(self) -> dict:
        # numpy (the fit) and rapidfuzz (edit rates) load in a thread while SQLite works in aiosqlite's: in a fresh
        # `hitl stats` process their import would otherwise come on top of the queries.
        warm = asyncio.ensure_future(asyncio.to_thread(_load_math))
        try:
            rows = await self.draft_facts()
            texts = await self.approved_texts()
            active = await self.active_review_seconds()
            gates = await self.gate_rows()
            explicit = await self.explicit_pairs()
            totals, piece_drafts = await self.result_totals()
        finally:
            await warm
        from ..analytics.summary import learning_summary
        from ..metrics import edit_rate

        def work_out() -> dict:
            rates = {draft: edit_rate(ai, final) for draft, (ai, final) in texts.items()}
            summary = learning_summary(
                variants=[self.variant_of(r, texts.get(r.draft_id, ("", ""))) for r in rows],
                facts=[self.variant_facts(r, rates.get(r.draft_id), active.get(r.draft_id)) for r in rows],
                gates=gates, explicit=explicit, results=totals, pieces=self.piece_facts(piece_drafts, rows))
            return json.loads(json.dumps(summary))  # exactly what a reader of the cache gets back

        # In a thread: the fit and its bootstrap are ~0.1 s of CPU on a large log, which on the event loop would
        # stall the station (the statistics screen is drawn while they run).
        return await asyncio.to_thread(work_out)


def _load_math() -> None:
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401
    import rapidfuzz.distance.Levenshtein  # noqa: F401

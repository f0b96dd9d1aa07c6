"""Marking feedback after revision N+1, reviewer ticks, and the share of feedback addressed.

Core module (pure). What it takes and gives:

- `mark_items(items, previous=, revised=, spec=)` — in: the items revision N+1 was sent, the text it revised
  (`previous`, the human's last text), the text it wrote (`revised`) and the gate spec. Out: the items with
  `mark` / `why` / `marked_by="auto"`:
  gates are re-run (`gates.run_gates`); a missing must-include phrase is addressed once present, a banned one once
  gone; an edit is addressed when the revision kept it (the human's words still there as often as in the text it
  was given, the AI's words not back), not addressed when the AI's words came back or an addition was dropped,
  unclear when that spot was rewritten; notes, scores, instructions and answers are `unclear` until ticked.
  Dropped items stay unmarked.
- `tick(items, item_id, addressed, reviewer)` — a reviewer's verdict on one item (any item may be overruled).
- `feedback_share(rows)` — `SentItem` rows (model, prompt_version, mark; one per item sent, the revision that was sent it
  gives model and prompt version) → one dict per (model, prompt_version): items, addressed, not_addressed,
  unclear, unmarked, share = addressed / (addressed + not_addressed), None when nothing is decided.
- `format_feedback_share(stats)` — lines for `hitl stats` and the statistics screen.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from ..gates import PASS, GateSpec, phrase_re, run_gates
from .edits import TOKEN_RE
from .feedback import ADDRESSED, NOT_ADDRESSED, UNCLEAR, FeedbackItem

FUZZY_TOKENS = 8  # an added passage this long counts as kept when it survives lightly reworded
FUZZY_SCORE = 90


def phrase_count(phrase: str, text: str) -> int:
    """How often a phrase occurs as whole words, ignoring case and how it is spaced or wrapped."""
    toks = [re.escape(m.group()) for m in TOKEN_RE.finditer(phrase)]
    if not toks:
        return 0
    pattern = re.compile(r"(?<!\w)" + r"\s*".join(toks) + r"(?!\w)", re.IGNORECASE)
    return len(pattern.findall(text))


def _present(phrase: str, text: str) -> int:
    n = phrase_count(phrase, text)
    if n or len(TOKEN_RE.findall(phrase)) < FUZZY_TOKENS:
        return n
    from rapidfuzz import fuzz

    return int(fuzz.partial_ratio(" ".join(phrase.lower().split()), " ".join(text.lower().split())) >= FUZZY_SCORE)


def _mark_edit(item: FeedbackItem, previous: str, revised: str) -> tuple[str, str]:
    before, after = item.before, item.after
    if before and phrase_count(before, revised) > phrase_count(before, previous):
        return NOT_ADDRESSED, f"“{_clip(before)}” is back"
    if not after or _present(after, revised) >= max(1, _present(after, previous)):
        return ADDRESSED, f"“{_clip(before)}” stays out" if not after else f"“{_clip(after)}” kept"
    if not before:
        return NOT_ADDRESSED, f"“{_clip(after)}” was dropped"
    return UNCLEAR, "that passage was rewritten"


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _mark_gate(item: FeedbackItem, revised: str, results: dict) -> tuple[str, str]:
    if item.phrase and item.gate == "must_include":
        found = phrase_re(item.phrase).search(revised)
        return (ADDRESSED, f"“{item.phrase}” present") if found else (NOT_ADDRESSED, f"“{item.phrase}” missing")
    if item.phrase and item.gate == "banned":
        found = phrase_re(item.phrase).search(revised)
        return (NOT_ADDRESSED, f"still uses “{item.phrase}”") if found else (ADDRESSED, f"“{item.phrase}” gone")
    result = results.get(item.gate)
    if result is None:
        return UNCLEAR, "that check no longer runs"
    return (ADDRESSED, "check passes") if result.status == PASS else (NOT_ADDRESSED, result.message)


def mark_items(items: Iterable[FeedbackItem], *, previous: str, revised: str, spec: GateSpec) -> list[FeedbackItem]:
    """Each item sent to revision N+1 with its automatic mark."""
    results = {r.id: r for r in run_gates(revised, spec)}
    out = []
    for item in items:
        if item.dropped:
            out.append(item)
            continue
        if item.kind == "gate":
            mark, why = _mark_gate(item, revised, results)
        elif item.kind == "edit":
            mark, why = _mark_edit(item, previous, revised)
        else:
            mark, why = UNCLEAR, "for the reviewer to tick"
        out.append(replace(item, mark=mark, why=why, marked_by="auto"))
    return out


def tick(items: Iterable[FeedbackItem], item_id: str, addressed: bool, reviewer: str) -> list[FeedbackItem]:
    """The list with one item ticked by a reviewer as addressed or not addressed."""
    mark = ADDRESSED if addressed else NOT_ADDRESSED
    return [replace(i, mark=mark, why=f"ticked by {reviewer}", marked_by=reviewer) if i.id == item_id else i
            for i in items]


@dataclass(frozen=True, slots=True)
class SentItem:
    """One feedback item sent (not dropped) to a finished revise (`Store.feedback_rows`), with its mark."""

    model: str | None
    prompt_version: str | None
    mark: str | None  # None: not marked yet


def feedback_share(rows: Iterable[SentItem]) -> list[dict]:
    """Share of feedback addressed per model and prompt version (dropped items are not rows)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("items", ADDRESSED, NOT_ADDRESSED, UNCLEAR, "unmarked"), 0))
    for row in rows:
        c = counts[(row.model or "", row.prompt_version or "")]
        c["items"] += 1
        c[row.mark if row.mark in (ADDRESSED, NOT_ADDRESSED, UNCLEAR) else "unmarked"] += 1
    out = []
    for (model, version), c in sorted(counts.items()):
        decided = c[ADDRESSED] + c[NOT_ADDRESSED]
        out.append({"model": model, "prompt_version": version, **c,
                    "share": round(c[ADDRESSED] / decided, 3) if decided else None})
    return out


def format_feedback_share(stats: list[dict]) -> list[str]:
    lines = ["Feedback addressed:"]
    for s in stats:
        share = "—" if s["share"] is None else f"{s['share'] * 100:.0f}%"
        lines.append(f"  {s['model']:<28} {s['prompt_version'] or '—':<6} {share:>4}   ({s[ADDRESSED]} of "
                     f"{s[ADDRESSED] + s[NOT_ADDRESSED]} decided; {s[UNCLEAR]} unclear)")
    return lines if stats else lines + ["  —"]

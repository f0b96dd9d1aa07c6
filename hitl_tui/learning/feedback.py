"""Tracked feedback: the items a revision is sent, collected from a variant's state and rendered into the prompt.

Core module (pure). What it takes and gives:

- `collect_feedback(...)` — in: the current text's gate results (`gates.run_gates`), the spec they ran under, the
  reviewer's scores ({dimension: 1..5}) and the rubric (`Config.rubric`), the note typed with `o`, the last AI
  text and the current text (their difference is the human's edits), the instruction typed at revise, experts'
  answers. Out: `FeedbackItem`s, one per failed gate (one per missing must-include phrase and per banned phrase
  used), low score, note, edit, instruction and answer.
- `plan_revision(collected, previous, previous_number)` — the items to send: what was collected now plus what the
  last revision left not addressed (carry-over), without resending a note, score or answer already ticked as
  addressed.
- `render_feedback(items)` — the "## Reviewer feedback" lines; dropped items are not sent.
- `drop(items, id)` — the list with one item dropped (not sent, kept for the history) or put back.
- `feedback_payload(items)` — the JSON for `revisions.feedback`: {"items": [...]} plus the legacy keys (note,
  failed_gates, low_scores, edited) the revision history reads today.
- `FeedbackItem.to_dict()` / `FeedbackItem.from_dict()` — one item as JSON.

Marking after the revision streams lives in `marking.py`. Each rendered line starts with a fixed prefix
(`PREFIXES`) so the offline drafter can recognise what it is asked.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Iterable

from ..gates import FAIL, GateResult, GateSpec, phrase_re
from .edits import edit_hunks

KINDS = ("gate", "score", "note", "edit", "instruction", "answer")
ADDRESSED, NOT_ADDRESSED, UNCLEAR = "addressed", "not_addressed", "unclear"
MARKS = (ADDRESSED, NOT_ADDRESSED, UNCLEAR)
# Items a reviewer judges (ticks) rather than the text: they stay in the variant's state across revisions.
TICKED_KINDS = {"score", "note", "instruction", "answer"}
LOW_SCORE = 2  # a score at or below this is feedback
EDIT_CHARS = 400  # longest side of an edit quoted in the prompt

PREFIXES = {
    "gate": "Failed check:", "score": "Low score:", "note": "Note from the reviewer:",
    "instruction": "Instruction from the reviewer:", "edit": "Keep the reviewer's edit:", "answer": "Answer from",
}
CARRIED_SUFFIX = " (asked before and not yet done)"


@dataclass
class FeedbackItem:
    """One thing a revision is asked to do. Only the fields of its kind are set."""
    id: str  # stable within a variant: the same failing gate, score, note or edit gives the same id
    kind: str  # one of KINDS
    ask: str  # what the revise prompt asks the model, without the bullet
    gate: str = ""  # gate: the gate id ("max_chars", "banned", "rule:…")
    phrase: str = ""  # gate: the must-include phrase missing / the banned phrase used
    label: str = ""  # gate: its label; score: the dimension's label
    message: str = ""  # gate: the result's message
    source: str = ""  # gate: which brief field or config entry asked for it
    dimension: str = ""  # score
    value: int | None = None  # score: 1..5
    rubric_low: str = ""  # score: the rubric's words for 1
    rubric_high: str = ""  # score: the rubric's words for 5
    before: str = ""  # edit: the AI's words
    after: str = ""  # edit: the human's words
    text: str = ""  # note / instruction / answer
    by: str = ""  # answer: who answered
    role: str = ""  # answer: the role they were asked as
    dropped: bool = False  # the reviewer took it off the list before sending
    mark: str | None = None  # after the revision: addressed / not_addressed / unclear
    why: str = ""  # what the mark rests on ("gate passes", "“utilize” is back")
    marked_by: str = ""  # "auto" or the reviewer who ticked it
    carried_from: int | None = None  # the revision number it was first sent with, when carried over

    def to_dict(self) -> dict:
        defaults = {f.name: f.default for f in fields(self)}
        return {k: v for k, v in asdict(self).items() if k in ("id", "kind", "ask") or v != defaults[k]}

    @classmethod
    def from_dict(cls, data: dict) -> FeedbackItem:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _short_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


def _quote(text: str, limit: int = EDIT_CHARS) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


# ---------------------------------------------------------------- making items

def gate_items(results: Iterable[GateResult], spec: GateSpec | None, text: str) -> list[FeedbackItem]:
    """One item per failed gate; must-include and banned split into one item per phrase (each is checked alone)."""
    items = []
    for r in results:
        if r.status != FAIL:
            continue
        if spec is not None and r.id == "must_include":
            missing = [p for p in spec.must_include if not phrase_re(p).search(text)]
            items += [FeedbackItem(f"gate:must_include:{p.lower()}", "gate", f"{r.label} “{p}” — it is missing "
                                   f"({r.source})", gate=r.id, phrase=p, label=r.label, message=r.message,
                                   source=r.source) for p in missing]
            if missing:
                continue
        if spec is not None and r.id == "banned":
            used = [p for p in spec.banned if phrase_re(p).search(text)]
            items += [FeedbackItem(f"gate:banned:{p.lower()}", "gate", f"{r.label} — remove “{p}” ({r.source})",
                                   gate=r.id, phrase=p, label=r.label, message=r.message, source=r.source)
                      for p in used]
            if used:
                continue
        items.append(FeedbackItem(f"gate:{r.id}", "gate", f"{r.label} — {r.message} ({r.source})", gate=r.id,
                                  label=r.label, message=r.message, source=r.source))
    return items


def score_item(dimension: str, value: int, rubric: dict[str, dict[str, str]] | None = None) -> FeedbackItem:
    dim = (rubric or {}).get(dimension, {})
    low, high = dim.get("one", ""), dim.get("five", "")
    ask = f"{dimension} {value}/5"
    if low or high:
        ask += " — " + "; ".join(s for s in (f"1 means “{low}”" if low else "",
                                               f"aim for 5: “{high}”" if high else "") if s)
    return FeedbackItem(f"score:{dimension}:{value}", "score", ask, dimension=dimension, value=value,
                        label=dim.get("label", dimension), rubric_low=low, rubric_high=high)


def note_item(text: str, kind: str = "note") -> FeedbackItem:
    """The reviewer's note (`o`) or, with kind="instruction", what they typed when asking for the revision."""
    text = text.strip()
    return FeedbackItem(f"{kind}:{_short_hash(text)}", kind, text, text=text)


def edit_item(before: str, after: str) -> FeedbackItem:
    if before and after:
        ask = f"{_quote(before)} → {_quote(after)}"
    elif before:
        ask = f"delete {_quote(before)}"
    else:
        ask = f"add {_quote(after)}"
    return FeedbackItem(f"edit:{_short_hash(before, after)}", "edit", ask, before=before, after=after)


def answer_item(by: str, text: str, role: str = "") -> FeedbackItem:
    text = text.strip()
    who = f"{by} ({role})" if role else by
    return FeedbackItem(f"answer:{_short_hash(by, role, text)}", "answer", f"{who}: {text}", text=text, by=by,
                        role=role)


@dataclass
class Answer:
    """An expert's answer to a question about the variant (issue 13)."""
    by: str
    text: str
    role: str = ""


def collect_feedback(*, gates: Iterable[GateResult] = (), spec: GateSpec | None = None,
                     scores: dict[str, int] | None = None, rubric: dict[str, dict[str, str]] | None = None,
                     note: str = "", ai_text: str = "", text: str = "", instruction: str = "",
                     answers: Iterable[Answer] = (), low_score: int = LOW_SCORE) -> list[FeedbackItem]:
    """Every item the variant's state gives, in the order a reviewer reads them: what they typed first, then
    answers, failed gates, low scores and their edits (AI text → current text, a rewritten sentence is one edit)."""
    items = []
    if instruction.strip():
        items.append(note_item(instruction, "instruction"))
    if note.strip():
        items.append(note_item(note))
    items += [answer_item(a.by, a.text, a.role) for a in answers if a.text.strip()]
    items += gate_items(gates, spec, text)
    items += [score_item(d, v, rubric) for d, v in (scores or {}).items() if v <= low_score]
    if ai_text and text and ai_text != text:
        items += [edit_item(h.before, h.after) for h in edit_hunks(ai_text, text, merge_gap=2)]
    return _unique(items)


def _unique(items: Iterable[FeedbackItem]) -> list[FeedbackItem]:
    seen: dict[str, FeedbackItem] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())


# ---------------------------------------------------------------- the next revise

def carry_over(previous: Iterable[FeedbackItem], previous_number: int) -> list[FeedbackItem]:
    """Items the last revision left not addressed, ready to send again (unmarked, remembering when first sent)."""
    return [replace(i, mark=None, why="", marked_by="",
                    carried_from=i.carried_from if i.carried_from is not None else previous_number)
            for i in previous if i.mark == NOT_ADDRESSED and not i.dropped]


def plan_revision(collected: Iterable[FeedbackItem], previous: Iterable[FeedbackItem] = (),
                  previous_number: int | None = None) -> list[FeedbackItem]:
    """What the next revise sends: carried-over items first, then the newly collected ones. An item collected
    again keeps its carry-over history; a note, score or answer the reviewer ticked as addressed is not resent
    while it is unchanged (it stays in the variant's state until they change it)."""
    previous = list(previous)
    carried = {i.id: i for i in carry_over(previous, previous_number or 0)}
    settled = {i.id for i in previous if i.mark == ADDRESSED and i.kind in TICKED_KINDS}
    out = list(carried.values())
    for item in collected:
        if item.id in carried:
            out[out.index(carried[item.id])] = replace(item, carried_from=carried[item.id].carried_from)
        elif item.id not in settled:
            out.append(item)
    return _unique(out)


# ---------------------------------------------------------------- into the prompt and the log

def render_line(item: FeedbackItem) -> str:
    prefix = PREFIXES[item.kind]
    line = f"{prefix} {item.ask}"
    return line + (CARRIED_SUFFIX if item.carried_from is not None else "")


def render_feedback(items: Iterable[FeedbackItem]) -> str:
    """The "## Reviewer feedback" section's body: one "- " line per item that was not dropped."""
    lines = [f"- {render_line(i)}" for i in items if not i.dropped]
    return "\n".join(lines) or "- Make it sharper and closer to the brief."


def feedback_payload(items: Iterable[FeedbackItem]) -> dict:
    """`revisions.feedback` JSON: every item (dropped ones too, for the history) and the legacy summary keys."""
    items = list(items)
    sent = [i for i in items if not i.dropped]
    return {
        "items": [i.to_dict() for i in items],
        "note": "\n".join(i.text for i in sent if i.kind in ("instruction", "note")),
        "failed_gates": [i.ask for i in sent if i.kind == "gate"],
        "low_scores": {i.dimension: i.value for i in sent if i.kind == "score"},
        "edited": any(i.kind == "edit" for i in sent),
    }


def items_from_payload(payload: dict | None) -> list[FeedbackItem]:
    """The items a stored revision was sent (none for a revision logged before items existed)."""
    return [FeedbackItem.from_dict(d) for d in (payload or {}).get("items", [])]


def drop(items: Iterable[FeedbackItem], item_id: str, dropped: bool = True) -> list[FeedbackItem]:
    """The list with one item dropped (or put back) by the reviewer before sending."""
    return [replace(i, dropped=dropped) if i.id == item_id else i for i in items]

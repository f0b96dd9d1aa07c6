"""Fine-tuning export rows: dpo, kto, sft and openai-preference, each row with its provenance under `meta`.

Core module: no UI, no store, no file I/O (the CLI writes what `to_jsonl` returns).

Inputs: `pairs.Pair`s (explicit and implicit) for the preference formats, `pairs.Variant`s for kto and sft. A text's
prompt is the chat messages its model was sent (`Side.messages` / `Variant.messages`: system, user); a row whose
prompt is unknown is skipped and counted, never written with a made-up prompt.

Formats (one JSON object a line):

- `dpo` — TRL's conversational preference format: `prompt` (the messages), `chosen` and `rejected` (each a list
  with one assistant message). The prompt is the one the chosen text's model was sent; `meta.same_prompt` says
  whether the rejected text came from the very same messages (true for edit pairs; variants differ by angle).
- `kto` — TRL's unpaired preference format: `prompt`, `completion` (one assistant message), `label`: true for an
  approved text (the human's final text when they edited it), false for a rejected variant's AI text.
- `sft` — `messages`: the prompt's system and user messages, then the approved final text as the assistant.
- `openai-preference` — OpenAI's preference (DPO) fine-tuning JSONL: `input.messages`, `preferred_output` and
  `non_preferred_output` (each a list with one assistant message).

Ties give no preference row. `meta` (every format): brief, brief_version, kind, reviewer, time, models, prompt
versions, scores, draft and revision ids, and `prompt_source`: "logged" (the messages as sent) or "rebuilt" (re-made
from the brief and templates for a log older than message logging). Filters (`ExportFilter`): one reviewer, a time range, explicit pairs only
(for the pair formats; kto and sft rows come from decisions, not pairs, so that filter does not apply to them).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .pairs import EXPLICIT, Pair, Side, Variant

PAIR_FORMATS = ("dpo", "openai-preference")
VARIANT_FORMATS = ("kto", "sft")
FORMATS = PAIR_FORMATS + VARIANT_FORMATS


@dataclass(slots=True, frozen=True)
class ExportFilter:
    """reviewer: keep only this reviewer's judgments; since (inclusive) / until (exclusive): epoch seconds of the
    judgment (`day_range` turns dates into these); explicit_only: only compare-view picks (pair formats)."""
    reviewer: str | None = None
    since: float | None = None
    until: float | None = None
    explicit_only: bool = False

    def keeps(self, reviewer: str | None, ts: float | None, kind: str | None = None) -> bool:
        if self.reviewer is not None and reviewer != self.reviewer:
            return False
        if self.since is not None and (ts is None or ts < self.since):
            return False
        if self.until is not None and (ts is None or ts >= self.until):
            return False
        return not (self.explicit_only and kind is not None and kind != EXPLICIT)


@dataclass(slots=True)
class Export:
    """rows: the JSON objects to write; skipped: reason → how many candidates were left out."""
    rows: list[dict] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def day_range(since: str | date | None, until: str | date | None,
              tz: tzinfo = timezone.utc) -> tuple[float | None, float | None]:
    """Dates (YYYY-MM-DD, both inclusive) → (since, until) epoch seconds for `ExportFilter`."""
    def start_of(day: str | date) -> float:
        d = date.fromisoformat(day) if isinstance(day, str) else day
        return datetime.combine(d, time(), tz).timestamp()

    def day_after(day: str | date) -> date:
        return (date.fromisoformat(day) if isinstance(day, str) else day) + timedelta(days=1)

    return (start_of(since) if since else None), (start_of(day_after(until)) if until else None)


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds") if ts is not None else None


def _messages(messages: Iterable[Mapping[str, str]]) -> list[dict]:
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def _assistant(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def _pair_meta(pair: Pair) -> dict:
    chosen, rejected = pair.winner, pair.loser

    def both(get) -> dict:
        return {"chosen": get(chosen), "rejected": get(rejected)}

    return {"brief": pair.brief, "brief_version": pair.brief_version, "kind": pair.kind, "reviewer": pair.reviewer,
            "time": _iso(pair.ts), "models": both(lambda s: s.model),
            "prompt_versions": both(lambda s: s.prompt_version), "authors": both(lambda s: s.author),
            "scores": both(lambda s: dict(s.scores)), "draft_ids": both(lambda s: s.draft_id),
            "revision_ids": both(lambda s: s.revision_id),
            "same_prompt": _messages(chosen.messages) == _messages(rejected.messages),
            "prompt_source": chosen.prompt_source}


def _usable_pairs(pairs: Iterable[Pair], filt: ExportFilter, out: Export) -> Iterable[tuple[Pair, Side, Side]]:
    for pair in pairs:
        if not filt.keeps(pair.reviewer, pair.ts, pair.kind):
            out.skipped["filtered"] += 1
        elif pair.tie:
            out.skipped["tie"] += 1
        elif not pair.winner.messages:
            out.skipped["prompt unknown"] += 1
        elif pair.winner.text.strip() == pair.loser.text.strip():
            out.skipped["same text"] += 1
        else:
            yield pair, pair.winner, pair.loser


def dpo_rows(pairs: Iterable[Pair], filt: ExportFilter = ExportFilter()) -> Export:
    out = Export()
    for pair, chosen, rejected in _usable_pairs(pairs, filt, out):
        out.rows.append({"prompt": _messages(chosen.messages), "chosen": _assistant(chosen.text),
                         "rejected": _assistant(rejected.text), "meta": _pair_meta(pair)})
    return out


def openai_preference_rows(pairs: Iterable[Pair], filt: ExportFilter = ExportFilter()) -> Export:
    out = Export()
    for pair, chosen, rejected in _usable_pairs(pairs, filt, out):
        out.rows.append({"input": {"messages": _messages(chosen.messages)},
                         "preferred_output": _assistant(chosen.text),
                         "non_preferred_output": _assistant(rejected.text), "meta": _pair_meta(pair)})
    return out


def _variant_meta(v: Variant, kind: str) -> dict:
    return {"brief": v.brief, "brief_version": v.brief_version, "kind": kind, "reviewer": v.reviewer,
            "time": _iso(v.decided_at), "model": v.model, "prompt_version": v.prompt_version,
            "scores": dict(v.scores), "draft_id": v.draft_id,
            "revision_id": v.final_revision_id if kind != "rejected" else v.ai_revision_id,
            "decision": v.decision, "prompt_source": v.prompt_source}


def _usable_variants(variants: Iterable[Variant], filt: ExportFilter, out: Export,
                     rejected_too: bool) -> Iterable[Variant]:
    for v in variants:
        if not (v.approved or (rejected_too and v.decision == "reject")):
            out.skipped["undecided" if v.decision is None else "not approved"] += 1
        elif not filt.keeps(v.reviewer, v.decided_at):
            out.skipped["filtered"] += 1
        elif not v.messages:
            out.skipped["prompt unknown"] += 1
        else:
            yield v


def kto_rows(variants: Iterable[Variant], filt: ExportFilter = ExportFilter()) -> Export:
    out = Export()
    for v in _usable_variants(variants, filt, out, rejected_too=True):
        if v.approved:
            text, label, kind = v.final_text, True, "human_final" if v.edited else "approved"
        else:
            text, label, kind = v.ai_text, False, "rejected"
        out.rows.append({"prompt": _messages(v.messages), "completion": _assistant(text), "label": label,
                         "meta": _variant_meta(v, kind)})
    return out


def sft_rows(variants: Iterable[Variant], filt: ExportFilter = ExportFilter()) -> Export:
    out = Export()
    for v in _usable_variants(variants, filt, out, rejected_too=False):
        out.rows.append({"messages": _messages(v.messages) + _assistant(v.final_text),
                         "meta": _variant_meta(v, "human_final" if v.edited else "approved")})
    return out


def build(fmt: str, *, pairs: Iterable[Pair] = (), variants: Iterable[Variant] = (),
          filt: ExportFilter = ExportFilter()) -> Export:
    """One entry point for `hitl export --format F`: the pair formats read pairs, kto and sft read variants."""
    builders = {"dpo": dpo_rows, "openai-preference": openai_preference_rows, "kto": kto_rows, "sft": sft_rows}
    if fmt not in builders:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return builders[fmt](pairs if fmt in PAIR_FORMATS else variants, filt)


def to_jsonl(rows: Iterable[dict], *, meta: bool = True) -> str:
    """JSON lines (UTF-8 text kept as is). meta=False drops the provenance key for a trainer that refuses extras."""
    return "".join(json.dumps(r if meta else {k: v for k, v in r.items() if k != "meta"}, ensure_ascii=False) + "\n"
                   for r in rows)

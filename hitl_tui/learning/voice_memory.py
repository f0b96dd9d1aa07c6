"""Voice memory: approved pieces of the same channel and voice as examples, plus the learned lines, for prompts.

Core module (pure). What it takes and gives:

- `ApprovedPiece` — one approved text with its id (the approved revision's id: that is what a draft records),
  brief, channel, voice, mean score (1..5, None if unscored), optional published performance (any number where
  higher is better, e.g. a click rate; None until results exist) and when it was approved.
- `choose_examples(pieces, channel=, voice=, k=, token_budget=, ...)` — up to k pieces of that channel and voice,
  best first, whose rendered section fits the token budget. Best = the score (scaled 0..1); once any candidate
  has a performance number, each candidate's performance rank among those that have one (0..1) is blended in
  with `performance_weight` (a piece without results yet counts as middling, 0.5). Ties: newer first. A piece too
  long for what is left of the budget is skipped and the next one tried. The brief being drafted is excluded.
- `build_memory(pieces, lines, brief_name=, channel=, voice=, settings=)` — a `VoiceMemory`: the examples, the
  learned lines (`rules_file.prompt_lines`) and `example_ids` to store with the draft; `render()` gives the prompt
  sections (empty string when there is nothing to say).
- `LearningSettings` / `parse_learning(table, file)` — the `[learning]` table of hitl.toml with one-line errors.

Prompt sections (read by the offline drafter; headings are fixed, see `LINES_HEADING` / `EXAMPLES_HEADING`):

    ## Learned rules
    - Never write “utilize”; write “use”.

    ## Approved examples
    ### Example 1 (email, score 4.6)
    > Subject: …
    > Hi there, …

Every line of an example is quoted with "> " so no example line can pass for a heading or a "Field:" line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .settings import LearningSettings, parse_learning  # noqa: F401 (re-exported)

LINES_HEADING = "## Learned rules"
EXAMPLES_HEADING = "## Approved examples"


def estimate_tokens(text: str) -> int:
    """About four characters a token for English prose (no tokenizer in the core; the drafting service may pass
    litellm's counter instead)."""
    return math.ceil(len(text) / 4)


@dataclass
class ApprovedPiece:
    """An approved piece that may be shown to the model as an example of the voice."""
    id: int | str  # the approved revision's id
    text: str
    brief: str = ""
    channel: str = ""
    voice: str = ""  # "" means the default voice
    score: float | None = None  # mean of the rubric scores, 1..5
    performance: float | None = None  # published result, higher is better
    approved_at: float = 0.0


def _same(a: str, b: str, default: str = "") -> bool:
    return (a or default).strip().lower() == (b or default).strip().lower()


def _ranked(pieces: list[ApprovedPiece], performance_weight: float) -> list[ApprovedPiece]:
    with_perf = sorted({p.performance for p in pieces if p.performance is not None})
    perf_rank = {v: (i / (len(with_perf) - 1) if len(with_perf) > 1 else 1.0) for i, v in enumerate(with_perf)}

    def merit(p: ApprovedPiece) -> float:
        score = (p.score - 1) / 4 if p.score is not None else 0.0
        if not with_perf:
            return score
        perf = perf_rank[p.performance] if p.performance is not None else 0.5  # no results yet: middling
        return (1 - performance_weight) * score + performance_weight * perf

    return sorted(pieces, key=lambda p: (-merit(p), -p.approved_at, str(p.id)))


def example_block(n: int, piece: ApprovedPiece) -> str:
    about = [piece.channel] if piece.channel else []
    if piece.score is not None:
        about.append(f"score {piece.score:.1f}")
    head = f"### Example {n}" + (f" ({', '.join(about)})" if about else "")
    body = "\n".join(f"> {line}".rstrip() for line in piece.text.strip().splitlines())
    return f"{head}\n{body}"


def choose_examples(pieces: Iterable[ApprovedPiece], *, channel: str, voice: str = "", k: int = 3,
                    token_budget: int = 1200, exclude_brief: str = "", performance_weight: float = 0.5,
                    count_tokens: Callable[[str], int] = estimate_tokens) -> list[ApprovedPiece]:
    if k <= 0 or token_budget <= 0:
        return []
    seen_texts: set[str] = set()
    candidates = []
    for p in pieces:
        key = " ".join(p.text.split()).lower()
        if (p.text.strip() and _same(p.channel, channel) and _same(p.voice, voice, "default")
                and not (exclude_brief and p.brief == exclude_brief) and key not in seen_texts):
            seen_texts.add(key)
            candidates.append(p)
    chosen: list[ApprovedPiece] = []
    used = count_tokens(EXAMPLES_HEADING)
    for p in _ranked(candidates, performance_weight):
        cost = count_tokens(example_block(len(chosen) + 1, p)) + 1
        if used + cost <= token_budget:
            chosen.append(p)
            used += cost
            if len(chosen) == k:
                break
    return chosen


@dataclass
class VoiceMemory:
    """What a draft's prompt is given from what the team approved: examples and learned lines."""
    examples: list[ApprovedPiece] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # learned rules and voice lines, as the prompt says them

    @property
    def example_ids(self) -> list[int | str]:
        """What to store with the draft: the approved revisions it was shown."""
        return [p.id for p in self.examples]

    def render(self) -> str:
        parts = []
        if self.lines:
            parts.append(LINES_HEADING + "\n" + "\n".join(f"- {line}" for line in self.lines))
        if self.examples:
            parts.append(EXAMPLES_HEADING + "\n" + "\n\n".join(example_block(i + 1, p)
                                                               for i, p in enumerate(self.examples)))
        return "\n\n".join(parts)

    def to_dict(self) -> dict:
        return {"examples": self.example_ids, "lines": list(self.lines)}


def build_memory(pieces: Iterable[ApprovedPiece], lines: Iterable[str] = (), *, brief_name: str = "",
                 channel: str, voice: str = "", settings: LearningSettings | None = None,
                 count_tokens: Callable[[str], int] = estimate_tokens) -> VoiceMemory:
    s = settings or LearningSettings()
    examples = choose_examples(pieces, channel=channel, voice=voice, k=s.examples, token_budget=s.example_tokens,
                               exclude_brief=brief_name, performance_weight=s.performance_weight,
                               count_tokens=count_tokens)
    return VoiceMemory(examples, [line for line in lines if line.strip()])

"""What a revise sends: the feedback items proposed for a variant when a reviewer presses `r`.

`proposed_items(store, config, brief, draft_id, instruction=...)` collects the variant's state as it is now — the
failed gates of its current text (under `config`, learned rules included), the reviewer's low scores with the
rubric's words, the note typed with `o`, the instruction typed at revise, experts' answers to questions on the
variant (`team.experts.expert_answers`), and each human edit of
the last AI text — and puts first what the last revision left not addressed (carry-over; a revise that never
finished carries everything it was sent). The caller shows the list, lets the reviewer drop items
(`learning.feedback.drop`) and sends it: `engine.revise(draft, brief, text, items)`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from ..gates import gate_spec, run_gates
from ..learning.feedback import NOT_ADDRESSED, Answer, FeedbackItem, collect_feedback, plan_revision
from ..store import StoreError

if TYPE_CHECKING:
    from ..briefs import Brief
    from ..config import Config
    from ..store import Store


async def proposed_items(store: Store, config: Config, brief: Brief, draft_id: int, *, instruction: str = "",
                         text: str | None = None, answers: Iterable[Answer] | None = None) -> list[FeedbackItem]:
    """The items to send with the next revision of a variant, carried-over ones first. `text`: the text the reviewer
    has now, if the caller holds a newer one than the log (default: the latest revision shown); `answers`: default,
    every expert's answer on the variant."""
    draft = await store.draft(draft_id, with_revisions=True)
    if draft is None or not draft.revisions:
        raise StoreError(f"no draft {draft_id}")
    ai_done = draft.latest_finished_ai
    current = draft.shown.text if text is None else text
    if answers is None:
        from ..team.experts import expert_answers

        answers = await expert_answers(store, config, draft_id)
    spec = gate_spec(config, brief)
    collected = collect_feedback(
        gates=run_gates(current, spec), spec=spec, scores=await store.scores(draft_id), rubric=config.rubric,
        note=await store.note(draft_id), ai_text=ai_done.text if ai_done else "", text=current,
        instruction=instruction, answers=answers, low_score=config.learning.low_score)
    last, previous = await store.last_feedback(draft_id)
    if last is not None and last.status != "done":
        previous = [replace(i, mark=NOT_ADDRESSED, why="that revision did not finish") for i in previous]
    return plan_revision(collected, previous, last.number if last else None)

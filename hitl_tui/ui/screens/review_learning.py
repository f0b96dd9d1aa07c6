"""The station's side of issue 12: revise through the feedback list (`r`), what a revision addressed (`f`), learned
rules (`L`), and the learning line in the details.

Functions of the `ReviewScreen`, which calls them from its actions and its details loading: the views do the work
(`revise.py`, `feedback.py`, `rules.py`); this opens them for the focused variant and brings back what they
changed — the learning line (what the last revise addressed, the examples and learned rules the text was given)
and, once a rule is accepted, the open brief's gates.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.text import Text


if TYPE_CHECKING:
    from ...store.report_rows import RevisionHistory
    from .review import ReviewScreen


async def learning_summary(store, draft_id: int, feedback_key: str = "f") -> Text:
    """"r2 feedback 2 ✓ 1 ✗ 3 ? (f) · given 2 examples, 2 learned rules" — the latest AI revision of a variant, as
    one line for the details panel (empty before any)."""
    from ..widgets.feedback_items import short_tally

    rev, items = await store.last_feedback(draft_id)
    if rev is None:
        return Text()
    t = Text()
    if items:
        t.append(f"r{rev.number} feedback ", style="bold")
        t.append(short_tally(items) + f" ({feedback_key})")
    memory = json.loads(rev.examples) if rev.examples else {}
    n, lines = len(memory.get("examples", [])), len(memory.get("lines", []))
    if n or lines:  # a draft given nothing says nothing (the history and f say "no approved examples")
        t.append(" · " if items else "")
        t.append(f"given {n} example{'s' if n != 1 else ''}, {lines} learned rule{'s' if lines != 1 else ''}",
                 style="dim")
    return t


async def revision_details(screen: ReviewScreen) -> dict[int, RevisionHistory]:
    """The focused variant's revisions with their feedback items, marks and voice memory, by revision id (the
    history, the diff and `f` show them)."""
    state = screen.current_state
    if state is None or screen.claimed_id is None:
        return {}
    history = await screen.app.store.brief_history(screen.claimed_id)
    variant = next((v for v in history if v.draft_id == state.draft_id), None)
    return {r.revision_id: r for r in variant.revisions} if variant else {}


async def load_learning(screen: ReviewScreen) -> None:
    state = screen.current_state if screen.live else None
    if state is None:
        return
    line = await learning_summary(screen.app.store, state.draft_id, screen.app.config.keys.get("feedback", "f"))
    if screen.live and screen.current_state is state:
        screen.learning = line
        screen.update_details()


def refresh_learning(screen: ReviewScreen, draft_id: int, done: bool = False) -> None:
    """After a stream of the focused variant ends: the learning line again and, for a finished revise, a word on
    what it addressed."""
    state = screen.current_state
    if state is None or draft_id != state.draft_id:
        return
    screen.run_worker(_after(screen, draft_id, done), group="learning", exclusive=True, exit_on_error=False)


async def _after(screen: ReviewScreen, draft_id: int, done: bool) -> None:
    try:
        await load_learning(screen)
        rev, items = await screen.app.store.last_feedback(draft_id)
    except Exception as exc:
        from ..guard import report

        report(screen.app, "learning line", exc)
        return
    if done and rev is not None and items and rev.status == "done":
        from ..widgets.feedback_items import tally

        key = screen.app.config.keys.get("feedback", "f")
        screen.notify(f"Revision {rev.number}: {tally(items)}. Press {key} to see them and tick notes and scores.",
                      timeout=8)


# ---------------------------------------------------------------- the keys (ReviewScreen's actions call these)

async def revise(screen: ReviewScreen) -> None:
    """`r`: the proposed items in the revise list; what the reviewer keeps (and types) is sent."""
    from ...feedback_loop.revise import proposed_items
    from .review_sync import LIVE
    from .revise import ReviseScreen

    await screen.save_open_edit()
    state = screen.current_state
    if state.status in LIVE:
        screen.notify("Wait for this variant to finish streaming before asking for a revision.", severity="warning")
        return
    app = screen.app
    items = await proposed_items(app.store, app.config, screen.brief, state.draft_id, text=state.text)
    items = await app.push_screen_wait(ReviseScreen(items, f"Revise {state.label}: what the next revision is "
                                                           f"asked to do"))
    if items is None or screen.current_state is not state:
        return
    screen.run_worker(app.engine.revise(screen.drafts[state.draft_id], screen.brief, state.text, items),
                      group=f"draft-{state.draft_id}", exit_on_error=False)
    sent = sum(not i.dropped for i in items)
    screen.notify(f"Revision requested for {state.label} with {sent} feedback item{'s' if sent != 1 else ''}.")


async def feedback(screen: ReviewScreen) -> None:
    """`f`: the items the variant's revises were sent, with their marks, ticked one key each."""
    from .feedback import FeedbackScreen

    state = screen.current_state
    revisions = list((await revision_details(screen)).values())
    if not any(r.items for r in revisions):
        key = screen.app.config.keys.get("revise", "r")
        screen.notify(f"No feedback sent to {state.label} yet: {key} sends it with a revision request.")
        return
    if await screen.app.push_screen_wait(FeedbackScreen(screen.app.store, state.label, revisions)):
        refresh_learning(screen, state.draft_id)


async def rules(screen: ReviewScreen) -> None:
    """`L`: the learned-rules review list; an accepted (or withdrawn) rule gates the open brief at once."""
    from .rules import RulesScreen

    await screen.save_open_edit()
    if await screen.app.push_screen_wait(RulesScreen(screen.app.ws, screen.app.store)):
        apply_learned_gates(screen)


def apply_learned_gates(screen: ReviewScreen) -> None:
    """The open brief's gates under the learned rules as they are now (the workspace's config follows the file)."""
    screen.app.ws.learned_rules()
    from ...gates import gate_spec

    screen.spec = gate_spec(screen.app.config, screen.brief)
    for draft_id, state in screen.states.items():
        state.spec = screen.spec
        state.set_text(state.text)
        pane = screen.pane_for(draft_id)
        if pane is not None and not pane.editing:
            pane.refresh_state(state)
    screen.update_details()


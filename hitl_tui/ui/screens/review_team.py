"""The station's side of issue 13 — the team hooks: approve / sign off (`a`, `A`), ask an expert (`k`), the claims
register (`l`), what waits on me (`w`, where audits and calibration re-shows are answered), triage order (`t`), and
the sign-off stages and questions shown under the gates.

Functions of the `ReviewScreen` (review.py), each called from one of its actions or loaders in a line: the
decisions are `team/`'s (`team.approve.approve`, `team.experts.ask`, `team.claims.*`), never re-implemented here,
so the station and `hitl` scripts agree; the views they open are `ask_expert.py`, `claims.py`, `waiting.py`.
The screen keeps what is shown: `team_text` (stages and questions of the focused variant), `questions_seen`,
`claim_records` (the claims gate's register per variant); this module fills them and calls `update_details()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ...store import AUTO_REVIEWER, StoreError
from ..text import plain

if TYPE_CHECKING:
    from ...approval.signoff import StageStatus
    from ...store import Question
    from ...team.approve import ApprovalResult

# team/ (approval rules, the claims register) loads on the first brief opened, not before the first frame.


async def failing(station) -> list[str]:
    """The required gates failing (claims gate from the register) and required items unticked, for the open
    variant as stored."""
    from ...team.approve import failing_checks
    from ...team.variant import load_variant

    state = station.current_state
    v = await load_variant(station.app.store, station.app.config, state.draft_id)
    return failing_checks(v, v.gates(), await station.app.store.ticks(state.draft_id))


async def approve_anyway(station) -> None:
    """`A`: approve over failing checks, with a reason; the dialog lists what fails (the action runs as a worker)."""
    await station.save_open_edit()
    reason = await station.ask_line(
        "Approve over failing checks: why?", placeholder="e.g. legal signed off the claim",
        detail="\n".join(await failing(station)) or "No required check is failing.")
    if reason:
        await approve_current(station, reason)


async def approve_current(station, reason: str = "") -> ApprovalResult | None:
    """approve / approve anyway on the open variant: signs the stage it waits on, or approves it. Says plainly what
    happened: which stage was signed and what still waits, or where the outbox file went, or why not."""
    from ...team.approve import APPROVED, SIGNED, approve

    state = station.current_state
    if state is None:
        return None
    result = await approve(station.app.store, station.app.ws, state.draft_id, reason=reason)
    if result.gates:
        state.gates = list(result.gates)
    if result.outcome == APPROVED:
        state.decision = (await station.app.store.decisions(state.draft_id))[-1].kind
        station.notify(result.message, markup=False)
    elif result.outcome == SIGNED:
        station.notify(result.message, markup=False, timeout=8)
    elif result.reasons and result.message.startswith("Not approved"):
        station.notify("Not approved. Failing required checks:\n" + "\n".join(f"• {f}" for f in result.reasons) +
                       "\nFix them, or press A to approve anyway with a reason.", severity="error", timeout=8,
                       markup=False)
    else:
        station.notify(result.message, severity="warning", timeout=8, markup=False)
    if station.current_pane is not None:
        station.current_pane.refresh_state()
    if result.outcome in (APPROVED, SIGNED):
        await station.refresh_queue()
        await load_team(station)
    return result


# ---------------------------------------------------------------- what the team said, under the gates

def stage_line(statuses: list[StageStatus]) -> Text:
    """'Sign-off: editor ✓ ana · legal waits (dana)' — and a voided sign-off is named."""
    t = Text()
    t.append("Sign-off: ", style="bold")
    waiting_seen = False
    for n, s in enumerate(statuses):
        if n:
            t.append(" · ", style="dim")
        if s.signed:
            t.append(f"{s.stage} ✓ {plain(s.signed_by)}", style="green")
        else:
            who = ", ".join(s.holders) or "nobody"
            t.append(f"{s.stage} {'waits' if not waiting_seen else 'then'} ({plain(who)})",
                     style="bold yellow" if not waiting_seen else "dim")
            waiting_seen = True
            if s.voided:
                t.append(f" — {plain(s.voided[-1].reviewer)}'s sign-off voided by an edit", style="red")
    return t


def question_lines(questions: list[Question]) -> Text:
    """Each question on the variant: asked of whom, by whom, and its answer (or that it is open)."""
    t = Text()
    for q in questions:
        asked = f"{q.asked_of} ({'role' if q.of_role else 'person'})"
        t.append("\n? ", style="bold cyan")
        t.append(f"{plain(q.asked_by)} → {plain(asked)}: ", style="bold")
        t.append(f"“{plain(q.text)}”")
        if q.status == "open":
            t.append("  open", style="bold yellow")
        for a in q.answers:
            word = {"note": "noted", "approve": "approved", "changes": "asks for changes"}.get(a.kind, a.kind)
            t.append(f"\n  ↳ {plain(a.reviewer)} {word}", style="bold green" if a.kind == "approve" else
                     "bold red" if a.kind == "changes" else "bold")
            if a.text:
                t.append(f": “{plain(a.text)}”")
        if q.status == "withdrawn":
            t.append("  withdrawn", style="dim")
    return t


async def load_team(station) -> None:
    """Stages and questions of the focused variant, shown with its gates (nothing when there is neither)."""
    from ...team.variant import load_variant

    state = station.current_state
    if state is None or station.app.store is None:
        station.team_text = Text()
        return
    try:
        v = await load_variant(station.app.store, station.app.config, state.draft_id)
    except StoreError:  # not in the log yet (its first chunk is on the way)
        return
    questions = await station.app.store.questions_on(state.draft_id)
    decisions = await station.app.store.decisions(state.draft_id)
    if station.current_state is not state:
        return
    decision = decisions[-1].kind if decisions else None
    if decision != state.decision and station.current_pane is not None:  # an expert's answer approved it
        state.decision = decision
        station.current_pane.refresh_state()
    t = Text()
    if v.stages:
        t.append_text(stage_line(v.stage_status()))
    if questions:
        t.append_text(question_lines(questions))
    station.team_text = Text("\n").join(line for line in t.split("\n") if line.plain) if t.plain else Text()
    station.claim_records[state.draft_id] = state.claims = v.records  # sourced elsewhere: the gate follows
    if not (station.current_pane is not None and station.current_pane.editing):
        state.gates = state.check(state.text)
    station.update_details()


async def after_poll(station) -> None:
    """The log changed: a colleague answered, signed or sourced a claim; a question may wait on this person."""
    await load_team(station)
    await tell_new_questions(station)


def edit_voided(station, notice: str) -> None:
    """An edit after a sign-off: the sign-off vouched for other words; say so and show the stages again."""
    station.notify(notice + " They must sign the new text.", severity="warning", timeout=10, markup=False)
    station.run_worker(load_team(station), group="team", exit_on_error=False)


# ---------------------------------------------------------------- keys that open the team's screens

async def people(station) -> list[str]:
    """Everyone who has acted in this workspace's log (so a person without a role can be asked by name)."""
    return sorted(await station.app.store.actors(leave_out=(AUTO_REVIEWER, "")))


def _label(station, draft_id: int) -> str:
    n = station.order.index(draft_id) + 1 if draft_id in station.order else "?"
    return f"{station.current_name} · variant {n}"


async def ask_expert(station) -> None:
    """k: ask a person or a role about the open variant; the question shows under its gates at once."""
    from .ask_expert import AskExpertScreen

    state = station.current_state
    if state is None:
        return
    await station.save_open_edit()

    async def asked(result) -> None:
        if result is not None:
            station.notify(result.message, markup=False)
            await load_team(station)
    await station.app.push_screen(AskExpertScreen(station.app.store, station.app.config, state.draft_id,
                                                  _label(station, state.draft_id), people=await people(station)),
                                  asked)


async def open_claims(station) -> None:
    """l: the open variant's claims register; closing it re-checks the claims gate."""
    from .claims import ClaimsScreen

    state = station.current_state
    if state is None:
        return
    await station.save_open_edit()

    async def closed(changed: bool | None) -> None:
        if changed:
            await load_team(station)
            await station.refresh_queue()
    await station.app.push_screen(ClaimsScreen(station.app.store, station.app.config, state.draft_id,
                                               _label(station, state.draft_id), people=await people(station)),
                                  closed)


async def open_waiting(station) -> None:
    """w: what waits on me. Enter on a row there opens its brief here."""
    from .waiting import WaitingScreen

    await station.save_open_edit()

    async def closed(open_name: str | None) -> None:
        await station.refresh_queue()
        if open_name:
            queue = station.query_one("#queue")
            if queue.row(open_name) is not None and open_name in [r.name for r in queue.visible_rows()]:
                queue.select([r.name for r in queue.visible_rows()].index(open_name))
            await station.open_brief(open_name)
        await load_team(station)
    await station.app.push_screen(WaitingScreen(station.app.store, station.app.ws), closed)


async def toggle_triage(station) -> None:
    """t: the queue in triage order (asked, audit, failing, claims, sign-off, ready, …) with why in one word per
    row; again: back to the usual order."""
    queue = station.query_one("#queue")
    if queue.triage is not None:
        queue.set_triage(None)
        station.notify("Queue in the usual order.")
        return
    await apply_triage(station)
    station.notify("Queue sorted by where a person is needed most (the word on each row says why).")


PERSONAL = ("asked", "audit", "sign-off")  # triage words that wait on one person (or role), not on anyone


async def apply_triage(station, refresh: bool = True) -> None:
    from ...team.queue import build_queue

    rows = await build_queue(station.app.store, station.app.config)
    # "·me" marks what waits on this person in particular (anyone may take a ready brief)
    station.query_one("#queue").set_triage({r.name: (i, r.why, r.mine and r.why in PERSONAL)
                                            for i, r in enumerate(rows)}, refresh=refresh)


async def tell_new_questions(station) -> None:
    """A question asked of this person (or a role they hold) since the station last looked: said once, with the
    key that answers it. At start, how many wait."""
    from ...team.experts import my_questions

    questions = await my_questions(station.app.store, station.app.config)
    seen = station.questions_seen
    station.questions_seen = {q.id for q in questions}
    waiting = station.app.config.keys.get("waiting", "w")
    if seen is None:
        if questions:
            station.notify(f"{len(questions)} question(s) wait on you: press {waiting} to answer.", timeout=10)
        return
    for q in questions:
        if q.id not in seen:
            station.notify(f"{q.asked_by} asks {'you' if not q.of_role else q.asked_of_label()}: “{q.text}” "
                           f"({q.title or q.brief}, variant {q.variant + 1}) — press {waiting} to answer.",
                           timeout=15, markup=False)

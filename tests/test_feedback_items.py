"""Tracked feedback: collecting a variant's items, what the revise prompt says, marking after revision N+1,
reviewer ticks, carry-over to the next revise, and the share addressed per model and prompt version."""

from __future__ import annotations

import json

from hitl_tui.briefs import Brief
from hitl_tui.config import parse_config
from hitl_tui.gates import gate_spec, run_gates
from hitl_tui.learning.feedback import (ADDRESSED, NOT_ADDRESSED, UNCLEAR, Answer, FeedbackItem, collect_feedback,
                                        drop, feedback_payload, items_from_payload, plan_revision, render_feedback)
from hitl_tui.learning.marking import (SentItem, feedback_share, format_feedback_share, mark_items, phrase_count,
                                      tick)
from hitl_tui.offline_copy import compose
from hitl_tui.prompts import Feedback, build_revision_messages

CONFIG = parse_config({})
BRIEF = Brief(name="launch.toml", title="Spring launch", channel="email", cta="Book a demo",
              must_include=["free trial"], banned=["cheap"], brief="Announce the spring release to agency owners.")
SPEC = gate_spec(CONFIG, BRIEF)

AI_TEXT = ("Subject: Spring launch\n\nHi there,\n\nWe utilize a cheap new planner that saves your team time. "
           "It is simple.\n\nBest,\nThe team")
# The reviewer changed "utilize" to "use" and added a sentence; the CTA and "free trial" are still missing.
HUMAN_TEXT = ("Subject: Spring launch\n\nHi there,\n\nWe use a cheap new planner that saves your team time. "
              "It is simple. Agencies plan a month in an hour.\n\nBest,\nThe team")


def _collect(**kw) -> list[FeedbackItem]:
    args = dict(gates=run_gates(HUMAN_TEXT, SPEC), spec=SPEC, scores={"voice": 1, "clarity": 4},
                rubric=CONFIG.rubric, note="Warmer, please", ai_text=AI_TEXT, text=HUMAN_TEXT,
                instruction="Lead with the time saved")
    return collect_feedback(**(args | kw))


def _by_id(items):
    return {i.id: i for i in items}


def test_collect_gives_one_item_per_failure_score_note_edit_and_instruction():
    items = _collect(answers=[Answer("dana", "Say 'up to' before any time saving.", "legal")])
    kinds = [i.kind for i in items]
    assert kinds[:3] == ["instruction", "note", "answer"], "what people typed comes first"
    ids = _by_id(items)
    assert {"gate:must_include:free trial", "gate:banned:cheap", "gate:cta"} <= set(ids)
    assert "score:voice:1" in ids and not any(i.startswith("score:clarity") for i in ids), "4/5 is not low"
    score = ids["score:voice:1"]
    assert score.rubric_low.startswith("Off-brand") and score.rubric_high.startswith("Unmistakably ours")
    edits = [i for i in items if i.kind == "edit"]
    assert [(e.before, e.after) for e in edits] == [("utilize", "use"), ("", "Agencies plan a month in an hour.")]


def test_collect_is_stable_the_same_state_gives_the_same_ids():
    assert [i.id for i in _collect()] == [i.id for i in _collect()]
    assert _by_id(_collect(note="Colder"))  # a changed note is a new item
    assert "note:" in next(i.id for i in _collect(note="Colder") if i.kind == "note")
    assert {i.id for i in _collect(note="Colder")} != {i.id for i in _collect()}


def test_the_revise_prompt_lists_each_item_the_rubric_words_and_the_edits_but_not_dropped_ones():
    items = drop(_collect(), "gate:banned:cheap")
    user = build_revision_messages(BRIEF, CONFIG, HUMAN_TEXT, items)[1]["content"]
    section = user.split("## Reviewer feedback\n", 1)[1]
    assert "- Instruction from the reviewer: Lead with the time saved" in section
    assert "- Note from the reviewer: Warmer, please" in section
    assert "- Failed check: must include “free trial” — it is missing (brief.must_include)" in section
    assert "- Low score: voice 1/5 — 1 means “Off-brand" in section and "aim for 5: “Unmistakably ours" in section
    assert "- Keep the reviewer's edit: “utilize” → “use”" in section
    assert "- Keep the reviewer's edit: add “Agencies plan a month in an hour.”" in section
    assert "cheap" not in section, "a dropped item is not sent"


def test_the_legacy_feedback_summary_still_renders_as_before():
    user = build_revision_messages(BRIEF, CONFIG, "Old text", Feedback(note="shorter", low_scores={"cta": 2}))
    assert "- Note from the reviewer: shorter\n- Low score: cta 2/5" in user[1]["content"]
    assert render_feedback([]) == "- Make it sharper and closer to the brief."


def test_the_offline_drafter_still_follows_a_note_sent_as_an_item():
    items = _collect(instruction="", note='Lead with "Agencies plan a month in an hour."')
    revised = compose(build_revision_messages(BRIEF, CONFIG, HUMAN_TEXT, items)[1]["content"])
    assert revised.split("\n\n")[2].startswith("Agencies plan a month in an hour."), revised
    assert "cheap" not in revised and "free trial" in revised.lower() and "Book a demo" in revised


def test_marking_after_revision_gates_phrases_edits_and_ticked_kinds():
    sent = _collect()
    # Revision N+1: fixes "cheap", the CTA and "free trial", keeps the added sentence, but brings "utilize" back.
    revised = ("Subject: Spring launch\n\nHi there,\n\nWe utilize a new planner that saves your team time. "
               "It is simple. Agencies plan a month in an hour. Start your free trial.\n\nBook a demo.\n\nBest,\n"
               "The team")
    marked = _by_id(mark_items(sent, previous=HUMAN_TEXT, revised=revised, spec=SPEC))
    assert marked["gate:banned:cheap"].mark == ADDRESSED
    assert marked["gate:must_include:free trial"].mark == ADDRESSED
    assert marked["gate:cta"].mark == ADDRESSED
    edits = {(i.before, i.after): i for i in marked.values() if i.kind == "edit"}
    assert edits[("utilize", "use")].mark == NOT_ADDRESSED and "“utilize” is back" in edits[("utilize", "use")].why
    assert edits[("", "Agencies plan a month in an hour.")].mark == ADDRESSED
    for kind in ("note", "instruction", "score"):
        item = next(i for i in marked.values() if i.kind == kind)
        assert item.mark == UNCLEAR and item.marked_by == "auto"


def test_a_revision_that_ignores_everything_is_marked_not_addressed():
    sent = _collect()
    marked = _by_id(mark_items(sent, previous=HUMAN_TEXT, revised=AI_TEXT, spec=SPEC))
    assert marked["gate:banned:cheap"].mark == NOT_ADDRESSED and "still uses “cheap”" in marked["gate:banned:cheap"].why
    assert marked["gate:must_include:free trial"].mark == NOT_ADDRESSED
    assert marked["gate:cta"].mark == NOT_ADDRESSED
    added = next(i for i in marked.values() if i.kind == "edit" and not i.before)
    assert added.mark == NOT_ADDRESSED and "dropped" in added.why


def test_an_edit_whose_spot_was_rewritten_is_unclear_and_a_kept_deletion_is_addressed():
    replaced = FeedbackItem("edit:x", "edit", "", before="utilize", after="use")
    deleted = FeedbackItem("edit:y", "edit", "", before="It is simple.", after="")
    previous = "We use a planner. Done."
    marked = mark_items([replaced, deleted], previous=previous, revised="We rely on a planner. Done.", spec=SPEC)
    assert [m.mark for m in marked] == [UNCLEAR, ADDRESSED]


def test_a_common_word_kept_as_often_as_the_reviewer_left_it_counts_as_kept():
    assert phrase_count("use", "Use it, then use it\nagain; user") == 2
    assert phrase_count("in an\nhour", "plan in an hour") == 1
    item = FeedbackItem("edit:z", "edit", "", before="utilize", after="use")
    previous = "Use the planner. We use it daily."
    fewer = mark_items([item], previous=previous, revised="Try the planner. We use it daily.", spec=SPEC)[0]
    assert fewer.mark == UNCLEAR, "one 'use' of two is gone: the reviewer must judge"


def test_ticks_overrule_and_carry_over_feeds_the_next_revise():
    sent = _collect()
    marked = mark_items(sent, previous=HUMAN_TEXT, revised=AI_TEXT, spec=SPEC)  # revision 2 ignored all
    note_id = next(i.id for i in marked if i.kind == "note")
    score_id = next(i.id for i in marked if i.kind == "score")
    marked = tick(marked, note_id, True, "ana")
    marked = tick(marked, score_id, False, "ana")
    assert _by_id(marked)[note_id].marked_by == "ana"
    # Next revise: the state still has the note and the score; cheap was fixed by hand meanwhile.
    fixed = HUMAN_TEXT.replace("cheap ", "")
    collected = _collect(gates=run_gates(fixed, SPEC), text=fixed, instruction="")
    plan = _by_id(plan_revision(collected, marked, previous_number=2))
    assert note_id not in plan, "a note ticked as addressed is not resent"
    assert plan[score_id].carried_from == 2, "a score ticked not addressed carries over"
    assert plan["gate:must_include:free trial"].carried_from == 2
    assert plan["gate:banned:cheap"].carried_from == 2, "not addressed by the AI: carried even if fixed by hand"
    assert all(i.mark is None for i in plan.values()), "carried items go out unmarked"
    prompt = render_feedback(plan.values())
    assert "free trial” — it is missing (brief.must_include) (asked before and not yet done)" in prompt


def test_a_carried_item_keeps_its_first_revision_number():
    first = FeedbackItem("gate:cta", "gate", "CTA", gate="cta", mark=NOT_ADDRESSED, carried_from=2)
    again = plan_revision([], [first], previous_number=3)
    assert again[0].carried_from == 2
    dropped = FeedbackItem("gate:x", "gate", "x", gate="x", mark=NOT_ADDRESSED, dropped=True)
    assert plan_revision([], [dropped], previous_number=3) == []


def test_payload_round_trips_and_keeps_the_legacy_keys_the_history_reads():
    items = drop(_collect(), "gate:cta")
    payload = json.loads(json.dumps(feedback_payload(items)))
    assert payload["note"] == "Lead with the time saved\nWarmer, please"
    assert payload["low_scores"] == {"voice": 1} and payload["edited"] is True
    assert not any("CTA" in g for g in payload["failed_gates"]), "dropped items are not in the summary"
    back = items_from_payload(payload)
    assert back == items and next(i for i in back if i.id == "gate:cta").dropped
    assert items_from_payload({"note": "old revision"}) == []


def test_share_addressed_per_model_and_prompt_version():
    rows = ([SentItem("gpt", "v1", ADDRESSED)] * 3 + [SentItem("gpt", "v1", NOT_ADDRESSED)]
            + [SentItem("gpt", "v1", UNCLEAR)] + [SentItem("gpt", "v2", None)]
            + [SentItem("claude", "v1", NOT_ADDRESSED)])
    stats = {(s["model"], s["prompt_version"]): s for s in feedback_share(rows)}
    assert stats[("gpt", "v1")]["share"] == 0.75 and stats[("gpt", "v1")]["unclear"] == 1
    assert stats[("gpt", "v2")]["share"] is None and stats[("gpt", "v2")]["unmarked"] == 1
    assert stats[("claude", "v1")]["share"] == 0.0
    lines = format_feedback_share(feedback_share(rows))
    assert any("gpt" in line and "75%" in line and "3 of 4 decided" in line for line in lines)

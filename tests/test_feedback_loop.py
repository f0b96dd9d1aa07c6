"""Tracked feedback end to end through the real engine and a real hitl.db: the items proposed on `r`, revision N+1
marked automatically in the commit that ends it, reviewers' ticks, carry-over to the next revise, the share
addressed in `hitl stats`, and the revision history."""

from __future__ import annotations

import dataclasses

import re

from hitl_tui.briefs import Brief
from hitl_tui.config import Config, ModelSpec
from hitl_tui.drafting import DraftEngine
from hitl_tui.feedback_loop.revise import proposed_items

BRIEF = Brief(name="launch.toml", title="Spring launch", channel="email", cta="Book a demo",
              must_include=["free trial"], banned=["cheap"], content_hash="h1",
              brief="Announce the spring release of Planner to agency owners. Plan a month of work in an hour. "
                    "Start a free trial today.")
OFFLINE = [ModelSpec("hitl-offline/fast")]


def _engine(store, tmp_path) -> DraftEngine:
    cfg = Config()
    cfg.drafting.chunk_timeout, cfg.drafting.timeout, cfg.drafting.retries = 10.0, 60.0, 0
    return DraftEngine(store, cfg, log_file=tmp_path / "hitl.log")


async def _drafted(store, engine, brief=BRIEF, models=OFFLINE) -> dict:
    version = (await store.sync_brief(brief)).version_id
    [out] = await engine.draft_brief(brief, version, models=models, variants=1)
    assert out.status == "done", out.error
    return await store.draft(out.draft_id)


def _by_kind(items) -> dict[str, list]:
    out: dict[str, list] = {}
    for i in items:
        out.setdefault(i.kind, []).append(i)
    return out


async def test_a_revision_is_marked_when_it_finishes_ticked_by_a_reviewer_and_what_it_left_carries_over(
        store, tmp_path):
    engine = _engine(store, tmp_path)
    draft = await _drafted(store, engine)
    ai_text = (await store.revisions(draft.id))[-1].text
    assert "free trial" in ai_text.lower() and "Hi there," in ai_text
    # The reviewer greets differently, cuts the sentence with the must-include phrase, scores clarity low and
    # leaves a note; at `r` they type an instruction.
    edited = ai_text.replace("Hi there,", "Hello agency owners,")
    edited = "\n\n".join(p for p in edited.split("\n\n") if "free trial" not in p.lower())
    await store.save_edit(draft.id, edited, "s1")
    await store.set_score(draft.id, "clarity", 2)
    await store.set_note(draft.id, "No exclamation marks.")
    # an expert was asked about the variant and answered (issue 13's questions): the answer is sent too
    question = await store.ask(draft.id, "legal", "Can we say an hour?", of_role=True)
    store.reviewer = "dana"
    await store.answer(question, "changes", "Say 'about an hour'.", role="legal")
    store.reviewer = "tester"
    items = await proposed_items(store, engine.config, BRIEF, draft.id, instruction="Lead with the hour.")
    kinds = _by_kind(items)
    assert [i.kind for i in items[:3]] == ["instruction", "note", "answer"]
    assert kinds["answer"][0].ask == "dana (legal): Say 'about an hour'."
    assert [i.id for i in kinds["gate"]] == ["gate:must_include:free trial"]
    assert [i.id for i in kinds["score"]] == ["score:clarity:2"]
    assert any(e.after == "Hello agency owners" or "Hello agency owners" in e.after for e in kinds["edit"])
    assert items[0].text == "Lead with the hour."

    out = await engine.revise(draft, BRIEF, edited, items)
    assert out.status == "done", out.error
    marked = {i.id: i for i in await store.feedback_items(out.revision_id)}
    gate = marked["gate:must_include:free trial"]
    assert (gate.mark, gate.why, gate.marked_by) == ("addressed", "“free trial” present", "auto")
    assert "free trial" in out.text.lower(), "the offline drafter put the phrase back"
    greeting = next(i for i in marked.values() if i.kind == "edit" and "Hello agency owners" in i.after)
    assert greeting.mark == "addressed" and "Hello agency owners," in out.text, "the human's greeting was kept"
    assert {marked[i.id].mark for i in kinds["note"] + kinds["score"] + kinds["instruction"] + kinds["answer"]} \
        == {"unclear"}
    finished = [e.kind for e in await store.events() if e.revision_id == out.revision_id]
    assert finished[-3:] == ["draft_done", "gates", "feedback_marked"], "marked in the commit that ends it"

    note_id, score_id = kinds["note"][0].id, kinds["score"][0].id
    ticked = await store.tick_feedback(out.revision_id, note_id, "addressed")
    assert (ticked.mark, ticked.marked_by) == ("addressed", "tester")
    await store.tick_feedback(out.revision_id, score_id, "not_addressed")
    assert (await store.feedback_items(out.revision_id))[1].mark == "addressed"
    tick_events = [e for e in await store.events() if e.kind == "feedback_ticked"]
    assert [(e.payload["item_id"], e.payload["mark"], e.payload["previous"]) for e in tick_events] == \
        [(note_id, "addressed", "unclear"), (score_id, "not_addressed", "unclear")]

    # The next `r`: the low score the revision did not fix comes first, marked as asked before; the note ticked
    # as done is not sent again while it is unchanged; the instruction was a one-off.
    again = await proposed_items(store, engine.config, BRIEF, draft.id)
    assert again[0].id == score_id and again[0].carried_from == 2
    assert note_id not in {i.id for i in again} and not _by_kind(again).get("instruction")
    out2 = await engine.revise(draft, BRIEF, out.text, again)
    assert out2.status == "done"
    sent = await store.feedback_items(out2.revision_id)
    assert sent[0].id == score_id and sent[0].carried_from == 2


async def test_a_model_that_ignores_the_feedback_gets_it_again_and_stats_show_the_share_addressed(
        store, tmp_path, llm_server):
    engine = _engine(store, tmp_path)
    brief = Brief(name="sale.toml", title="Spring sale", brief="20% off annual plans until Friday.", channel="email",
                  cta="Upgrade now", must_include=["20% off"], content_hash="h2")
    engine.config.drafting.models = [ModelSpec("openai/ok-12", api_base=llm_server.base_url)]
    draft = await _drafted(store, engine, brief, engine.config.drafting.models)
    items = await proposed_items(store, engine.config, brief, draft.id, instruction="Mention Friday.")
    assert {"gate:must_include:20% off", "gate:cta", "instruction:" + items[0].id.split(":")[1]} <= \
        {i.id for i in items}
    seen = len(llm_server.requests)
    out = await engine.revise(draft, brief, (await store.revisions(draft.id))[-1].text, items)
    assert out.status == "done", out.error
    marks = {i.id: i.mark for i in await store.feedback_items(out.revision_id)}
    assert marks["gate:must_include:20% off"] == marks["gate:cta"] == "not_addressed"
    assert marks[items[0].id] == "unclear"
    first = llm_server.requests[seen]["messages"][-1]["content"]
    assert "- Instruction from the reviewer: Mention Friday." in first
    assert "(asked before and not yet done)" not in first

    again = await proposed_items(store, engine.config, brief, draft.id)
    carried = [i for i in again if i.carried_from is not None]
    assert {i.id for i in carried} == {"gate:must_include:20% off", "gate:cta"}
    assert all(i.carried_from == 2 for i in carried)
    await engine.revise(draft, brief, out.text, again)
    second = llm_server.requests[-1]["messages"][-1]["content"]
    assert re.search(r"- Failed check: must include “20% off” .*\(asked before and not yet done\)", second), second

    stats = await store.stats()
    [row] = [s for s in stats["feedback_addressed"] if s["model"] == "openai/ok-12"]
    assert (row["addressed"], row["not_addressed"], row["share"]) == (0, 4, 0.0)
    assert row["prompt_version"] == "v1" and row["unclear"] == 1


async def test_a_revise_that_never_finished_sends_everything_again(store, tmp_path, llm_server):
    engine = _engine(store, tmp_path)
    brief = Brief(name="auth.toml", title="Sale", brief="20% off.", channel="sms", must_include=["20% off"],
                  content_hash="h3")
    draft = await _drafted(store, engine, brief, [ModelSpec("openai/ok-5", api_base=llm_server.base_url)])
    items = await proposed_items(store, engine.config, brief, draft.id, instruction="Shorter.")
    failing = ModelSpec("openai/error500", api_base=llm_server.base_url)
    engine.config.drafting.models = [failing]
    out = await engine.revise(dataclasses.replace(draft, model=failing.model), brief, "word0.", items)
    assert out.status == "failed"
    assert await store.feedback_items(out.revision_id) and \
        all(i.mark is None for i in await store.feedback_items(out.revision_id))
    again = await proposed_items(store, engine.config, brief, draft.id)
    assert {i.id for i in items} <= {i.id for i in again}
    assert next(i for i in again if i.kind == "instruction").carried_from == 2

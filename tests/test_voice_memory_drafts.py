"""Voice memory in the drafting engine, checked where it counts: what the model was sent, at the loopback server.
New drafts and revisions carry up to K approved pieces of the same channel and voice (best first, the brief being
drafted left out) and the learned lines; which examples each draft was given is stored with it and shown by
`hitl history`."""

from __future__ import annotations

import json
import re

from clirun import hitl
from learned_history import approve, email

from hitl_tui.briefs import Brief
from hitl_tui.config import Config, ModelSpec
from hitl_tui.drafting import DraftEngine
from hitl_tui.feedback_loop.revise import proposed_items
from hitl_tui.learning.rules_file import LearnedRule

BRIEF = Brief(name="launch.toml", title="Spring launch", channel="email", cta="Book a demo", content_hash="l1",
              brief="Announce the spring release to agency owners.")
RULE = LearnedRule("lr-0000000001", "voice", "Say “you”, not “users”.", "Say “you”, not “users”.")


async def _history(store) -> dict[str, int]:
    ids = {}
    for name, body, score, channel in [("best.toml", "Plan a month in an hour.", 5, "email"),
                                       ("good.toml", "Your board, finally calm.", 4, "email"),
                                       ("weak.toml", "Meet the planner.", 2, "email"),
                                       ("sms.toml", "20% off today. Reply STOP to opt out.", 5, "sms")]:
        ids[name] = await approve(store, name, email(body + " Draft."), email(body, greeting="Hey team,"), "ana",
                                  channel=channel, score=score)
    return ids


def _engine(store, tmp_path, server, **learning) -> DraftEngine:
    cfg = Config()
    cfg.drafting.models = [ModelSpec("openai/ok-8", api_base=server.base_url)]
    cfg.drafting.retries = 0
    for key, value in learning.items():
        setattr(cfg.learning, key, value)
    return DraftEngine(store, cfg, log_file=tmp_path / "hitl.log", learned=lambda: [RULE])


def _user_message(request: dict) -> str:
    return request["messages"][-1]["content"]


async def test_drafts_and_revisions_send_the_best_examples_of_the_channel_and_record_them(store, tmp_path,
                                                                                         llm_server):
    ids = await _history(store)
    engine = _engine(store, tmp_path, llm_server, examples=2)
    version = (await store.sync_brief(BRIEF)).version_id
    seen = len(llm_server.requests)
    outs = await engine.draft_brief(BRIEF, version, variants=2)
    sent = [_user_message(r) for r in llm_server.requests[seen:]]
    assert len(sent) == 2
    for prompt in sent:
        memory = prompt[prompt.index("## Learned rules"):]
        assert "- Say “you”, not “users”." in memory
        headings = re.findall(r"^### Example \d.*$", memory, re.M)
        assert headings == ["### Example 1 (email, score 5.0)", "### Example 2 (email, score 4.0)"], \
            "the two best of the same channel; the sms piece and the weaker one are left out"
        assert "> Plan a month in an hour." in memory and "> Hey team," in memory
        assert "Meet the planner" not in memory and "Reply STOP" not in memory
    for out in outs:
        stored = json.loads((await store.revision(out.revision_id)).examples)
        assert stored == {"examples": [ids["best.toml"], ids["good.toml"]], "lines": [RULE.say]}

    draft = await store.draft(outs[0].draft_id)
    items = await proposed_items(store, engine.config, BRIEF, draft.id, instruction="Warmer.")
    await engine.revise(draft, BRIEF, outs[0].text, items)
    revise_prompt = _user_message(llm_server.requests[-1])
    assert revise_prompt.index("## Reviewer feedback") < revise_prompt.index("## Approved examples")
    assert "> Plan a month in an hour." in revise_prompt


async def test_examples_are_configurable_and_off_leaves_the_prompt_as_before(store, tmp_path, llm_server):
    await _history(store)
    version = (await store.sync_brief(BRIEF)).version_id
    await _engine(store, tmp_path, llm_server, examples=1).draft_brief(BRIEF, version, variants=1)
    one = _user_message(llm_server.requests[-1])
    assert len(re.findall(r"^### Example", one, re.M)) == 1

    engine = _engine(store, tmp_path, llm_server, examples=0)
    engine.learned = lambda: []
    [out] = await engine.draft_brief(BRIEF, version, variants=1)
    off = _user_message(llm_server.requests[-1])
    assert "## Approved examples" not in off and "## Learned rules" not in off
    from hitl_tui.prompts import build_draft_messages

    assert off == build_draft_messages(BRIEF, engine.config, 0)[-1]["content"], "byte for byte as before"
    assert json.loads((await store.revision(out.revision_id)).examples) == {"examples": [], "lines": []}


async def test_a_brief_is_never_its_own_example(store, tmp_path, llm_server):
    await _history(store)
    best = Brief(name="best.toml", title="best", brief="Crafted history.", channel="email", content_hash="again")
    version = (await store.sync_brief(best)).version_id
    await _engine(store, tmp_path, llm_server).draft_brief(best, version, variants=1)
    assert "Plan a month in an hour" not in _user_message(llm_server.requests[-1])


def test_history_shows_each_drafts_examples_items_and_marks(workspace):
    import asyncio

    from hitl_tui.drafting import DraftEngine as Engine
    from hitl_tui.store import Store

    root = workspace.root
    (root / "briefs" / "launch.toml").write_text('title = "Spring launch"\nchannel = "email"\ncta = "Book a demo"\n'
                                                 'must_include = ["free trial"]\n'
                                                 'brief = "Planner plans a month in an hour. Start a free trial."\n')

    async def run():
        async with Store.opened(workspace.db_path, "ana") as store:
            ids = await _history(store)
            engine = Engine(store, workspace.config, log_file=root / "hitl.log")
            from hitl_tui.briefs import parse_brief

            brief = parse_brief(root / "briefs" / "launch.toml")
            version = (await store.sync_brief(brief)).version_id
            [out] = await engine.draft_brief(brief, version, models=[ModelSpec("hitl-offline/fast")], variants=1)
            cut = "\n\n".join(p for p in out.text.split("\n\n") if "free trial" not in p.lower())
            await store.save_edit(out.draft_id, cut, "s1")
            draft = await store.draft(out.draft_id)
            items = await proposed_items(store, engine.config, brief, draft.id, instruction="Shorter.")
            await engine.revise(draft, brief, cut, items)
            return ids

    ids = asyncio.run(run())
    result = hitl("history", "launch.toml", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    [variant] = json.loads(result.stdout)["variants"]
    draft, edit, revise = variant["revisions"]
    assert (draft["request"], edit["request"], revise["request"]) == ("draft", "edit", "revise")
    assert [e["brief"] for e in draft["examples"]] == ["best.toml", "good.toml", "weak.toml"]
    assert draft["examples"][0]["revision_id"] == ids["best.toml"]
    marks = {i["id"]: i["mark"] for i in revise["items"]}
    assert marks["gate:must_include:free trial"] == "addressed"
    assert next(i for i in revise["items"] if i["kind"] == "instruction")["mark"] == "unclear"
    text = hitl("history", "launch.toml", cwd=root).stdout
    assert "examples: best.toml" in text and "✓ addressed" in text and "? unclear" in text
    assert "Instruction from the reviewer: Shorter." in text

    stats = json.loads(hitl("stats", "--json", cwd=root).stdout)["feedback_addressed"]
    [offline] = [s for s in stats if s["model"] == "hitl-offline/fast"]
    decided = offline["addressed"] + offline["not_addressed"]
    assert offline["addressed"] >= 1 and offline["share"] == round(offline["addressed"] / decided, 3)
    shown = hitl("stats", cwd=root).stdout
    assert "Feedback addressed:" in shown and "hitl-offline/fast" in shown.split("Feedback addressed:")[1]


async def test_published_results_rank_the_examples_once_they_exist(store, tmp_path, llm_server):
    ids = await _history(store)
    version = (await store.sync_brief(BRIEF)).version_id
    await _engine(store, tmp_path, llm_server, examples=1).draft_brief(BRIEF, version, variants=1)
    assert "> Plan a month in an hour." in _user_message(llm_server.requests[-1]), "by score while no results"
    # Published results (issue 11's table; created here as it is there when this log has none yet): the
    # 4-scored piece had the clicks.
    await store.db.execute(
        "CREATE TABLE IF NOT EXISTS results (id INTEGER PRIMARY KEY, piece TEXT NOT NULL, draft_id INTEGER, "
        "day TEXT NOT NULL, impressions INTEGER, opens INTEGER, clicks INTEGER, conversions INTEGER, spend REAL, "
        "revenue REAL, extra TEXT NOT NULL DEFAULT '{}', source TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL, "
        "imported_at REAL NOT NULL, UNIQUE (piece, day))")
    good = (await store.revision(ids["good.toml"])).draft_id
    best = (await store.revision(ids["best.toml"])).draft_id
    for piece, draft_id, clicks in (("good", good, 90), ("best", best, 5)):
        await store.db.execute("INSERT INTO results (piece, draft_id, day, impressions, clicks, reviewer, "
                               "imported_at) VALUES (?, ?, '2025-03-01', 1000, ?, 'ana', 0)", (piece, draft_id, clicks))
    await _engine(store, tmp_path, llm_server, examples=1).draft_brief(BRIEF, version, variants=1)
    assert "> Your board, finally calm." in _user_message(llm_server.requests[-1])

"""What the log keeps for learning: the exact messages each AI revision was sent, the SQL views, outbox piece ids."""

from __future__ import annotations

import json
import sqlite3
import tomllib

from hitl_tui.briefs import Brief
from hitl_tui.config import Config, ModelSpec
from hitl_tui.drafting import DraftEngine
from hitl_tui.outbox import piece_id, write_approved
from hitl_tui.learning.feedback import note_item

BRIEF = Brief(name="sale.toml", title="Spring sale", brief="20% off annual plans until Friday.", channel="email",
              cta="Upgrade now", must_include=["20% off"], content_hash="h1")


async def test_the_engine_logs_the_messages_it_sends_for_drafts_and_revisions(store, tmp_path, llm_server):
    cfg = Config()
    cfg.drafting.models = [ModelSpec("openai/ok-12", api_base=llm_server.base_url)]
    engine = DraftEngine(store, cfg, log_file=tmp_path / "litellm.log", backoff_base=0.05)
    version = (await store.sync_brief(BRIEF)).version_id
    seen = len(llm_server.requests)
    outs = await engine.draft_brief(BRIEF, version, variants=2)
    draft = await store.draft(outs[0].draft_id)
    revised = await engine.revise(draft, BRIEF, outs[0].text, [note_item("Shorter, please.")])
    assert [o.status for o in outs + [revised]] == ["done"] * 3
    sent = [r["messages"] for r in llm_server.requests[seen:] if r["model"] == "ok-12"]
    logged = await store.messages_for([o.revision_id for o in outs + [revised]])
    assert len(sent) == 3 and sorted(map(json.dumps, logged.values())) == sorted(map(json.dumps, sent))
    assert "Shorter, please." in logged[revised.revision_id][-1]["content"]
    assert logged[outs[0].revision_id] != logged[outs[1].revision_id]  # each variant its own angle


async def test_views_reproduce_final_drafts_decisions_and_preferences_with_plain_sqlite(store):
    version = (await store.sync_brief(BRIEF)).version_id
    ids = []
    for variant, model in enumerate(["openai/a", "openai/b"]):
        draft, rev = await store.create_draft(version, variant, model, model, 0.7, "v2")
        await store.finish_revision(rev, status="done", text=f"AI text {variant}", tokens_in=10, tokens_out=5,
                                    cost=0.002)
        ids.append((draft, rev))
    (a, a_rev), (b, b_rev) = ids
    edit = await store.save_edit(a, "Edited text", "s1")
    rejected = await store.decide(b, b_rev, "reject", "off-brand")
    async with store.tx() as db:  # what undo does to a decision (the station's `u`)
        await db.execute("UPDATE decisions SET undone = 1 WHERE id = ?", (rejected,))
    await store.decide(a, edit, "approve")
    pair = await store.next_pair(version)
    await store.record_pick(pair, "left" if pair.left.draft_id == a else "right")
    con = sqlite3.connect(store.path)  # what a user of sqlite3 / datasette sees
    con.row_factory = sqlite3.Row
    final = {r["draft_id"]: dict(r) for r in con.execute("SELECT * FROM final_drafts")}
    assert final[a]["final_text"] == "Edited text" and final[a]["ai_text"] == "AI text 0" and final[a]["edited"] == 1
    assert (final[a]["decision"], final[a]["ai_revision_id"], final[a]["final_revision_id"]) == ("approve", a_rev, edit)
    assert (final[a]["tokens_in"], final[a]["cost"], final[a]["prompt_version"]) == (10, 0.002, "v2")
    assert final[b]["decision"] is None  # its rejection was undone
    active = [dict(r) for r in con.execute("SELECT draft_id, kind, model FROM active_decisions")]
    assert active == [{"draft_id": a, "kind": "approve", "model": "openai/a"}]
    prefs = [dict(r) for r in con.execute("SELECT winner_model, loser_model, reviewer, left_prompt_version "
                                          "FROM preferences")]
    assert prefs == [{"winner_model": "openai/a", "loser_model": "openai/b", "reviewer": "tester",
                      "left_prompt_version": "v2"}]
    con.close()


def test_approved_pieces_carry_a_stable_id_in_their_front_matter(tmp_path):
    kwargs = dict(brief_name="spring-sale.toml", title="Spring sale", text="Copy", model="m", label="M",
                  prompt_version="v1", reviewer="ana", decision="approve", reason="", scores={}, gates=[],
                  edit_rate=0.0, revision=1, drafted_at=1700000000.25, approved_at=1700000100.0)
    path = write_approved(tmp_path, **kwargs)
    first = tomllib.loads(path.read_text().split("+++")[1])["id"]
    again = write_approved(tmp_path, **{**kwargs, "approved_at": 1700000500.0, "text": "Copy, fixed"})
    assert again == path and tomllib.loads(path.read_text().split("+++")[1])["id"] == first
    assert first == piece_id("spring-sale.toml", 1700000000.25) and first.startswith("spring-sale-")
    assert piece_id("spring-sale.toml", 1700000000.5) != first  # another AI text: another piece

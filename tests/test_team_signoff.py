"""Experts and sign-off stages through the log: several people on one workspace (issue 13).

ana and ben hold the editor role, dana holds legal; email pieces need editor then legal. Each person has their own
Store on the same hitl.db file, as their own stations would.
"""

from __future__ import annotations

import tomllib

import pytest

from hitl_tui.approval.signoff import text_hash
from hitl_tui.learning.feedback import Answer
from hitl_tui.store import StoreError
from hitl_tui.team.approve import approve
from hitl_tui.team.experts import answer, ask, expert_answers, my_questions
from team_fixtures import stores, team_workspace, variant

TEXT = "Search is here.\n\nResults now come back 40% faster for every workspace.\n\nTry it today."


async def test_ask_legal_legal_answers_and_the_piece_goes_out_after_both_stages(tmp_path):
    ws = team_workspace(tmp_path / "ws")
    async with stores(ws, "ana", "ben", "dana") as (ana, ben, dana):
        draft = await variant(ana, TEXT)

        early = await approve(dana, ws, draft)
        assert early.outcome == "refused" and "Waits on editor (ana, ben)" in early.message
        assert "dana does not hold the editor role" in early.message

        signed = await approve(ana, ws, draft)
        assert signed.outcome == "signed" and signed.waiting.stage == "legal" and signed.waiting.holders == ("dana",)
        assert signed.path is None and not list(ws.outbox.iterdir())  # not out yet: legal has not signed

        asked = await ask(ana, ws.config, draft, "legal", "Is “40% faster” fine to say?")
        assert asked.of_role and asked.who == ("dana",) and asked.message == "Asked legal (dana)."
        assert [q.text for q in await my_questions(dana, ws.config)] == ["Is “40% faster” fine to say?"]
        assert await my_questions(ben, ws.config) == []  # ben is an editor, not legal
        with pytest.raises(StoreError, match="asked of role legal, not ben"):
            await answer(ben, ws, asked.question_id, "approve")

        answered = await answer(dana, ws, asked.question_id, "approve", "Fine: the benchmark backs it.")
        assert answered.signed.stage == "legal" and answered.signed.reviewer == "dana"
        assert answered.approval.outcome == "approved" and "Approved → outbox/" in answered.message
        assert await my_questions(dana, ws.config) == []

        front = tomllib.loads(answered.approval.path.read_text().split("+++")[1])
        assert [(s["stage"], s["reviewer"]) for s in front["stages"]] == [("editor", "ana"), ("legal", "dana")]
        assert all(s["signed_at"].endswith("+00:00") for s in front["stages"])
        assert front["claims"] == [{"id": "percent:40", "kind": "percent", "text": "40%", "status": "brief",
                                    "source": {"kind": "brief", "ref": "brief", "quote": front["claims"][0]
                                               ["source"]["quote"]}}]
        assert "auto_approved" not in front

        history = await ana.questions_on(draft)
        assert [(q.status, [a.kind for a in q.answers]) for q in history] == [("answered", ["approve"])]
        assert history[0].answers[0].text_hash == text_hash(TEXT)
        kinds = [e.kind for e in await ana.events()]
        assert [k for k in kinds if k in ("sign_off", "ask", "answer", "approve")] == \
            ["sign_off", "ask", "answer", "sign_off", "approve"]
        assert (await approve(ben, ws, draft)).message == "This variant is already approved."


async def test_an_edit_voids_every_sign_off_of_the_old_text_and_says_so(tmp_path):
    ws = team_workspace(tmp_path / "ws")
    async with stores(ws, "ana", "ben", "dana") as (ana, ben, dana):
        draft = await variant(ana, TEXT)
        assert (await approve(ana, ws, draft)).outcome == "signed"

        edited = TEXT.replace("Try it today.", "Try it today: it is on for everyone.")
        saved = await ben.save_edit_checked(draft, edited, "s1")
        assert [(s.stage, s.reviewer) for s in saved.voided] == [("editor", "ana")]
        assert saved.notice == "This edit voids the sign-off of editor (ana)."
        again = await ben.save_edit_checked(draft, edited + " ", "s1")  # trailing space: the same text out
        assert again.voided == () and again.notice == ""
        voided = [e for e in await ana.events() if e.kind == "signoff_voided"]
        assert len(voided) == 1 and voided[0].reviewer == "ben" and voided[0].payload["voided"][0]["stage"] == "editor"

        refused = await approve(dana, ws, draft)  # legal cannot sign: editor must sign the new text first
        assert refused.outcome == "refused" and "Waits on editor" in refused.message
        assert (await approve(ben, ws, draft)).outcome == "signed"
        done = await approve(dana, ws, draft)
        assert done.outcome == "approved" and done.signed.stage == "legal"
        front = tomllib.loads(done.path.read_text().split("+++")[1])
        assert [(s["stage"], s["reviewer"]) for s in front["stages"]] == [("editor", "ben"), ("legal", "dana")]
        assert done.path.read_text().rstrip().endswith("it is on for everyone.")


async def test_undoing_the_edit_brings_the_sign_off_back(tmp_path):
    ws = team_workspace(tmp_path / "ws")
    async with stores(ws, "ana", "dana") as (ana, dana):
        draft = await variant(ana, TEXT)
        await approve(ana, ws, draft)
        await ana.save_edit_checked(draft, TEXT + "\nP.S. more soon.", "s1")
        await ana.save_edit_checked(draft, TEXT, "s1")  # typed back to the signed words
        assert (await approve(dana, ws, draft)).outcome == "approved"


async def test_answers_note_and_request_changes_feed_the_next_revision(tmp_path):
    ws = team_workspace(tmp_path / "ws")
    async with stores(ws, "ana", "dana") as (ana, dana):
        draft = await variant(ana, TEXT)
        q1 = await ask(ana, ws.config, draft, "dana", "Anything to add?")  # asked by name
        assert not q1.of_role and q1.who == ("dana",) and q1.message == "Asked dana."
        q2 = await ask(ana, ws.config, draft, "legal", "Is this claim fine?", claim_id="percent:40")
        assert (await answer(dana, ws, q1.question_id, "note", "Mention the admin setting.")).signed is None
        changes = await answer(dana, ws, q2.question_id, "changes", "Say 'up to 40% faster'.")
        assert changes.signed is None and changes.message.startswith("Asked for changes")
        with pytest.raises(StoreError, match="not open"):
            await answer(dana, ws, q2.question_id, "approve")
        assert await expert_answers(ana, ws.config, draft) == [
            Answer("dana", "Mention the admin setting.", ""), Answer("dana", "Say 'up to 40% faster'.", "legal")]
        assert [q.claim_id for q in await ana.questions_on(draft)] == [None, "percent:40"]


async def test_approve_without_stages_checks_gates_and_ticks_then_writes_the_outbox(tmp_path):
    ws = team_workspace(tmp_path / "ws", '[checklists.default]\nitems = ["Facts checked"]\n')
    async with stores(ws, "ana") as (ana,):
        draft = await variant(ana, "Search is here. Results come back faster. [insert link]")
        refused = await approve(ana, ws, draft)
        assert refused.outcome == "refused" and "no placeholders" in refused.message
        assert "unticked: Facts checked" in refused.reasons
        overridden = await approve(ana, ws, draft, reason="the link is added by the mail tool")
        assert overridden.outcome == "approved" and overridden.decision_id
        front = tomllib.loads(overridden.path.read_text().split("+++")[1])
        assert front["decision"] == "override" and front["override_reason"] == "the link is added by the mail tool"
        assert "stages" not in front

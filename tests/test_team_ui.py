"""The team in the station (issue 13), driven with Pilot: stations under different names on one workspace, the
real hitl.db, the local OpenAI-compatible server for drafts. An editor signs and asks legal; legal answers from
their own station's queue; the sign-off stages, the edit that voids a sign-off, the claims register, audits,
calibration re-shows and the queue's triage order, each as a user would reach them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from stations import settle, toasts
from test_ui import drop, make_workspace, panes_done

from hitl_tui.analytics.policy import Routing
from hitl_tui.outbox import front_matter
from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.screens.claims import ClaimsScreen
from hitl_tui.ui.screens.reshow import ReshowScreen
from hitl_tui.ui.screens.waiting import WaitingScreen
from hitl_tui.workspace import Workspace

TEAM = {"roles": {"editor": ["ana"], "legal": ["dana"]},
        "checklists": {"default": {"advisory": ["reading_grade"], "items": []},
                       "email": {"stages": ["editor", "legal"]}}}


def team_ws(tmp_path: Path, server, **extra) -> Path:
    ws = make_workspace(tmp_path / "ws", server, **{**TEAM, **extra})
    drop(ws, banned=[])
    return ws.root


async def typed(pilot, text: str) -> None:
    await pilot.press(*text)


def said(app: HitlApp, words: str) -> bool:
    return any(words in m for m in toasts(app))


async def test_editor_signs_asks_legal_and_legal_answers_from_their_own_station(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server)
    ana = HitlApp(Workspace.load(root, reviewer="ana"))
    async with ana.run_test(size=(120, 40)) as pa:
        await settle(lambda: panes_done(ana))
        draft_id = ana.review.current_state.draft_id

        await pa.press("a")  # the editor's approve signs the editor stage; legal is still to come
        await settle(lambda: said(ana, "Signed editor. Now waits on legal (dana)."))
        assert not list(ana.ws.outbox.iterdir())
        await settle(lambda: "editor ✓ ana" in ana.review.team_text.plain and "legal waits (dana)" in ana.review.team_text.plain)

        # an edit after the sign-off voids it, and the station says so
        await pa.press("e")
        editor = ana.review.current_pane.editor
        editor.insert(" Now shipping.", editor.document.end)
        await pa.press("escape")
        await settle(lambda: said(ana, "This edit voids the sign-off of editor (ana)."))
        await settle(lambda: "editor waits (ana)" in ana.review.team_text.plain and "voided" in ana.review.team_text.plain)
        await pa.press("a")
        await settle(lambda: said(ana, "Signed editor.") and "editor ✓ ana" in ana.review.team_text.plain)

        # ask legal: the role, then the question
        await pa.press("k")
        await settle(lambda: ana.screen.__class__.__name__ == "AskExpertScreen")
        await pa.press("down")  # roles in hitl.toml order: editor, legal
        await settle(lambda: str(ana.screen.query_one("#ask-to").content) == "To: legal (dana)")
        await typed(pa, "Can we say shipping?")
        await pa.press("enter")
        await settle(lambda: said(ana, "Asked legal (dana)."))
        await settle(lambda: "ana → legal (role): “Can we say shipping?”  open" in ana.review.team_text.plain)

        dana = HitlApp(Workspace.load(root, reviewer="dana"))
        async with dana.run_test(size=(120, 40)) as pd:
            await settle(lambda: dana.review.shown_name == "sale.toml")
            await settle(lambda: said(dana, "1 question(s) wait on you: press w to answer."))
            await pd.press("w")
            waiting = await settle(lambda: isinstance(dana.screen, WaitingScreen) and dana.screen.items and
                                   dana.screen)
            assert [(i.kind, i.draft_id) for i in waiting.items][0] == ("asked", draft_id)
            body = str(waiting.query_one("#waiting-body").content)
            assert "ana asks role legal" in body and "Can we say shipping?" in body and "Now shipping." in body
            await pd.press("a")  # approve for my stage, with a note
            await typed(pd, "Fine as written.")
            await pd.press("enter")
            await settle(lambda: said(dana, "Answered and signed legal; every stage is signed. Approved → outbox/"))
            await settle(lambda: not waiting.items)

        # back at the editor's station: the answer and the approval arrive through the log
        await settle(lambda: "legal ✓ dana" in ana.review.team_text.plain and "dana approved: “Fine as written.”"
                     in ana.review.team_text.plain)
        await settle(lambda: ana.review.current_state.decision == "approve")
    [path] = ana.ws.outbox.iterdir()
    meta = front_matter(path)
    assert [(s["stage"], s["reviewer"]) for s in meta["stages"]] == [("editor", "ana"), ("legal", "dana")]


async def test_approve_waiting_on_another_role_says_who(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server)
    dana = HitlApp(Workspace.load(root, reviewer="dana"))
    async with dana.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(dana))
        await pilot.press("a")
        await settle(lambda: said(dana, "Waits on editor (ana): dana does not hold the editor role"))
        async with Store.opened(root / "hitl.db", "observer") as store:
            assert await store.sign_offs(dana.review.current_state.draft_id) == []


async def test_claims_keys_source_a_claim_and_the_gate_passes(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server, roles={"legal": ["dana"]},
                  checklists={"default": {"required": ["claims"], "items": []}, "email": {}})
    app = HitlApp(Workspace.load(root, reviewer="ana"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(app))
        await pilot.press("e")
        editor = app.review.current_pane.editor
        editor.insert(" Trusted by Acme. Pages load 40% faster.", editor.document.end)
        await pilot.press("escape")
        claims_gate = lambda: next(g for g in app.review.current_state.gates if g.id == "claims")  # noqa: E731
        await settle(lambda: claims_gate().status == "fail")

        await pilot.press("a")  # refused: the claims gate is required and two claims have no source
        await settle(lambda: said(app, "Not approved. Failing required checks:"))

        await pilot.press("l")
        screen = await settle(lambda: isinstance(app.screen, ClaimsScreen) and app.screen.claims and app.screen)
        assert {c.text: c.status for c in screen.claims} == {"Acme": "unsourced", "40%": "unsourced"}
        assert "2 need a source" in str(screen.query_one("#claims-title").content)
        await pilot.press("s")
        await typed(pilot, "https://example.com/case")
        await pilot.press("enter")
        await typed(pilot, "Acme runs on it.")
        await pilot.press("enter")
        await settle(lambda: screen.claims[0].status == "sourced")
        await pilot.press("down", "l")  # the 40% to legal with one key
        await settle(lambda: said(app, "Sent “40%” to legal (dana)."))
        await pilot.press("x")
        await settle(lambda: screen.claims[1].status == "marked_removed")
        await pilot.press("escape")
        await settle(lambda: "ana → legal (role)" in app.review.team_text.plain)
        assert claims_gate().status == "fail"  # a claim marked to cut still needs a source while it is in the text

        await pilot.press("e")  # cut it: the gate passes, the source of the other claim stays
        editor = app.review.current_pane.editor
        editor.replace(editor.text.replace(" Pages load 40% faster.", ""), (0, 0), editor.document.end)
        await pilot.press("escape")
        await settle(lambda: claims_gate().status == "pass")
        await pilot.press("a")
        await settle(lambda: said(app, "Approved → outbox/"))
    [path] = app.ws.outbox.iterdir()
    assert [(c["text"], c["source"]["ref"]) for c in front_matter(path)["claims"] if c.get("source")] == \
        [("Acme", "https://example.com/case")]


async def auto_approved_with_audit(root: Path) -> int:
    """An auto-approval drawn for audit, as the routing engine records it (the routing itself is tested in
    test_team_routing.py)."""
    async with Store.opened(root / "hitl.db", "auto-approval") as store:
        draft = (await store.fetchall("SELECT id FROM drafts ORDER BY id"))[0]["id"]
        rev = (await store.revisions(draft))[-1].id
        await store.record_routing(draft, rev, Routing(True, True, ("all gates pass",)), gates=[],
                                   outbox="spring-sale.md", audit_by="")
        return draft


async def test_audit_overturned_from_what_waits_on_me(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server, checklists={"default": {"advisory": ["reading_grade"], "items": []}})
    app = HitlApp(Workspace.load(root, reviewer="ben"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(app))
        draft = await auto_approved_with_audit(root)
        (app.ws.outbox / "spring-sale.md").write_text("---\nauto_approved = {}\n---\ntext\n")
        await pilot.press("w")
        screen = await settle(lambda: isinstance(app.screen, WaitingScreen) and app.screen.items and app.screen)
        assert [(i.kind, i.draft_id) for i in screen.items] == [("audit", draft)]
        assert "all gates pass" in str(screen.query_one("#waiting-body").content)
        await pilot.press("o")
        await typed(pilot, "Off-brand.")
        await pilot.press("enter")
        await settle(lambda: said(app, "Audit overturned") and not screen.items)
        async with Store.opened(root / "hitl.db", "observer") as store:
            [audit] = await store.audit_queue(include_done=True)
            assert (audit.result, audit.reviewer, audit.reason) == ("overturned", "ben", "Off-brand.")
            assert await store.decisions(draft) == []


async def test_calibration_reshow_is_blind_and_keeps_the_live_scores(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server, calibration={"reshow": 1.0, "to": "same", "delay_hours": 0},
                  checklists={"default": {"advisory": ["reading_grade"], "items": []}})
    app = HitlApp(Workspace.load(root, reviewer="ana"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(app))
        draft = app.review.current_state.draft_id
        await pilot.press("4", "5", "2", "x")
        await typed(pilot, "Not this one.")
        await pilot.press("enter")
        await settle(lambda: app.review.current_state.decision == "reject")
        await pilot.press("w")
        screen = await settle(lambda: isinstance(app.screen, WaitingScreen) and app.screen.items and app.screen)
        assert [(i.kind, i.draft_id) for i in screen.items] == [("re-show", draft)]
        await pilot.press("enter")
        reshow = await settle(lambda: isinstance(app.screen, ReshowScreen) and app.screen)
        shown = " ".join(str(s.content) for s in reshow.query("Static"))
        assert "Blind" in str(reshow.query_one("Label").content) and "writer" not in shown.lower()
        assert "●" not in str(reshow.query_one("#reshow-scores").content)  # the earlier 4, 5, 2 are not shown
        await pilot.press(*["2"] * len(app.config.rubric))
        await settle(lambda: said(app, "Re-show scored."))
        await settle(lambda: isinstance(app.screen, WaitingScreen) and not app.screen.items)
        async with Store.opened(root / "hitl.db", "observer") as store:
            assert await store.scores(draft, "ana") == {"voice": 4, "accuracy": 5, "clarity": 2}
            rows = await store.fetchall("SELECT dimension, value FROM reshow_scores WHERE reviewer='ana'")
            assert {r["dimension"]: r["value"] for r in rows} == dict.fromkeys(app.config.rubric, 2)
            assert [d.kind for d in await store.decisions(draft)] == ["reject"]


async def test_triage_sorts_the_queue_by_what_waits_on_me(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, **TEAM)
    drop(ws, "a-first.toml", banned=[], title="First in the usual order")
    drop(ws, "b-asked.toml", banned=[], title="Asked of me")
    dana = HitlApp(Workspace.load(ws.root, reviewer="dana"))
    async with dana.run_test(size=(120, 40)) as pilot:
        await settle(lambda: len(dana.review.rows) == 2 and all(r.done == 2 for r in dana.review.rows))
        queue = dana.review.query_one("#queue")
        assert [r.name for r in queue.visible_rows()] == ["a-first.toml", "b-asked.toml"]
        async with Store.opened(ws.db_path, "ana") as store:
            row = await store.brief_by_name("b-asked.toml")
            draft = (await store.drafts_for_version(row.current_version_id))[0].id
            await store.ask(draft, "legal", "OK to send?", of_role=True)
        await pilot.press("t")
        await settle(lambda: [r.name for r in queue.visible_rows()][0] == "b-asked.toml")
        lines = [s.text for s in queue._strips(queue.visible_rows()[0], 30, False)]
        assert "asked ·me" in lines[1]
        await pilot.press("t")
        await settle(lambda: [r.name for r in queue.visible_rows()] == ["a-first.toml", "b-asked.toml"])
    await asyncio.sleep(0)


async def test_sign_off_and_request_changes_from_what_waits_on_me(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server)
    ana = HitlApp(Workspace.load(root, reviewer="ana"))
    async with ana.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(ana))
        draft = ana.review.current_state.draft_id
        async with Store.opened(root / "hitl.db", "dana") as store:
            await store.ask(draft, "ana", "Is the second line too long?", of_role=False)
        # asked while ana's station runs: it says so, with the key that answers
        await settle(lambda: said(ana, "dana asks you: “Is the second line too long?” (Spring sale, variant 1) — "
                                       "press w to answer."))
        await pilot.press("w")
        screen = await settle(lambda: isinstance(ana.screen, WaitingScreen) and len(ana.screen.items) == 2 and
                              ana.screen)
        assert [i.kind for i in screen.items] == ["asked", "sign-off"]  # a question first: someone is blocked
        await pilot.press("c")
        await typed(pilot, "Cut it to one line.")
        await pilot.press("enter")
        await settle(lambda: said(ana, "Asked for changes (question from dana).") and len(screen.items) == 1)
        await pilot.press("a")  # the sign-off row: signs the editor stage through team.approve
        await settle(lambda: said(ana, "Signed editor. Now waits on legal (dana).") and not screen.items)
        await pilot.press("escape")
        await settle(lambda: ana.screen is ana.review and "ana asks for changes: “Cut it to one line.”"
                     in ana.review.team_text.plain)
        async with Store.opened(root / "hitl.db", "observer") as store:
            [answer] = await store.answers_for(draft)
            assert (answer.kind, answer.reviewer, answer.text) == ("changes", "ana", "Cut it to one line.")
            assert [(s.stage, s.reviewer) for s in await store.sign_offs(draft)] == [("editor", "ana")]


async def test_undo_takes_back_a_sign_off(tmp_path, llm_server):
    root = team_ws(tmp_path, llm_server)
    ana = HitlApp(Workspace.load(root, reviewer="ana"))
    async with ana.run_test(size=(120, 40)) as pilot:
        await settle(lambda: panes_done(ana))
        draft = ana.review.current_state.draft_id
        await pilot.press("4", "a")  # a score, then the editor's sign-off: undo takes back the sign-off first
        await settle(lambda: said(ana, "Signed editor.") and "editor ✓ ana" in ana.review.team_text.plain)
        await pilot.press("u")
        await settle(lambda: said(ana, "Undid: sign-off of editor on variant 1"))
        await settle(lambda: "editor waits (ana)" in ana.review.team_text.plain)
        async with Store.opened(root / "hitl.db", "observer") as store:
            assert await store.sign_offs(draft) == []
            assert (await store.scores(draft, "ana"))["voice"] == 4
        await pilot.press("u")  # then the score
        await settle(lambda: said(ana, "Undid: score 4 for voice on variant 1"))

"""Undo: `u` acts on the open brief's own last action by this reviewer — score, tick, note, edit session, decision —
names what it undid, and never touches another brief or another person's work."""

from __future__ import annotations

from stations import settle, station, toasts
from test_ui import observed, panes_done

from hitl_tui.briefs import Brief
from hitl_tui.store import Store



async def two_briefs(store: Store) -> tuple[int, int, int, int]:
    """Briefs A and B with one finished variant each: (brief A, draft A, brief B, draft B)."""
    out = []
    for name in ("a.toml", "b.toml"):
        (result,) = await store.sync_briefs([Brief(name=name, title=name, brief="x", content_hash=name)])
        draft_id, revision_id = await store.create_draft(result.version_id, 0, "m", "m", 0.7, "v1")
        await store.finish_revision(revision_id, status="done", text=f"text of {name}")
        out += [result.brief_id, draft_id]
    return tuple(out)


async def test_undo_acts_on_its_own_brief_and_reviewer_only(tmp_path):
    path = tmp_path / "hitl.db"
    async with Store.opened(path, "ana") as ana, Store.opened(path, "bob") as bob:
        brief_a, draft_a, brief_b, draft_b = await two_briefs(ana)
        decision = await ana.decide(draft_a, None, "approve")
        await bob.set_score(draft_b, "voice", 3)
        await ana.set_score(draft_b, "voice", 5)  # scores are per reviewer: undo restores only one's own
        await ana.undo_last(brief_b)

        assert await ana.undo_last(brief_b) is None  # nothing more of ana's on B: nothing happens
        assert await bob.scores(draft_b) == {"voice": 3} and await ana.scores(draft_b) == {}
        assert await bob.undo_last(brief_a) is None  # nor does bob's undo reach ana's approval
        assert [d.id for d in await ana.decisions(draft_a)] == [decision]

        undone = await ana.undo_last(brief_a)
        assert (undone.kind, undone.draft_id, undone.decision_id) == ("approve", draft_a, decision)
        assert await ana.decisions(draft_a) == []
        assert await ana.undo_last(brief_a) is None  # each action is undone once
        assert (await bob.undo_last(brief_b)).kind == "score" and await bob.scores(draft_b) == {}


async def test_undo_steps_back_through_scores_ticks_notes_and_edit_sessions(tmp_path):
    async with Store.opened(tmp_path / "hitl.db", "ana") as store:
        brief_a, draft, _b, _db = await two_briefs(store)
        await store.set_score(draft, "voice", 4)
        await store.set_score(draft, "voice", 2)
        await store.set_tick(draft, "facts", True)
        await store.set_note(draft, "first")
        await store.set_note(draft, "second")
        await store.save_edit(draft, "edited once", "s1")
        await store.save_edit(draft, "edited twice", "s1")  # one session, autosaved twice: one action
        await store.save_edit(draft, "another session", "s2")

        steps = []
        while (undone := await store.undo_last(brief_a)) is not None:
            revisions = await store.revisions(draft)
            steps.append((undone.kind, revisions[-1].text, await store.note(draft), await store.ticks(draft),
                          await store.scores(draft)))
        assert steps == [
            ("edit", "edited twice", "second", {"facts": True}, {"voice": 2}),
            ("edit", "text of a.toml", "second", {"facts": True}, {"voice": 2}),
            ("note", "text of a.toml", "first", {"facts": True}, {"voice": 2}),
            ("note", "text of a.toml", "", {"facts": True}, {"voice": 2}),
            ("tick", "text of a.toml", "", {}, {"voice": 2}),
            ("score", "text of a.toml", "", {}, {"voice": 4}),
            ("score", "text of a.toml", "", {}, {}),
        ]
        # The log stays honest: every change and every undo is an event, and the history keeps each round of
        # edits, the undone ones included (an undo is a new snapshot with the earlier text, marked as an undo).
        kinds = [e.kind for e in await store.events()]
        assert kinds.count("edit_undone") == 2 and kinds.count("score_undone") == 2
        assert kinds.count("note_undone") == 2 and kinds.count("tick_undone") == 1
        texts = [(r.kind, r.text) for r in await store.revisions(draft)]
        assert texts == [("ai", "text of a.toml"), ("human", "edited twice"), ("human", "another session"),
                         ("human", "edited twice"), ("human", "text of a.toml")]


async def test_an_edit_overtaken_by_an_ai_revision_is_not_undone_and_says_why(tmp_path):
    async with Store.opened(tmp_path / "hitl.db", "ana") as store:
        brief_a, draft, _b, _db = await two_briefs(store)
        await store.save_edit(draft, "my edit", "s1")
        revision = await store.add_ai_revision(draft, "m", "v1", {"note": "shorter"}, "revise")
        await store.finish_revision(revision, status="done", text="revision 2")
        undone = await store.undo_last(brief_a)
        assert undone.kind == "edit" and "revision 2" in undone.blocked
        assert (await store.revisions(draft))[-1].text == "revision 2"  # nothing changed


# ---------------------------------------------------------------------------------------------------- the station
async def test_u_on_an_undecided_brief_leaves_another_briefs_approval_alone(tmp_path, llm_server):
    briefs = {"a.toml": {"banned": []}, "b.toml": {"banned": [], "title": "Autumn sale"}}
    async with station(tmp_path, llm_server, briefs=briefs) as (ws, app, pilot):
        assert app.review.shown_name == "a.toml"
        draft_a = app.review.current_state.draft_id
        await pilot.press("c", "space", "escape", "a")  # tick the required item, approve
        await settle(lambda: list(ws.outbox.iterdir()))
        await pilot.press("n")
        await settle(lambda: app.review.shown_name == "b.toml" and panes_done(app))
        await pilot.press("u")
        await settle(lambda: any("Nothing to undo" in t for t in toasts(app)))
        assert [p.name for p in ws.outbox.iterdir()] == ["spring-sale.md"]  # A's approval and its file stay
        async with observed(ws) as store:
            assert [d.kind for d in await store.decisions(draft_a)] == ["approve"]

        # On B: a score, undone by name.
        await pilot.press("tab", "4")
        draft_b2 = app.review.current_state.draft_id
        await pilot.press("u")
        await settle(lambda: "Undid: score 4 for voice on variant 2" in toasts(app))
        async with observed(ws) as store:
            assert await store.scores(draft_b2, "tester") == {}

        # Back on A: the approval is its last action; undone by name, with its outbox file.
        await pilot.press("p")
        await settle(lambda: app.review.shown_name == "a.toml" and panes_done(app))
        await pilot.press("u")
        await settle(lambda: "Undid: approve of variant 1" in toasts(app))
        assert list(ws.outbox.iterdir()) == []
        assert app.review.states[draft_a].decision is None
        await pilot.press("u")
        await settle(lambda: any(t.startswith("Undid: tick") for t in toasts(app)))
        await pilot.press("u")
        await settle(lambda: toasts(app)[-1].startswith("Nothing to undo"))
        async with observed(ws) as store:
            assert await store.ticks(draft_a) == {} and await store.decisions(draft_a) == []


async def test_u_takes_an_edit_back_to_the_text_before_it(tmp_path, llm_server):
    async with station(tmp_path, llm_server) as (ws, app, pilot):
        state = app.review.current_state
        original = state.text
        await pilot.press("e")
        editor = app.review.current_pane.editor
        editor.replace("Rewritten by hand.", (0, 0), editor.document.end)
        await pilot.press("escape")
        async with observed(ws) as store:
            await settle(lambda: store.revisions(state.draft_id))
            assert (await store.revisions(state.draft_id))[-1].text == "Rewritten by hand."
            await pilot.press("u")
            await settle(lambda: "Undid: edit of variant 1" in toasts(app))
            assert app.review.current_state.text == original and not app.review.current_state.edited
            assert "Rewritten" not in "".join(app.review.current_pane.body.lines_text())
            assert (await store.revisions(state.draft_id))[-1].text == original

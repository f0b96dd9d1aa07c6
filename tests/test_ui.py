"""The review station driven by Textual's Pilot, against the real store and the local OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import os
import tomllib
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import tomli_w

from waiting import wait_event, wait_until

from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.screens.diff import DiffScreen
from hitl_tui.workspace import Workspace, init_workspace

BRIEF = {"title": "Spring sale", "brief": "Announce 20% off annual plans.", "channel": "email",
         "banned": ["word3"], "variants": 2}


def make_workspace(root: Path, server, model: str = "ok-30", examples: bool = False, **extra) -> Workspace:
    init_workspace(root, examples=examples)
    config = tomllib.loads((root / "hitl.toml").read_text())
    config["drafting"]["models"] = [{"model": f"openai/{model}", "api_base": server.base_url, "label": model}]
    config["drafting"]["variants"] = 2
    config["inbox"]["settle_ms"] = 50
    for key, value in extra.items():
        config.setdefault(key, {}).update(value)
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    return Workspace.load(root, reviewer="tester")


def drop(ws: Workspace, name: str = "sale.toml", **fields) -> Path:
    path = ws.inbox / name
    path.write_text(tomli_w.dumps({**BRIEF, **fields}))
    return path


def panes_done(app: HitlApp, n: int = 2):
    return len(app.review.states) == n and all(s.status == "done" for s in app.review.states.values())


@asynccontextmanager
async def reviewing(tmp_path: Path, server, size: tuple[int, int] = (120, 40), **workspace):
    """The usual start: a workspace, the sale brief dropped in, the station open on it with both drafts done."""
    ws = make_workspace(tmp_path / "ws", server, **workspace)
    drop(ws)
    app = HitlApp(ws)
    async with app.run_test(size=size) as pilot:
        await wait_until(lambda: panes_done(app))
        yield ws, app, pilot


@asynccontextmanager
async def observed(ws: Workspace):
    """The workspace's log, opened as a second reader would."""
    async with Store.opened(ws.db_path, "observer") as store:
        yield store


async def test_dropped_brief_appears_and_streams(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, model="slow-60-10")
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)):
        await wait_event(app.ready, what="app.ready")
        assert app.review.rows == []
        drop(ws)
        await wait_until(lambda: [r.name for r in app.review.rows] == ["sale.toml"])
        # tokens arrive live, before the stream ends
        await wait_until(lambda: any(s.status == "streaming" and s.text for s in app.review.states.values()))
        await wait_until(lambda: panes_done(app))
        assert all(s.text.count("word") == 60 and s.tokens == 60 for s in app.review.states.values())
        assert {r.status for r in app.review.rows} == {"in review"}  # claimed by us while open
        pane = app.review.current_pane
        assert pane.state.gates and any(g.id == "banned" and g.status == "fail" for g in pane.state.gates)


async def test_scores_ticks_edit_approve_and_outbox(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        await pilot.press("4", "5", "2")
        async with observed(ws) as store:
            assert await store.scores(draft_id, "tester") == {"voice": 4, "accuracy": 5, "clarity": 2}
            await pilot.press("backspace", "3")  # back one dimension and re-score it
            assert (await store.scores(draft_id, "tester"))["clarity"] == 3
            await pilot.press("u")  # undo the last score
            assert (await store.scores(draft_id, "tester"))["clarity"] == 2

            # approve is refused: a banned word (required gate) and an unticked required item
            await pilot.press("a")
            assert not list(ws.outbox.iterdir())
            assert not await store.decisions(draft_id)

            await pilot.press("c", "space", "escape")
            assert await store.ticks(draft_id) == {"facts": True}

            # fix the draft inline; the edit autosaves within a second, before leaving the editor
            await pilot.press("e")
            await pilot.pause()
            assert "esc  Done editing" in str(app.query_one("#keys").content)  # the way out is on screen
            editor = app.review.current_pane.editor
            fixed = editor.text.replace("word3 ", "")
            editor.replace(fixed, (0, 0), editor.document.end)

            async def autosaved():
                revs = await store.revisions(draft_id)
                return revs[-1].kind == "human" and revs[-1].text == fixed

            await wait_until(autosaved)  # half a second after the last keystroke when the machine is idle
            await pilot.press("escape")
            assert not app.review.current_pane.editing

            await pilot.press("a")
            outbox = list(ws.outbox.iterdir())
            assert [p.name for p in outbox] == ["spring-sale.md"]
            text = outbox[0].read_text()
            front = tomllib.loads(text.split("+++")[1])
            assert front["brief"] == "sale.toml" and front["model"] == "openai/ok-30"
            assert front["reviewer"] == "tester" and front["prompt_version"] == "v1"
            assert front["scores"] == {"voice": 4, "accuracy": 5, "clarity": 2}
            assert {g["id"]: g["status"] for g in front["gates"]}["banned"] == "pass"
            assert 0 < front["human_edit_rate"] < 0.2 and "approved_at" in front
            assert front["checklist"] == {"facts": True, "legal": False}
            assert text.rstrip().endswith(fixed.rstrip())
            kinds = [e.kind for e in await store.events()]
            for kind in ("score", "score_undone", "tick", "edit", "approve", "gates", "claim"):
                assert kind in kinds, kind
            assert (await store.list_briefs())[0].status == "approved"

            await pilot.press("u")  # undo the approval: decision withdrawn, outbox file removed
            assert not list(ws.outbox.iterdir()) and not await store.decisions(draft_id)


async def test_override_and_reject_ask_for_reasons(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        await pilot.press("A")
        await wait_until(lambda: app.screen.is_modal)
        await pilot.press(*"legal ok", "enter")
        await wait_until(lambda: list(ws.outbox.iterdir()))
        front = tomllib.loads(next(ws.outbox.iterdir()).read_text().split("+++")[1])
        assert front["decision"] == "override" and front["override_reason"] == "legal ok"
        await pilot.press("tab", "x")
        await wait_until(lambda: app.screen.is_modal)
        await pilot.press("enter")  # an empty reason is refused
        assert app.screen.is_modal
        await pilot.press(*"off brand", "enter")
        async with observed(ws) as store:
            decisions = await wait_until(lambda: store.fetchall("SELECT kind, reason FROM decisions ORDER BY id"))
            assert [(d["kind"], d["reason"]) for d in decisions] == [("override", "legal ok"),
                                                                     ("reject", "off brand")]


async def test_revise_streams_revision_2_with_feedback_and_diff(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        await pilot.press("1")  # a low score travels with the feedback
        await pilot.press("r")
        await wait_until(lambda: app.screen.is_modal)
        await pilot.press(*"shorter please", "enter")
        await wait_until(lambda: app.review.states[draft_id].revision == 2 and app.review.states[draft_id].status == "done")
        async with observed(ws) as store:
            revs = await store.revisions(draft_id)
            assert [(r.kind, r.number, r.status) for r in revs] == [("ai", 1, "done"), ("ai", 2, "done")]
            feedback = json.loads(revs[1].feedback)
            assert feedback["note"] == "shorter please" and feedback["low_scores"] == {"voice": 1}
            assert any("banned" in g for g in feedback["failed_gates"])
            sent = llm_server.requests[-1]["messages"][-1]["content"]
            assert "shorter please" in sent and "## Previous draft" in sent
            # tracked items, marked in the commit that ended revision 2 (the test model ignores feedback)
            marks = {i.id: i.mark for i in await store.feedback_items(revs[1].id)}
            assert marks["gate:banned:word3"] == "not_addressed" and marks["score:voice:1"] == "unclear"
        await pilot.press("d")
        assert isinstance(app.screen, DiffScreen)
        assert "r2 AI" in str(app.screen.query_one("#diff-title").render())
        assert "shorter please" in str(app.screen.query_one("#diff-feedback").render())
        await pilot.press("escape")


async def test_two_instances_respect_the_claim(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server)
    drop(ws)
    first = HitlApp(ws)
    first_run = first.run_test(size=(120, 40))  # entered by hand: the first reviewer quits while the second stays
    await first_run.__aenter__()
    try:
        await wait_until(lambda: panes_done(first))
        colleague_ws = Workspace.load(ws.root)
        colleague_ws.config.reviewer = "colleague"
        second = HitlApp(colleague_ws)
        async with second.run_test(size=(120, 40)) as pilot2:
            await wait_event(second.ready, what="second.ready")
            await wait_until(lambda: second.review.current_name == "sale.toml")
            assert second.review.claimed_id is None and second.review.states == {}
            assert "In review by tester" in second.review.notice
            assert second.review.rows[0].status == "in review" and second.review.rows[0].claimed_by == "tester"
            await pilot2.press("a")  # nothing to approve: the brief is not open for review here
            assert not list(ws.outbox.iterdir())
            # The first reviewer quits: the claim is released, and the colleague's screen, still on that
            # brief, opens it for review by itself.
            await first_run.__aexit__(None, None, None)
            first_run = None
            await wait_until(lambda: second.review.claimed_id is not None and len(second.review.states) == 2)
            assert second.review.notice == "" and second.review.rows[0].claimed_by == "colleague"
    finally:
        if first_run is not None:
            await first_run.__aexit__(None, None, None)
    async with observed(ws) as store:
        assert await store.fetchall("SELECT * FROM claims") == []


async def test_llm_failure_shows_in_pane_and_app_keeps_running(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, model="auth")
    drop(ws)
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: len(app.review.states) == 2 and all(s.status == "failed" for s in app.review.states.values()))
        state = app.review.current_state
        assert state.error.startswith("The provider refused the API key (401)")  # plain words, not the class name
        assert "Incorrect API key" in state.error
        await pilot.press("g")  # retry key: fails again, the app stays up
        await wait_until(lambda: app.review.states[state.draft_id].revision == 2 and
                         app.review.states[state.draft_id].status == "failed")
        assert app.is_running


async def test_partial_text_is_kept_when_the_stream_drops(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, model="drop-6")
    drop(ws)
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: len(app.review.states) == 2 and all(s.status == "failed" for s in app.review.states.values()))
        assert app.review.current_state.text.count("word") == 6 and app.is_running


async def test_model_text_is_never_markup(tmp_path, llm_server):
    from fake_openai import MARKUP_TEXT

    ws = make_workspace(tmp_path / "ws", llm_server, model="markup")
    drop(ws, banned=[])
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: panes_done(app))
        body = app.review.current_pane.body
        strips = [body.render_line(y) for y in range(body.size.height)]  # what goes to the screen
        rendered = "".join(strip.text for strip in strips)
        assert "[bold red]news[/]" in rendered and "[link=http://x]" in rendered
        assert "\x1b" not in rendered and "\ufffd[31mred" in rendered
        assert not any(seg.style and seg.style.link for strip in strips for seg in strip)
        assert app.review.current_state.text == MARKUP_TEXT


async def test_invalid_brief_is_listed_with_its_reason(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server)
    (ws.inbox / "broken.toml").write_text('title = "x"\nmax_words = "lots"\n')
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)):
        await wait_event(app.ready, what="app.ready")
        await wait_until(lambda: app.review.rows)
        assert app.review.rows[0].status == "invalid" and "max_words" in app.review.rows[0].error
        assert "expected a whole number" in str(app.query_one("#summary").render())


async def test_dangling_link_is_listed_with_its_reason(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server)
    os.symlink("gone.toml", ws.inbox / "link.toml")
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(app.ready.wait(), 60)
        await wait_until(lambda: app.review.rows, timeout=60)
        assert [(r.name, r.status) for r in app.review.rows] == [("link.toml", "invalid")]
        assert "dangling link" in app.review.rows[0].error


async def test_keys_can_be_remapped_from_config(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server, keys={"approve_override": "v"}) as (ws, app, pilot):
        await pilot.press("v")
        await wait_until(lambda: app.screen.is_modal)
        await pilot.press("escape")


async def test_help_and_stats_screens(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape", "s")
        assert type(app.screen).__name__ == "StatsScreen"
        await wait_until(lambda: app.screen.loaded)
        assert "Approval rate" in app.screen.page_text()
        await pilot.press("escape")


@pytest.mark.parametrize("size", [(80, 24)])
async def test_narrow_terminal_shows_one_pane(tmp_path, llm_server, size):
    async with reviewing(tmp_path, llm_server, size=size) as (ws, app, pilot):
        visible = [p for p in app.query(".draft-pane") if p.display]
        assert len(visible) == 1 and visible[0] is app.review.current_pane
        await pilot.press("tab")
        visible = [p for p in app.query(".draft-pane") if p.display]
        assert visible == [app.review.current_pane] and app.review.pane_index == 1


async def test_narrow_checklist_zoom_note_and_diff_markers(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server, size=(80, 24)) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        async with observed(ws) as store:
            # 80 columns hide the checklist; c shows it in place of the gate details, space ticks
            assert not app.query_one("#checklist").display
            await pilot.press("c")
            await pilot.pause()
            assert app.query_one("#checklist").display and app.focused.id == "checklist"
            await pilot.press("space", "escape")
            assert await store.ticks(draft_id) == {"facts": True}
            assert not app.query_one("#checklist").display
            # z: the variant fills the screen; tab moves the zoom to the next one; z again restores
            await pilot.press("z")
            assert app.screen.maximized is app.review.current_pane
            await pilot.press("tab")
            assert app.screen.maximized is app.review.current_pane and app.review.pane_index == 1
            await pilot.press("z", "shift+tab")
            assert app.screen.maximized is None
            # a note is shown with the variant's details
            await pilot.press("o")
            await wait_until(lambda: app.screen.is_modal)
            await pilot.press(*"check the date", "enter")
            await wait_until(lambda: "check the date" in str(app.query_one("#gates .gates-text").render()))
            assert await store.note(draft_id) == "check the date"
            # an edit, then d: the diff marks what changed in text, not only in colour
            await pilot.press("e")
            editor = app.review.current_pane.editor
            editor.replace(editor.text.replace("word3 ", "WORDX "), (0, 0), editor.document.end)
            await pilot.press("escape", "d")
            body = str(app.screen.query_one("#diff-body").render())
            assert "[-word3-]" in body and "{+WORDX+}" in body


async def test_failed_variant_says_which_key_retries_and_txt_brief_shows_its_text(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ws", llm_server, model="auth", keys={"regenerate": "G"})
    (ws.inbox / "launch-note.txt").write_text("Tell studio owners that brand kits are live today.\n")
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: len(app.review.states) == 2 and all(s.status == "failed" for s in app.review.states.values()))
        error = str(app.review.current_pane.error.render())
        assert "Incorrect API key" in error and "G retries" in error
        summary = str(app.query_one("#summary").render())
        assert "Brief: Tell studio owners that brand kits are live today." in summary


async def test_theme_from_config_and_a_misspelt_one_warns_instead_of_crashing(tmp_path, llm_server):
    ws = make_workspace(tmp_path / "ansi", llm_server, ui={"theme": "ansi-dark"})
    app = HitlApp(ws, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-dark"  # the terminal's own 16 colours
    ws = make_workspace(tmp_path / "typo", llm_server, ui={"theme": "textual-ansi"})
    app = HitlApp(ws, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Headless runs keep notifications without mounting toasts; in a terminal this shows as a toast.
        toasts = " ".join(n.message for n in app._notifications)
        assert "ui.theme: no theme called 'textual-ansi'" in toasts and "ansi-dark" in toasts
        assert app.is_running and app.theme == "textual-dark"

"""Issue 12 in the station, driven by Pilot against a real hitl.db and the local OpenAI-compatible server: the revise
list (see, drop, instruct, send), the marks and ticks of what a revision was sent, the same in the history, and the
learned-rules review list (evidence, accept as a kind, edit, reject), each checked in the log and on screen."""

from __future__ import annotations

import tomllib

from test_ui import observed, reviewing
from waiting import wait_until

from hitl_tui.learning.rules_file import load_learned
from hitl_tui.store import Store
from hitl_tui.ui.screens.diff import DiffScreen
from hitl_tui.ui.screens.feedback import FeedbackScreen
from hitl_tui.ui.screens.revise import ReviseScreen
from hitl_tui.ui.screens.rules import RulesScreen
from hitl_tui.ui.widgets.feedback_items import ItemList


def shown(widget) -> str:
    return str(widget.render())


def listed(screen) -> list[str]:
    listing = screen.query_one(ItemList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def select(screen: RulesScreen, kind: str) -> dict:
    """Highlight the proposal of a kind (replace, delete, sign_off) in the rules list."""
    listing = screen.query_one("#rules-list")
    listing.highlighted = next(i for i, r in enumerate(screen.rows) if r.kind == kind)
    return screen.rows[listing.highlighted]


def status(screen: RulesScreen, proposal_id: str) -> str:
    return next(r.status for r in screen.rows if r.id == proposal_id)


async def open_revise(app, pilot) -> ReviseScreen:
    await pilot.press("r")
    return await wait_until(lambda: isinstance(app.screen, ReviseScreen) and app.screen)


async def test_revise_shows_the_items_and_sends_what_the_reviewer_kept_with_their_instruction(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        state = app.review.current_state
        draft_id = state.draft_id
        await pilot.press("1", "5", "5", "5")  # voice 1 (low), the rest fine
        screen = await open_revise(app, pilot)
        lines = listed(screen)
        assert any(line.startswith("[x] Failed check:") and "“word3”" in line for line in lines), lines
        assert any(line.startswith("[x] Low score: voice 1/5") for line in lines), lines
        assert "Feedback to send: 2 of 2 items" in shown(screen.query_one("#revise-count"))
        # the reviewer types an instruction, moves to the list, drops the low score and sends
        await pilot.press(*"shorter please")
        assert "— and your instruction" in shown(screen.query_one("#revise-count"))
        await pilot.press("tab")
        listing = screen.query_one(ItemList)
        assert screen.focused is listing
        listing.highlighted = next(i for i, line in enumerate(lines) if "Low score" in line)
        await pilot.press("space")
        assert "[ ] Low score: voice 1/5" in listed(screen)[listing.highlighted]
        assert "Feedback to send: 1 of 2 items" in shown(screen.query_one("#revise-count"))
        await pilot.press("enter")
        await wait_until(lambda: app.review.states[draft_id].revision == 2 and app.review.states[draft_id].status == "done")
        sent = llm_server.requests[-1]["messages"][-1]["content"]
        assert "- Instruction from the reviewer: shorter please" in sent
        assert "Low score" not in sent, "a dropped item is not sent"
        async with observed(ws) as store:
            revs = await store.revisions(draft_id)
            items = await store.feedback_items(revs[-1].id)
        assert [(i.kind, i.dropped) for i in items] == [("instruction", False), ("gate", False), ("score", True)]
        # marked when it finished (the test model ignores feedback); the station says so and shows it in details
        await wait_until(lambda: "r2 feedback 1 ✗ 1 ? (f)" in shown(app.review.query_one("#gates .gates-text")))


async def test_escape_on_the_revise_list_sends_nothing(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        seen = len(llm_server.requests)
        await open_revise(app, pilot)
        await pilot.press(*"never mind", "escape")
        await wait_until(lambda: not app.screen.is_modal)
        await pilot.pause(0.2)
        assert len(llm_server.requests) == seen and app.review.current_state.revision == 1
        async with observed(ws) as store:
            assert [r.kind for r in await store.revisions(app.review.current_state.draft_id)] == ["ai"]


async def test_ticks_are_one_key_each_logged_shown_in_history_and_what_is_left_carries_over(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        await pilot.press("f")  # nothing sent yet: a word, not an empty screen
        await pilot.pause(0.2)
        assert not app.screen.is_modal
        await pilot.press("1")
        await open_revise(app, pilot)
        await pilot.press(*"lead with the price", "enter")
        await wait_until(lambda: app.review.states[draft_id].revision == 2 and app.review.states[draft_id].status == "done")
        await wait_until(lambda: "r2 feedback" in shown(app.review.query_one("#gates .gates-text")))

        await pilot.press("f")
        screen = await wait_until(lambda: isinstance(app.screen, FeedbackScreen) and app.screen)
        lines = listed(screen)
        assert lines[0].startswith("? unclear") and "Instruction from the reviewer: lead with the price" in lines[0]
        assert lines[1].startswith("✗ not addressed") and "still uses “word3”" in lines[1], lines[1]
        assert lines[2].startswith("? unclear") and "Low score: voice 1/5" in lines[2]
        assert "Given no approved examples; 0 learned rules" in shown(screen.query_one("#feedback-memory"))
        # what the marks rest on: the test model wrote the same words again, and the screen says so
        assert "r2 is word for word the text it revised: nothing changed" in shown(screen.query_one("#feedback-text"))
        # y on the instruction (it moves on to the next item), u leaves the gate unclear, n on the score
        await pilot.press("y")
        await wait_until(lambda: listed(screen)[0].startswith("✓ addressed"))
        assert screen.query_one(ItemList).highlighted == 1
        await pilot.press("down", "n")
        await wait_until(lambda: listed(screen)[2].startswith("✗ not addressed"))
        assert "ticked by tester" in listed(screen)[2]
        assert "1 ✓ addressed · 2 ✗ not addressed" in shown(screen.query_one("#feedback-title"))
        await pilot.press("escape")
        await wait_until(lambda: "r2 feedback 1 ✓ 2 ✗ (f)" in shown(app.review.query_one("#gates .gates-text")))
        async with observed(ws) as store:
            ticks = [e for e in await store.events() if e.kind == "feedback_ticked"]
        assert [(e.reviewer, e.payload["mark"], e.payload["previous"]) for e in ticks] == \
            [("tester", "addressed", "unclear"), ("tester", "not_addressed", "unclear")]

        # the history shows the items with their marks
        await pilot.press("h")
        history = await wait_until(lambda: isinstance(app.screen, DiffScreen) and app.screen)
        feedback = shown(history.query_one("#diff-feedback"))
        assert "✓ addressed" in feedback and "Instruction from the reviewer: lead with the price" in feedback
        assert "ticked by tester" in feedback and "✗ not addressed" in feedback
        await pilot.press("escape")

        # the next revise: what was left not addressed comes first, marked as asked before; the ticked
        # instruction is not sent again
        screen = await open_revise(app, pilot)
        lines = listed(screen)
        assert "↻ asked in r2, not yet done" in lines[0] and "“word3”" in lines[0]
        assert "↻ asked in r2, not yet done" in lines[1] and "Low score: voice 1/5" in lines[1]
        assert not any("lead with the price" in line for line in lines)
        assert "2 carried over from the last revision" in shown(screen.query_one("#revise-count"))
        await pilot.press("escape")


async def test_rules_review_list_accepts_edits_and_rejects_with_the_evidence_shown(tmp_path, llm_server):
    from learned_history import craft

    from test_ui import make_workspace

    ws = make_workspace(tmp_path / "ws", llm_server)
    async with Store.opened(ws.db_path, "tester") as store:
        await craft(store)
    toml_before = (ws.root / "hitl.toml").read_bytes()
    from hitl_tui.ui.app import HitlApp

    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        screen = await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows and app.screen)
        rows = {r.proposal["summary"]: r for r in screen.rows}
        assert set(rows) == {"“utilize” → “use”", "sign off with “Cheers, The Acme crew”"}
        assert "2 open of 2 proposed" in shown(screen.query_one("#rules-title"))
        utilize = select(screen, "replace")
        await pilot.pause(0.1)
        detail = shown(screen.query_one("#rules-detail"))
        assert detail.startswith("“utilize” → “use”")
        assert "found in 3 pieces by ana, ben, cy" in detail and "Accept as: [banned]" in detail
        assert "• b1.toml (ana)\n    AI wrote  …News Hi there, Teams utilize Planner every day. Best, The…\n" \
            "    approved  …News Hi there, Teams use Planner every day. Cheers,…" in detail, detail
        # k: accept as a regex rule instead, shown before accepting; a accepts it
        await pilot.press("k")
        assert "Accept as: banned [regex] voice" in shown(screen.query_one("#rules-detail"))
        await pilot.press("a")
        await wait_until(lambda: status(screen, utilize.id) == "accepted")
        [rule] = load_learned(ws.rules_file)
        assert (rule.kind, rule.accepted_by, rule.summary) == ("regex", "tester", "“utilize” → “use”")
        assert (ws.root / "hitl.toml").read_bytes() == toml_before, "hitl.toml is never touched"
        # the sign-off, edited as a voice line
        select(screen, "sign_off")
        await pilot.press("k", "e")
        await wait_until(lambda: app.screen is not screen)
        await pilot.press("end", *" Keep it warm.", "enter")
        await wait_until(lambda: len(load_learned(ws.rules_file)) == 2)
        voice = next(r for r in load_learned(ws.rules_file) if r.kind == "voice")
        assert voice.say == "Sign off with “Cheers, The Acme crew”. Keep it warm."
        # r rejects the first one: its rule leaves the file
        select(screen, "replace")
        await pilot.press("r")
        await wait_until(lambda: [r.kind for r in load_learned(ws.rules_file)] == ["voice"])
        await wait_until(lambda: status(screen, utilize.id) == "rejected")
        await pilot.press("escape")
        async with observed(ws) as store:
            decided = [(e.kind, e.reviewer, e.payload.get("accepted_as"), e.payload.get("text"))
                       for e in await store.events() if e.kind.startswith("rule_") and e.kind != "rule_proposed"]
        assert decided == [("rule_accepted", "tester", "regex", None),
                           ("rule_accepted", "tester", "voice", "Sign off with “Cheers, The Acme crew”. Keep it warm."),
                           ("rule_rejected", "tester", None, None)]
        assert tomllib.loads((ws.root / "hitl.toml").read_text())  # still valid, unchanged


async def test_an_accepted_rule_gates_the_open_brief_at_once(tmp_path, llm_server):
    from learned_history import craft

    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        async with observed(ws) as store:
            await craft(store)
        assert not any("utilize" in r.label for r in app.review.current_state.gates)
        await pilot.press("L")
        screen = await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows and app.screen)
        utilize = select(screen, "replace")
        await pilot.press("a")
        await wait_until(lambda: status(screen, utilize.id) == "accepted")
        await pilot.press("escape")
        await wait_until(lambda: any(r.label == "learned: “utilize” → “use”" for r in app.review.current_state.gates))
        assert "learned: “utilize” → “use”" in shown(app.review.query_one("#gates .gates-text"))


async def test_an_invalid_edited_pattern_is_refused_and_nothing_is_written(tmp_path, llm_server):
    from learned_history import craft

    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        async with observed(ws) as store:
            await craft(store)
        await pilot.press("L")
        screen = await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows and app.screen)
        utilize = select(screen, "replace")
        await pilot.press("k", "e")
        await wait_until(lambda: app.screen is not screen)
        await pilot.press("end", *"(", "enter")
        await wait_until(lambda: app.screen is screen)
        await wait_until(lambda: any("not a valid regular expression" in str(n.message)
                                     for n in app._notifications))
        assert not ws.rules_file.exists() and status(screen, utilize.id) == "open"


async def test_at_80x24_the_evidence_scrolls_while_the_keys_stay_on_the_list(tmp_path, llm_server):
    from learned_history import craft

    async with reviewing(tmp_path, llm_server, size=(80, 24)) as (ws, app, pilot):
        async with observed(ws) as store:
            await craft(store)
        await pilot.press("L")
        screen = await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows and app.screen)
        box = screen.query_one("#rules-detail-box")
        await wait_until(lambda: box.max_scroll_y > 0)
        await pilot.press("pagedown")
        assert box.scroll_y > 0 and screen.focused is screen.query_one("#rules-list")
        await pilot.press("pageup")
        assert box.scroll_y == 0

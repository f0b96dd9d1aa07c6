"""Issue 12 in the station, driven by Pilot against a real hitl.db and the local OpenAI-compatible server: the revise
list (see, drop, instruct, send), the marks and ticks of what a revision was sent, the same in the history, and the
learned-rules review list (evidence, accept as a kind, edit, reject), each checked in the log and on screen."""

from __future__ import annotations

import tomllib

from textual import events

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


LANDING = ('Landing page hero for our customer story with {who}. They cut {what} after moving feedback into our '
           'shared boards. The call to action is "Read the story".')
CUSTOMERS = [("a-northwind.txt", "Northwind Studio", "client review rounds from five to two"),
             ("b-fabrikam.txt", "Fabrikam Design", "client approval time from ten days to three"),
             ("c-contoso.txt", "Contoso Agency", "handoff time from a week to a day"),
             ("d-tailspin.txt", "Tailspin Studio", "revision requests from six to two")]


def offline_workspace(root):
    """A fresh `hitl init` workspace on the offline drafter (its fast pace: the same writer without the delay), one
    variant a brief."""
    import tomli_w

    from hitl_tui.workspace import Workspace, init_workspace

    init_workspace(root, examples=False)
    config = tomllib.loads((root / "hitl.toml").read_text())
    config["drafting"]["models"] = [{"model": "hitl-offline/fast", "label": "offline"}]
    config["drafting"]["variants"] = 1
    config["inbox"]["settle_ms"] = 50
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    return Workspace.load(root, reviewer="tester")


async def test_the_same_edit_on_three_briefs_becomes_a_rule_that_gates_the_next_draft_by_keys_alone(tmp_path):
    """Issue 12's "done when", as a reviewer does it: on three briefs the reviewer opens the editor (e), changes the
    offline drafter's "our shared boards" to "the shared boards" with the keyboard, leaves it (escape), ticks the
    required item and approves (a); L proposes the rule with the three pieces as evidence, a accepts it as a banned
    word, and the draft of the next brief dropped in is checked by that learned gate and passes it."""
    import re

    from hitl_tui.ui.app import HitlApp

    ws = offline_workspace(tmp_path / "ws")
    for name, who, what in CUSTOMERS[:3]:
        (ws.inbox / name).write_text(LANDING.format(who=who, what=what))
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        review = app.review

        async def open_by_keys(name: str) -> None:
            await wait_until(lambda: name in [r.name for r in review.rows])
            while review.current_name != name:
                await pilot.press("n")
            await wait_until(lambda: review.shown_name == name and review.current_state is not None
                             and review.current_state.status == "done", what=f"{name} drafted and shown")

        for name, who, _ in CUSTOMERS[:3]:
            await open_by_keys(name)
            await pilot.press("e")
            pane = review.current_pane
            editor = await wait_until(lambda: pane.editing and pane.editor)
            found = re.search(r"\bour shared boards", editor.text)
            assert found, editor.text
            before = editor.text[:found.start()]
            editor.cursor_location = (before.count("\n"), len(before.rsplit("\n", 1)[-1]))  # the reviewer's cursor
            await pilot.press("delete", "delete", "delete", *"the")
            await pilot.press("escape")  # leaves the editor, saved
            assert not pane.editing
            await pilot.press("c", "space", "escape", "a")  # the required checklist item, then approve
            await wait_until(lambda: any(who.split()[0].lower() in p.read_text().lower()
                                         for p in ws.outbox.iterdir()), what=f"{name} approved")
            approved = next(p for p in ws.outbox.iterdir() if who in p.read_text()).read_text()
            assert "into the shared boards" in approved and "our shared" not in approved

        await pilot.press("L")
        screen = await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows and app.screen)
        [row] = screen.rows
        assert (row.proposal["summary"], row.pieces, row.status) == ("“our” → “the”", 3, "open")
        detail = shown(screen.query_one("#rules-detail"))
        assert "found in 3 pieces by tester" in detail and "Accept as: [banned]" in detail
        for name, _, _ in CUSTOMERS[:3]:
            assert f"• {name} (tester)\n    AI wrote  …" in detail
        assert detail.count("moved feedback into our shared boards.") == 3  # as the AI wrote it
        assert detail.count("moved feedback into the shared boards.") == 3  # as approved
        await pilot.press("a")
        await wait_until(lambda: screen.rows[0].status == "accepted")
        [rule] = load_learned(ws.rules_file)
        assert (rule.kind, rule.text, rule.accepted_by) == ("banned", "our", "tester")
        await pilot.press("escape")
        await wait_until(lambda: app.screen is review)

        # the next brief: its draft is written with the rule in its prompt and checked by the learned gate
        name, who, what = CUSTOMERS[3]
        (ws.inbox / name).write_text(LANDING.format(who=who, what=what))
        await open_by_keys(name)
        state = review.current_state
        [learned] = [g for g in state.gates if g.label.startswith("learned:")]
        assert (learned.label, learned.status) == ("learned: “our” → “the”", "pass"), state.text
        assert not re.search(r"\bour\b", state.text, re.IGNORECASE) and "the shared boards" in state.text
        assert "✓ learned: “our” → “the”" in shown(review.query_one("#gates .gates-text"))


async def test_the_rules_dialogs_keys_come_from_the_action_table_and_can_be_remapped(tmp_path, llm_server):
    """[keys] rules_accept = "v": the dialog's keys are actions like the station's — the key works, the old one no
    longer does, and the hint line, the help screen (?) and the palette all say v."""
    from learned_history import craft

    async with reviewing(tmp_path, llm_server, keys={"rules_accept": "v"}) as (ws, app, pilot):
        async with observed(ws) as store:
            await craft(store)
        await pilot.press("L")
        screen = await wait_until(lambda: isinstance(app.screen, RulesScreen) and app.screen.rows and app.screen)
        utilize = select(screen, "replace")
        assert "v accept · k accept as…" in str(screen.query_one(".dialog.rules > Static:last-child").render())
        palette = {c.title: c.help for c in app.get_system_commands(screen)}
        assert palette["Accept the proposal as the kind shown"] == "rules_accept (v)"
        await pilot.press("a")  # the default key is free now: nothing happens
        await pilot.pause(0.2)
        assert status(screen, utilize.id) == "open" and not ws.rules_file.exists()
        await pilot.press("v")
        await wait_until(lambda: status(screen, utilize.id) == "accepted")
        assert [r.kind for r in load_learned(ws.rules_file)] == ["banned"]
        await pilot.press("question_mark")
        await wait_until(lambda: type(app.screen).__name__ == "HelpScreen")
        rows = app.screen.rows
        assert ("v", "Accept the proposal as the kind shown", "rules_accept") in rows
        assert ("r", "Reject: never proposed again", "rules_reject") in rows
        await pilot.press("escape")
        await wait_until(lambda: app.screen is screen)


def test_a_key_clash_inside_a_dialog_is_reported_and_one_across_screens_is_not():
    from hitl_tui.keymap import ACTIONS, key_clashes

    keys = {a.id: a.key for a in ACTIONS}
    [warning] = key_clashes(keys | {"rules_reject": "a"})  # the rules dialog's accept key
    assert "rules_reject and rules_accept are both on 'a'" in warning and "'a' does rules_reject" in warning
    [warning] = key_clashes(keys | {"feedback_addressed": "n"})
    assert "feedback_not_addressed and feedback_addressed" in warning or \
        "feedback_addressed and feedback_not_addressed" in warning
    assert "revise_toggle and next item (fixed)" in key_clashes(keys | {"revise_toggle": "down"})[0]
    assert key_clashes(keys | {"rules_accept": "x", "feedback_addressed": "a"}) == []  # x rejects in the station only


async def test_a_clash_in_a_dialogs_keys_is_shown_when_the_station_starts(tmp_path, llm_server):
    async with reviewing(tmp_path, llm_server, keys={"feedback_unclear": "y"}) as (ws, app, pilot):
        await wait_until(lambda: any("feedback_unclear" in str(n.message) and "feedback_addressed" in str(n.message)
                                     for n in app._notifications))


KEY_NAMES = {" ": "space", ",": "comma"}


async def test_an_instruction_typed_right_after_r_goes_into_the_revise_list_not_to_the_station(tmp_path, llm_server):
    """A reviewer presses r and types at once, before the list has loaded its items: every key is the instruction's.
    Before, keys typed while the list loaded were station keys: the "a" of "a warmer tone" approved the variant."""
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        for key, char in [("r", "r")] + [(KEY_NAMES.get(c, c), c) for c in "a warmer tone, ask for a reply"]:
            app.post_message(events.Key(key, char))  # as a terminal sends them: all queued before the list opens
        screen = await wait_until(lambda: isinstance(app.screen, ReviseScreen) and app.screen)
        instruction = screen.query_one("#revise-instruction")
        await wait_until(lambda: instruction.value == "a warmer tone, ask for a reply", what=repr(instruction.value))
        async with observed(ws) as store:
            assert not await store.fetchall("SELECT 1 FROM decisions")  # nothing approved or rejected
        assert not list(ws.outbox.iterdir())
        await pilot.press("enter")
        await wait_until(lambda: app.review.states[draft_id].revision == 2 and app.review.states[draft_id].status == "done")
        assert "- Instruction from the reviewer: a warmer tone, ask for a reply" in \
            llm_server.requests[-1]["messages"][-1]["content"]


async def test_an_instruction_and_enter_typed_at_once_after_r_send_the_instruction(tmp_path, llm_server):
    """The whole of "r", the instruction and enter in one bunch (tmux send-keys, a paste, SSH): the revise list's enter
    (a priority key) must not send before its input has taken the letters typed before it. Replayed all at once, it
    sent an empty instruction."""
    async with reviewing(tmp_path, llm_server) as (ws, app, pilot):
        draft_id = app.review.current_state.draft_id
        keys = [("r", "r")] + [(KEY_NAMES.get(c, c), c) for c in "a warmer tone, ask for a reply"] + [("enter", "\r")]
        for key, char in keys:
            app.post_message(events.Key(key, char))
        await wait_until(lambda: app.review.states[draft_id].revision == 2 and app.review.states[draft_id].status == "done")
        assert "- Instruction from the reviewer: a warmer tone, ask for a reply" in \
            llm_server.requests[-1]["messages"][-1]["content"]

"""Rules learned from edits, as a team uses them: mining a crafted history in a real hitl.db, `hitl rules` to list,
accept and reject, the accepted rules written beside hitl.toml (which stays byte for byte), and the next draft and
check gated by them — also in an engine that was running when the rule was accepted."""

from __future__ import annotations

import asyncio
import json
import logging

from clirun import hitl
from learned_history import craft

from hitl_tui.briefs import Brief
from hitl_tui.config import ModelSpec
from hitl_tui.drafting import DraftEngine
from hitl_tui.gates import gate_spec, run_gates
from hitl_tui.learning.rules_file import RULES_FILE, load_learned
from hitl_tui.store import Store

NEW_BRIEF = ('title = "Planner for studios"\nchannel = "email"\ncta = "Start a free trial"\n'
             'audience = "studio owners"\n'
             'brief = "Studios utilize Planner to plan a month of work in an hour. Start a free trial today."\n')


def _craft(ws) -> None:
    async def run():
        async with Store.opened(ws.db_path, "seed") as store:
            await craft(store)

    asyncio.run(run())


def _json(*args, cwd):
    result = hitl(*args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_mined_proposals_are_accepted_into_the_rules_file_and_gate_the_next_draft(workspace):
    root = workspace.root
    toml_before = (root / "hitl.toml").read_bytes()
    _craft(workspace)
    proposals = {p["summary"]: p for p in _json("rules", cwd=root)}
    assert set(proposals) == {"“utilize” → “use”", "sign off with “Cheers, The Acme crew”"}, \
        "two briefs cutting a phrase, or one price change, is not a pattern"
    utilize = proposals["“utilize” → “use”"]
    assert (utilize["status"], utilize["kind"], utilize["pattern"], utilize["pieces"]) == \
        ("open", "replace", "utilize", 3)
    assert utilize["reviewers"] == ["ana", "ben", "cy"] and utilize["options"] == ["banned", "regex", "voice"]
    assert [e["brief"] for e in utilize["examples"]] == ["b1.toml", "b2.toml", "b3.toml"]
    sign_off = proposals["sign off with “Cheers, The Acme crew”"]

    accepted = hitl("rules", "accept", utilize["id"], "--reviewer", "dana", cwd=root)
    assert accepted.returncode == 0, accepted.stderr
    assert f"Accepted {utilize['id']} as banned" in accepted.stdout
    assert hitl("rules", "accept", sign_off["id"], cwd=root).returncode == 0
    wrong = hitl("rules", "accept", sign_off["id"], "--as", "banned", cwd=root)
    assert wrong.returncode == 2 and "can be accepted as regex or voice, not banned" in wrong.stderr

    assert (root / "hitl.toml").read_bytes() == toml_before, "hitl.toml is never rewritten"
    rules = load_learned(root / RULES_FILE)
    assert [(r.id, r.kind, r.accepted_by) for r in rules] == [(utilize["id"], "banned", "dana"),
                                                             (sign_off["id"], "regex", workspace.config.reviewer)]
    statuses = {p["id"]: (p["status"], p["accepted_as"], p["decided_by"]) for p in _json("rules", cwd=root)}
    assert statuses[utilize["id"]] == ("accepted", "banned", "dana")

    # hitl check: a text that says "utilize" and lacks the sign-off fails both learned gates.
    (root / "briefs" / "studios.toml").write_text(NEW_BRIEF)
    (root / "copy.txt").write_text("Subject: Hi\n\nStudios utilize Planner. Start a free trial.\n\nBest,\nThe team")
    check = hitl("check", "copy.txt", "--brief", "studios.toml", "--json", cwd=root)
    failed = {g["id"]: g["source"] for g in json.loads(check.stdout)["gates"] if g["status"] == "fail"}
    assert check.returncode == 1
    assert failed["rule:learned: “utilize” → “use”"] == f"{RULES_FILE} {utilize['id']}"
    assert "rule:learned: sign off with “Cheers, The Acme crew”" in failed

    # The next draft (offline drafter) was told the rules and passes them.
    drafted = _json("draft", "studios.toml", "--model", "hitl-offline/fast", "--variants", "1", cwd=root)
    text = drafted[0]["text"]
    assert "utilize" not in text and "Studios use Planner" in text and text.endswith("Cheers,\nThe Acme crew"), text

    async def gates():
        async with Store.opened(workspace.db_path) as store:
            return await store.fetchall(
                "SELECT g.gate, g.status FROM gate_results g JOIN revisions r ON r.id = g.revision_id "
                "WHERE r.text = ? AND g.gate LIKE 'rule:learned%'", (text,))

    assert sorted(g["status"] for g in asyncio.run(gates())) == ["pass", "pass"]

    rejected = hitl("rules", "reject", utilize["id"], cwd=root)
    assert rejected.returncode == 0 and "Rejected" in rejected.stdout
    assert [r.id for r in load_learned(root / RULES_FILE)] == [sign_off["id"]], "rejecting takes the rule out"
    assert utilize["id"] not in {p["id"] for p in _json("rules", cwd=root) if p["status"] == "open"}

    async def decisions():
        async with Store.opened(workspace.db_path) as store:
            return [(e.kind, e.reviewer, e.payload["proposal_id"]) for e in await store.events()
                    if e.kind.startswith("rule_")]

    logged = asyncio.run(decisions())
    assert [k for k, *_ in logged].count("rule_proposed") == 2
    assert ("rule_accepted", "dana", utilize["id"]) in logged and ("rule_rejected", workspace.config.reviewer,
                                                                   utilize["id"]) in logged


def test_ignored_proposals_come_back_only_once_they_spread(workspace):
    _craft(workspace)
    root = workspace.root
    utilize = next(p for p in _json("rules", cwd=root) if p["kind"] == "replace")
    assert hitl("rules", "ignore", utilize["id"], cwd=root).returncode == 0
    assert next(p for p in _json("rules", cwd=root) if p["id"] == utilize["id"])["status"] == "ignored"

    async def one_more():
        from learned_history import approve, email

        async with Store.opened(workspace.db_path, "seed") as store:
            await approve(store, "b9.toml", email("We utilize it."), email("We use it."), "eve")

    asyncio.run(one_more())
    back = next(p for p in _json("rules", cwd=root) if p["id"] == utilize["id"])
    assert (back["status"], back["pieces"]) == ("open", 4)


def test_the_threshold_comes_from_the_learning_settings(workspace):
    root = workspace.root
    text = (root / "hitl.toml").read_text() + ""
    (root / "hitl.toml").write_text(text.replace("min_pieces = 3", "min_pieces = 2"))
    _craft(workspace)
    summaries = {p["summary"] for p in _json("rules", cwd=root)}
    assert "delete “in today's fast-paced world”" in summaries


async def test_a_running_engine_gates_with_a_rule_accepted_after_it_started(workspace, tmp_path):
    from hitl_tui.feedback_loop import rules

    async with Store.opened(workspace.db_path, "dana") as store:
        await craft(store)
        engine = DraftEngine(store, workspace.config, log_file=tmp_path / "hitl.log", learned=workspace.learned_rules)
        brief = Brief(name="studio.toml", title="Planner", channel="email", cta="Start a free trial",
                      brief="Studios utilize Planner to plan a month in an hour.", content_hash="s1")
        version = (await store.sync_brief(brief)).version_id
        fast = [ModelSpec("hitl-offline/fast")]
        [before] = await engine.draft_brief(brief, version, models=fast, variants=1)
        assert "utilize" in before.text
        found = await rules.refresh_proposals(workspace, store)
        # accepted by another process: only the file changes under this engine
        from hitl_tui.workspace import Workspace

        other = Workspace.load(workspace.root)
        await rules.accept(other, store, next(p.id for p in found if p.kind == "replace"))
        [after] = await engine.draft_brief(brief, version, models=fast, variants=1)
        assert "utilize" not in after.text and "Studios use Planner" in after.text
        gates = await store.fetchall("SELECT gate, status FROM gate_results WHERE revision_id=? AND gate LIKE "
                                     "'rule:learned%'", (after.revision_id,))
        assert gates == [{"gate": "rule:learned: “utilize” → “use”", "status": "pass"}]
        memory = json.loads((await store.revision(after.revision_id)).examples)
        assert memory["lines"] == ["Never write “utilize”; write “use”."]


def test_a_broken_learning_setting_or_rules_file_is_one_line(workspace):
    root = workspace.root
    good = (root / "hitl.toml").read_text()
    (root / "hitl.toml").write_text(good.replace("examples = 3", 'examples = "many"'))
    result = hitl("rules", cwd=root)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "learning.examples: expected an integer from 0 to 20, got 'many'" in result.stderr
    (root / "hitl.toml").write_text(good)
    (root / RULES_FILE).write_text('[[rule]]\nid = 3\nkind = "banned"\ntext = "x"\nsay = "y"\n')
    result = hitl("check", "hitl.toml", cwd=root)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"{RULES_FILE}: rule[0].id: expected str, got 3" in result.stderr


def test_a_rules_file_broken_while_running_keeps_the_rules_read_before(workspace):
    from hitl_tui.learning.mining import Proposal
    from hitl_tui.learning.rules_file import add_learned, rule_from_proposal
    from hitl_tui.workspace import Workspace

    proposal = Proposal("lr-00000000aa", "replace", "utilize", "use", 3)
    add_learned(workspace.rules_file, rule_from_proposal(proposal, "banned", "ana"))
    ws = Workspace.load(workspace.root)
    assert [r.id for r in ws.learned_rules()] == ["lr-00000000aa"]
    gate = "rule:learned: “utilize” → “use”"
    assert gate in {g.id for g in run_gates("We utilize it.", gate_spec(ws.config, None))}
    ws.rules_file.write_text("not toml [")
    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())  # the "hitl" logger may be routed to a file
    logging.getLogger("hitl.learning").addHandler(handler)
    try:
        assert [r.id for r in ws.learned_rules()] == ["lr-00000000aa"]
        assert [r.id for r in ws.learned_rules()] == ["lr-00000000aa"]
    finally:
        logging.getLogger("hitl.learning").removeHandler(handler)
    assert len(said) == 1, "said once per change of the file"
    assert "keeping the learned rules read before" in said[0] and "not valid TOML" in said[0]
    ws.rules_file.unlink()
    assert ws.learned_rules() == [] and gate not in {g.id for g in run_gates("We utilize it.",
                                                                              gate_spec(ws.config, None))}


def test_a_proposal_accepted_in_the_reviewers_own_words_gates_with_them_and_a_broken_pattern_is_refused(workspace):
    _craft(workspace)
    root = workspace.root
    utilize = next(p for p in _json("rules", cwd=root) if p["kind"] == "replace")
    broken = hitl("rules", "accept", utilize["id"], "--as", "regex", "--text", "utili[sz", cwd=root)
    assert broken.returncode == 2 and "not a valid regular expression" in broken.stderr
    assert not (root / RULES_FILE).exists(), "nothing written for a refused rule"
    accepted = hitl("rules", "accept", utilize["id"], "--as", "regex", "--text", r"\butili[sz]e", cwd=root)
    assert accepted.returncode == 0, accepted.stderr
    [rule] = load_learned(root / RULES_FILE)
    assert (rule.kind, rule.text) == ("regex", r"\butili[sz]e")
    from hitl_tui.workspace import Workspace

    spec = gate_spec(Workspace.load(root).config, Brief(name="x", title="x", brief="x", channel="email"))
    failed = [r for r in run_gates("Teams utilise Planner.", spec) if r.status == "fail"]
    assert [r.label for r in failed] == ["learned: “utilize” → “use”"], "the British spelling is caught too"
    # accepted again as a banned word, edited: the rule is replaced, not doubled
    assert hitl("rules", "accept", utilize["id"], "--text", "utilise", cwd=root).returncode == 0
    [rule] = load_learned(root / RULES_FILE)
    assert (rule.kind, rule.text, rule.say) == ("banned", "utilise", "Never write “utilise”; write “use”.")


def test_a_failing_learned_gate_says_what_is_wrong_in_words_not_its_pattern(workspace):
    """The station's gate panel showed "no match for /(?<!\\w)Cheers\\s*,\\s*The\\s+Acme\\s+crew(?!\\w)/"."""
    _craft(workspace)
    root = workspace.root
    for p in _json("rules", cwd=root):
        assert hitl("rules", "accept", p["id"], "--as", "regex", cwd=root).returncode == 0
    from hitl_tui.workspace import Workspace

    spec = gate_spec(Workspace.load(root).config, Brief(name="x", title="x", brief="x", channel="email"))
    failed = {r.label: r.message for r in run_gates("Teams utilize it. Utilize it!\n\nBest,\nThe team", spec)
              if r.status == "fail"}
    assert failed == {"learned: sign off with “Cheers, The Acme crew”": "missing",
                      "learned: “utilize” → “use”": "used 2 times"}


def test_a_rule_accepted_after_start_gates_through_the_config_the_station_holds(workspace):
    """Loaded without learned-rules.toml (the rules module is not even loaded then), the workspace's config is
    still its own copy: a rule accepted later changes that object's checklists, not hitl.toml's."""
    from hitl_tui.learning.mining import Proposal
    from hitl_tui.learning.rules_file import add_learned, rule_from_proposal
    from hitl_tui.workspace import Workspace

    ws = Workspace.load(workspace.root)
    held = ws.config  # what the station keeps for its lifetime
    assert ws.learned_rules() == [] and held is not ws.base_config
    add_learned(ws.rules_file, rule_from_proposal(Proposal("lr-00000000bb", "replace", "utilize", "use", 3),
                                                  "banned", "ana"))
    assert [r.id for r in ws.learned_rules()] == ["lr-00000000bb"] and ws.config is held
    gate = "rule:learned: “utilize” → “use”"
    assert gate in {g.id for g in run_gates("We utilize it.", gate_spec(held, None))}
    assert gate not in {g.id for g in run_gates("We utilize it.", gate_spec(ws.base_config, None))}

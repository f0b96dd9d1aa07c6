"""Rules learned from edits: mining a crafted history of approved edits, stable proposal ids, accepted proposals
written to the workspace's learned-rules file (hitl.toml untouched), and learned rules enforced as gates."""

from __future__ import annotations

import multiprocessing
import os
import stat
import tomllib

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.config import load_config
from hitl_tui.defaults import starter_config
from hitl_tui.gates import FAIL, PASS, gate_spec, run_gates
from hitl_tui.learning.mining import ApprovedEdit, mine_proposals, proposal_id
from hitl_tui.learning.rules_file import (RULES_FILE, LearnedRulesError, add_learned, apply_learned, load_learned,
                                          prompt_lines, remove_learned, rule_from_proposal, words_pattern)
from hitl_tui.learning.voice_memory import build_memory
from hitl_tui.offline_copy import compose
from hitl_tui.prompts import build_draft_messages


def _email(body: str, closing: str = "Best,\nThe team") -> str:
    return f"Subject: News\n\nHi there,\n\n{body}\n\n{closing}"


def _history() -> list[ApprovedEdit]:
    """Four briefs, three reviewers. Recurring: utilize → use (3 briefs), "In today's fast-paced world," deleted
    (3 briefs), a new sign-off (3 email briefs). Not recurring enough: leverage → use (2), a price fix (3, but
    numbers are facts), and brief 1's second approval (a re-approved version of the same brief counts once)."""
    rows = [
        ("b1", "ana", "In today's fast-paced world, teams utilize Planner to leverage their time. Only $49.",
         "Teams use Planner to use their time. Only $39.", True),
        ("b1", "ana", "We utilize Planner daily. Only $49.", "We use Planner daily. Only $39.", True),
        ("b2", "ben", "In today's fast-paced world, you utilize calendars. Only $49 a month.",
         "You use calendars. Only $39 a month.", True),
        ("b3", "cy", "Agencies utilize our board. In today's fast-paced world, speed matters. Leverage it.",
         "Agencies use our board. Speed matters. Use it.", True),
        ("b4", "ana", "In today's fast-paced world, clients wait. Price: $49.", "Clients wait. Price: $39.", False),
    ]
    edits = []
    for piece, who, before, after, signs in rows:
        after_text = _email(after, "Cheers,\nThe Acme crew") if signs else _email(after)
        edits.append(ApprovedEdit(piece, _email(before), after_text, brief=f"{piece}.toml", reviewer=who,
                                  channel="email"))
    return edits


def _proposals(**kw):
    return {p.summary: p for p in mine_proposals(_history(), **kw)}


def test_mining_finds_recurring_replacements_deletions_and_sign_offs_in_distinct_pieces():
    found = _proposals(min_pieces=3)
    assert set(found) == {"“utilize” → “use”", "delete “in today's fast-paced world”",
                          "sign off with “Cheers, The Acme crew”"}
    utilize = found["“utilize” → “use”"]
    assert utilize.pieces == 3, "brief b1 approved twice still counts once"
    assert utilize.reviewers == ["ana", "ben", "cy"] and utilize.channels == ["email"]
    assert [e.brief for e in utilize.examples] == ["b1.toml", "b2.toml", "b3.toml"]
    assert "utilize Planner" in utilize.examples[0].before and "use Planner" in utilize.examples[0].after
    assert found["delete “in today's fast-paced world”"].pieces == 4
    assert found["sign off with “Cheers, The Acme crew”"].options == ("regex", "voice")


def test_the_threshold_is_configurable_and_counts_pieces_not_edits():
    assert "“leverage” → “use”" in _proposals(min_pieces=2)
    assert "“leverage” → “use”" not in _proposals(min_pieces=3)
    assert _proposals(min_pieces=5) == {}
    assert not any("49" in s or "39" in s for s in _proposals(min_pieces=2)), "numbers are facts, not style"


def test_proposal_ids_are_stable_and_rejected_or_ignored_ones_stay_away():
    first = _proposals()["“utilize” → “use”"]
    assert first.id == proposal_id("replace", "Utilize", "use ") == _proposals()["“utilize” → “use”"].id
    assert first.id != proposal_id("replace", "utilize", "apply")
    assert first.summary not in {p.summary for p in mine_proposals(_history(), skip={first.id})}
    held = {first.id: 3}  # ignored when it was in 3 pieces: back only once it spreads further
    assert first.summary not in {p.summary for p in mine_proposals(_history(), held=held)}
    more = _history() + [ApprovedEdit("b9", "We utilize it.", "We use it.", reviewer="dan")]
    assert first.summary in {p.summary for p in mine_proposals(more, held=held)}


@pytest.fixture
def workspace(tmp_path):
    import tomli_w

    (tmp_path / "hitl.toml").write_text("# our team settings\n" + tomli_w.dumps(starter_config()))
    return tmp_path


def test_accepting_writes_the_rules_file_leaves_hitl_toml_alone_and_the_next_draft_is_gated(workspace):
    hitl_toml = (workspace / "hitl.toml").read_bytes()
    found = _proposals()
    path = workspace / RULES_FILE
    banned = rule_from_proposal(found["“utilize” → “use”"], "banned", "ana", at=0)
    assert banned.channel == "email", "every example was email: the rule is scoped to email"
    assert add_learned(path, banned) is True
    assert add_learned(path, banned) is False, "the same proposal is accepted once"
    sign_off = rule_from_proposal(found["sign off with “Cheers, The Acme crew”"], "regex", "ben", at=0)
    voice = rule_from_proposal(found["delete “in today's fast-paced world”"], "voice", "cy", at=0, channel="")
    add_learned(path, sign_off)
    add_learned(path, voice)
    assert (workspace / "hitl.toml").read_bytes() == hitl_toml
    assert load_learned(path) == [banned, sign_off, voice]
    assert tomllib.loads(path.read_text())["rule"][0]["accepted_by"] == "ana"

    config = apply_learned(load_config(workspace / "hitl.toml"), load_learned(path))
    brief = Brief(name="next.toml", title="Next", channel="email", brief="Announce it.")
    gates = {g.id: g for g in run_gates("Subject: Next\n\nWe utilize it.\n\nBest,\nThe team", gate_spec(config, brief))}
    assert gates["rule:learned: “utilize” → “use”"].status == FAIL
    assert gates["rule:learned: “utilize” → “use”"].source == f"{RULES_FILE} {banned.id}"
    assert gates["rule:learned: sign off with “Cheers, The Acme crew”"].status == FAIL
    assert gates["rule:no exclamation pile-ups"].status == PASS, "hitl.toml's own rules still apply"
    good = {g.id: g for g in run_gates("Subject: Next\n\nWe use it.\n\nCheers,\nThe Acme crew",
                                       gate_spec(config, brief))}
    assert good["rule:learned: “utilize” → “use”"].status == PASS
    assert good["rule:learned: sign off with “Cheers, The Acme crew”"].status == PASS
    sms = {g.id for g in run_gates("We utilize it.", gate_spec(config, Brief(name="s.toml", channel="sms")))}
    assert "rule:learned: “utilize” → “use”" not in sms, "an email-only rule does not gate SMS"

    lines = prompt_lines(load_learned(path), channel="email")
    assert lines == ["Never write “utilize”; write “use”.", "Sign off with “Cheers, The Acme crew”.",
                     "Never write “in today's fast-paced world”."]
    assert prompt_lines(load_learned(path), channel="sms") == ["Never write “in today's fast-paced world”."]

    assert remove_learned(path, banned.id) is True and remove_learned(path, banned.id) is False
    assert [r.id for r in load_learned(path)] == [sign_off.id, voice.id]


def test_learned_rules_reach_the_prompt_the_offline_drafter_reads(workspace):
    path = workspace / RULES_FILE
    add_learned(path, rule_from_proposal(_proposals()["“utilize” → “use”"], "banned", "ana", at=0))
    brief = Brief(name="n.toml", title="Planner", channel="email", brief="Announce the planner.")
    memory = build_memory([], prompt_lines(load_learned(path), channel="email"), channel="email")
    user = build_draft_messages(brief, load_config(workspace / "hitl.toml"), 0, memory)[1]["content"]
    assert user.rstrip().endswith("## Learned rules\n- Never write “utilize”; write “use”.")
    assert compose(user), "the offline drafter still reads the brief with the section present"


def _accept_in_process(args):
    folder, n = args
    from hitl_tui.learning.mining import Proposal

    proposal = Proposal(proposal_id("delete", f"word{n}", ""), "delete", f"word{n}", "", 3)
    return add_learned(folder / RULES_FILE, rule_from_proposal(proposal, "banned", f"r{n}", at=0))


def test_reviewers_accepting_at_once_lose_nothing(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert all(pool.map(_accept_in_process, [(tmp_path, n) for n in range(12)]))
    assert sorted(r.text for r in load_learned(tmp_path / RULES_FILE)) == sorted(f"word{n}" for n in range(12))


def test_a_rewrite_keeps_the_files_mode_for_the_team(tmp_path):
    path = tmp_path / RULES_FILE
    add_learned(path, rule_from_proposal(_proposals()["“utilize” → “use”"], "banned", "ana", at=0))
    os.chmod(path, 0o664)
    add_learned(path, rule_from_proposal(_proposals()["sign off with “Cheers, The Acme crew”"], "voice", "b", at=0))
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    assert not list(tmp_path.glob(".*.tmp")), "no temp file left behind"


@pytest.mark.parametrize("text, message", [
    ("rule = 3", "rule: expected [[rule]] entries"),
    ("[[rule]]\nid = 'lr-1'\nkind = 'ban'\ntext = 'x'\nsay = 'x'", "rule[0].kind: expected one of banned"),
    ("[[rule]]\nid = 'lr-1'\nkind = 'regex'\ntext = '('\nsay = 'x'", "rule[0].text: expected a regular expression"),
    ("[[rule]]\nid = 'lr-1'\nkind = 'banned'\ntext = 'x'", "rule[0]: 'say' is missing"),
    ("[[rule]]\nid = 'lr-1'\nkind = 'banned'\ntext = 'x'\nsay = 'x'\nmust = 'yes'", "rule[0].must: expected bool"),
    ("[[rule]\n", "not valid TOML"),
])
def test_a_broken_rules_file_is_one_clear_line(tmp_path, text, message):
    path = tmp_path / RULES_FILE
    path.write_text(text)
    with pytest.raises(LearnedRulesError) as err:
        load_learned(path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert load_learned(tmp_path / "absent.toml") == []


def test_a_phrase_pattern_matches_the_words_however_wrapped():
    import re

    pattern = re.compile(words_pattern("Cheers, The Acme crew"), re.I)
    assert pattern.search("...\n\ncheers,\nthe  Acme crew") and not pattern.search("Cheers, The Acme crews")
    with pytest.raises(ValueError, match="accepted as regex or voice"):
        rule_from_proposal(_proposals()["sign off with “Cheers, The Acme crew”"], "banned", "ana")


def test_an_example_is_cut_at_whole_words_and_says_where_it_was_cut():
    """The evidence a reviewer reads in the rules list: context around the change, never half a word."""
    before = ("Subject: Spring news from the team\n\nHi there,\n\nTeams utilize Planner every single day of the week."
              "\n\nBest,\nThe team")
    after = before.replace("utilize", "use")
    edits = [ApprovedEdit(n, before, after, brief=f"b{n}.toml", reviewer="ana") for n in range(3)]
    [utilize] = mine_proposals(edits, 3)
    ex = utilize.examples[0]
    assert ex.before == "…the team Hi there, Teams utilize Planner every single day of…", ex.before
    assert ex.after == "…the team Hi there, Teams use Planner every single day of…", ex.after

"""The offline drafter honours what the team taught, visibly: learned replacements, deletions and sign-offs, the best
example's greeting and sign-off word, and the reviewer's typed instruction — while the brief still wins and a
revision keeps the reviewer's own words."""

from __future__ import annotations

from hitl_tui.briefs import Brief
from hitl_tui.config import parse_config
from hitl_tui.gates import gate_spec, run_gates
from hitl_tui.learning.feedback import note_item, score_item
from hitl_tui.learning.voice_memory import ApprovedPiece, VoiceMemory
from hitl_tui.offline_copy import compose, prompt_text
from hitl_tui.prompts import build_draft_messages, build_revision_messages

CONFIG = parse_config({})
BRIEF = Brief(name="studio.toml", title="Planner for studios", channel="email", cta="Start a free trial",
              audience="studio owners",
              brief="Studios utilize Planner to plan a month of work in an hour. In today's fast-paced world, "
                    "clients wait for nobody. Start a free trial today.")
EXAMPLE = ApprovedPiece(7, "Subject: Calm weeks\n\nHey team,\n\nYour board, finally calm.\n\nCheers,\nThe Acme crew",
                        brief="calm.toml", channel="email", score=4.6)
LINES = ["Never write “utilize”; write “use”.", "Never write “in today's fast-paced world”.",
         "Sign off with “Cheers, The Acme crew”."]


def _draft(memory: VoiceMemory | None, brief: Brief = BRIEF, variant: int = 0) -> str:
    return compose(prompt_text(build_draft_messages(brief, CONFIG, variant, memory)))


def test_learned_rules_are_followed_in_a_new_draft():
    plain = _draft(None)
    assert "utilize" in plain and "In today's fast-paced world, clients" in plain and plain.endswith("The team")
    taught = _draft(VoiceMemory([], LINES))
    assert "Studios use Planner" in taught and "utilize" not in taught
    assert "fast-paced" not in taught and "Clients wait for nobody." in taught, "the sentence starts right again"
    assert taught.endswith("\n\nCheers,\nThe Acme crew") and "Best,\nThe team" not in taught


def test_the_best_examples_greeting_and_sign_off_word_are_echoed():
    echoed = _draft(VoiceMemory([EXAMPLE], []))
    assert "\n\nHey team,\n\n" in echoed and "Hi there," not in echoed
    assert echoed.rstrip().endswith("Cheers,\nThe team"), "the word from the example, our own team line"
    assert "Your board, finally calm" not in echoed, "an example's facts are never copied"


def test_the_brief_wins_over_a_learned_rule():
    brief = Brief(name="u.toml", title="Utilize", channel="email", cta="Start a free trial", must_include=["utilize"],
                  brief="Teams utilize Planner daily. Start a free trial today.")
    text = _draft(VoiceMemory([], LINES[:1]), brief)
    assert "utilize" in text.lower()
    assert not [g for g in run_gates(text, gate_spec(CONFIG, brief)) if g.id == "must_include" and g.status != "pass"]


def test_a_revision_follows_the_instruction_keeps_the_reviewers_greeting_and_still_applies_the_rules():
    first = _draft(VoiceMemory([EXAMPLE], LINES))
    mine = first.replace("Hey team,", "Hello studio owners,").replace("use Planner", "utilize Planner")
    items = [note_item("End with “See you inside.”", "instruction"), score_item("clarity", 1, CONFIG.rubric)]
    revised = compose(prompt_text(build_revision_messages(BRIEF, CONFIG, mine, items, VoiceMemory([EXAMPLE], LINES))))
    assert "Hello studio owners," in revised and "Hey team," not in revised, "the reviewer's greeting stays"
    assert "See you inside." in revised.split("\n\n")[-2], "the instruction was followed"
    assert "utilize" not in revised and revised.endswith("Cheers,\nThe Acme crew")

"""Voice memory: approved examples of the same channel and voice chosen by score (and by published performance
once it exists) within a token budget, rendered into draft and revise prompts, and recordable by id."""

from __future__ import annotations

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.config import ConfigError, parse_config
from hitl_tui.learning.feedback import note_item
from hitl_tui.learning.voice_memory import (EXAMPLES_HEADING, ApprovedPiece, LearningSettings, VoiceMemory,
                                            build_memory, choose_examples, estimate_tokens, parse_learning)
from hitl_tui.offline_copy import compose
from hitl_tui.prompts import build_draft_messages, build_revision_messages

CONFIG = parse_config({})


def _piece(pid, score, channel="email", voice="", performance=None, text=None, brief="", at=0.0):
    return ApprovedPiece(pid, text or f"Subject: Piece {pid}\n\nHi there,\n\nBody of piece {pid}.", brief, channel,
                         voice, score, performance, at)


PIECES = [_piece(1, 3.0), _piece(2, 4.8), _piece(3, 4.2), _piece(4, 5.0, channel="sms"),
          _piece(5, 5.0, voice="playful"), _piece(6, 4.5, voice="default"), _piece(7, 4.9, brief="this.toml")]


def test_best_scored_pieces_of_the_same_channel_and_voice_up_to_k():
    chosen = choose_examples(PIECES, channel="email", voice="", k=3, exclude_brief="this.toml")
    assert [p.id for p in chosen] == [2, 6, 3], "sms, the playful voice and the brief itself are left out"
    assert [p.id for p in choose_examples(PIECES, channel="Email", voice="playful", k=3)] == [5]
    assert choose_examples(PIECES, channel="email", k=0) == []


def test_published_performance_counts_once_results_exist():
    pieces = [_piece(1, 5.0), _piece(2, 4.0, performance=0.09), _piece(3, 4.0, performance=0.02),
              _piece(4, 3.0, performance=0.05)]
    assert [p.id for p in choose_examples(pieces, channel="email", k=4)] == [2, 1, 4, 3]
    assert [p.id for p in choose_examples(pieces, channel="email", k=4, performance_weight=0)] == [1, 2, 3, 4]
    only_results = [p.id for p in choose_examples(pieces, channel="email", k=4, performance_weight=1)]
    assert only_results[0] == 2 and only_results[-1] == 3, "a piece without results yet counts as middling"


def test_the_token_budget_holds_and_a_long_piece_is_skipped_for_a_shorter_one():
    long = _piece(1, 5.0, text="word " * 400)
    short = [_piece(i, 4.0, text=f"Short piece number {i}.", at=float(i)) for i in (2, 3, 4)]
    memory = build_memory([long, *short], channel="email", settings=LearningSettings(examples=3, example_tokens=60))
    assert memory.example_ids == [4, 3, 2], "the long one does not fit; ties go to the newest"
    assert estimate_tokens(memory.render()) <= 60
    tight = build_memory([long, *short], channel="email", settings=LearningSettings(examples=3, example_tokens=20))
    assert estimate_tokens(tight.render()) <= 20 and len(tight.example_ids) < 3


def test_the_same_text_approved_twice_is_one_example():
    twice = [_piece(1, 5.0, text="Same words."), _piece(2, 4.0, text="same   words."), _piece(3, 3.0)]
    assert [p.id for p in choose_examples(twice, channel="email")] == [1, 3]


def test_examples_and_learned_lines_in_the_draft_and_revise_prompts():
    memory = build_memory(PIECES, ["Never write “utilize”; write “use”."], brief_name="this.toml", channel="email",
                          settings=LearningSettings(examples=2))
    brief = Brief(name="this.toml", title="Spring", channel="email", brief="Announce spring.")
    draft = build_draft_messages(brief, CONFIG, 0, memory)[1]["content"]
    assert "## Learned rules\n- Never write “utilize”; write “use”.\n\n## Approved examples\n" in draft
    assert "### Example 1 (email, score 4.8)\n> Subject: Piece 2\n>\n> Hi there," in draft
    assert "### Example 2 (email, score 4.5)" in draft and "Piece 3" not in draft
    assert draft.index("## Angle for this variant") < draft.index("## Learned rules"), "after the brief"
    revise = build_revision_messages(brief, CONFIG, "Old text", [note_item("warmer")], memory)[1]["content"]
    assert revise.count(EXAMPLES_HEADING) == 1 and "- Note from the reviewer: warmer" in revise
    assert memory.to_dict() == {"examples": [2, 6], "lines": ["Never write “utilize”; write “use”."]}
    assert compose(draft) and "Piece 2" not in compose(draft), "examples never pass for the brief"


def test_no_memory_leaves_the_prompt_as_it_was_and_a_custom_template_still_gets_it():
    brief = Brief(name="b.toml", title="T", channel="email", brief="B.")
    plain = build_draft_messages(brief, CONFIG, 0)[1]["content"]
    assert build_draft_messages(brief, CONFIG, 0, VoiceMemory())[1]["content"] == plain
    assert plain.endswith("Angle: Lead with the main benefit for the audience.\n")
    custom = parse_config({"prompts": {"draft": "Write about {title}."}})
    user = build_draft_messages(brief, custom, 0, VoiceMemory(lines=["Be brief."]))[1]["content"]
    assert user == "Write about T.\n\n## Learned rules\n- Be brief.\n"


def test_learning_settings_parse_with_one_line_errors():
    s = parse_learning({"examples": 0, "example_tokens": 800, "performance_weight": 1, "min_pieces": 4})
    assert (s.examples, s.example_tokens, s.performance_weight, s.min_pieces) == (0, 800, 1.0, 4)
    for table, message in [({"exampels": 3}, "unknown key 'learning.exampels'"),
                           ({"examples": "3"}, "learning.examples: expected an integer from 0 to 20"),
                           ({"min_pieces": 1}, "learning.min_pieces: expected an integer from 2 to 1000"),
                           ({"performance_weight": True}, "learning.performance_weight: expected a number")]:
        with pytest.raises(ConfigError, match=message):
            parse_learning(table)

"""Sign-off stages: roles decide who signs, sign-offs are bound to the exact text, edits void them and say so,
and a piece waits on the first unsigned stage and its people."""

from __future__ import annotations

import re

import pytest

from hitl_tui.approval.signoff import (SignOffError, can_sign, check_stages, describe_voided, front_matter,
                                       parse_roles, parse_stages, sign, stage_status, text_hash, voided_by_edit,
                                       waiting_on, waits_on_me)
from hitl_tui.config import ConfigError

ROLES = {"editor": ["ana", "ben"], "legal": ["dana"]}
STAGES = ["editor", "legal"]
TEXT = "Subject: Spring\n\nSave 40% this week.\n\nBest,\nThe team"


def test_a_piece_waits_on_each_stage_in_order_and_for_whom():
    signoffs = []
    assert waiting_on(STAGES, signoffs, TEXT, ROLES).describe() == "editor (ana, ben)"
    assert waits_on_me("ben", waiting_on(STAGES, signoffs, TEXT, ROLES))
    assert not waits_on_me("dana", waiting_on(STAGES, signoffs, TEXT, ROLES))
    signoffs.append(sign("ben", "editor", STAGES, signoffs, TEXT, ROLES, at=100.0))
    assert waiting_on(STAGES, signoffs, TEXT, ROLES).describe() == "legal (dana)"
    signoffs.append(sign("dana", "legal", STAGES, signoffs, TEXT, ROLES, at=200.0))
    assert waiting_on(STAGES, signoffs, TEXT, ROLES) is None, "every stage signed: it may go out"
    assert front_matter(STAGES, signoffs, TEXT) == [
        {"stage": "editor", "reviewer": "ben", "signed_at": "1970-01-01T00:01:40+00:00"},
        {"stage": "legal", "reviewer": "dana", "signed_at": "1970-01-01T00:03:20+00:00"}]
    assert waiting_on([], [], TEXT, ROLES) is None, "no stages: nothing to wait on"


@pytest.mark.parametrize("who, stage, reason", [
    ("dana", "editor", "dana does not hold the editor role (it is held by ana, ben)"),
    ("ana", "legal", "ana does not hold the legal role (it is held by dana)"),
    ("dana", "legal", "legal comes after editor: ana, ben must sign this text first"),
    ("ana", "brand", "'brand' is not a sign-off stage here (stages: editor, legal)"),
])
def test_who_may_sign_which_stage(who, stage, reason):
    assert can_sign(who, stage, STAGES, [], TEXT, ROLES) == (False, reason)
    with pytest.raises(SignOffError, match=re.escape(reason)):
        sign(who, stage, STAGES, [], TEXT, ROLES, at=1.0)


def test_an_edit_voids_every_sign_off_of_the_old_text_and_says_which():
    signoffs = [sign("ana", "editor", STAGES, [], TEXT, ROLES, at=1.0)]
    signoffs.append(sign("dana", "legal", STAGES, signoffs, TEXT, ROLES, at=2.0))
    assert can_sign("ben", "editor", STAGES, signoffs, TEXT, ROLES) == (
        False, "editor is already signed for this text by ana")
    edited = TEXT.replace("40%", "30%")
    voided = voided_by_edit(signoffs, TEXT, edited)
    assert [(s.stage, s.reviewer) for s in voided] == [("editor", "ana"), ("legal", "dana")]
    assert describe_voided(voided) == "This edit voids the sign-offs of editor (ana) and legal (dana)."
    status = stage_status(STAGES, signoffs, edited, ROLES)
    assert not any(s.signed for s in status) and status[1].voided[0].reviewer == "dana"
    assert waiting_on(STAGES, signoffs, edited, ROLES).stage == "editor", "back to the first stage"
    assert waiting_on(STAGES, signoffs, TEXT, ROLES) is None, "undoing the edit restores the sign-offs"
    assert voided_by_edit(signoffs, TEXT, TEXT + "\n") == [], "a trailing newline is not an edit"


def test_the_hash_is_of_the_exact_words():
    assert text_hash("a\r\nb  \n") == text_hash("a\nb")
    assert text_hash("Save 40%") != text_hash("Save 40 %") != text_hash("save 40 %")


def test_roles_and_stages_from_hitl_toml_with_one_line_errors():
    assert parse_roles({"legal": ["dana"], "editor": "ana"}) == {"legal": ["dana"], "editor": ["ana"]}
    assert parse_stages(["editor", " legal "]) == ["editor", "legal"]
    with pytest.raises(ConfigError, match=r"hitl.toml: roles.legal: expected a list of reviewer names"):
        parse_roles({"legal": [3]})
    with pytest.raises(ConfigError, match=r"checklists.email.stages: expected a list of role names"):
        parse_stages("editor", key="checklists.email.stages")
    assert check_stages(["editor", "brand", "editor"], ROLES, "checklists.email.stages") == [
        "checklists.email.stages: stage 'editor' is listed twice",
        "checklists.email.stages: stage 'brand' has nobody to sign it: add roles.brand = [\"name\", …]"]

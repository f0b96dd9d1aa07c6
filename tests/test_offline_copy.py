"""The offline drafter's writing follows the brief, including one written as plain prose."""

from pathlib import Path

import pytest

from hitl_tui.briefs import parse_brief
from hitl_tui.config import parse_config
from hitl_tui.offline_copy import compose
from hitl_tui.prompts import build_draft_messages


def _drafts(tmp_path: Path, name: str, text: str) -> list[str]:
    (tmp_path / name).write_text(text)
    brief = parse_brief(tmp_path / name, tmp_path)
    assert brief.error is None
    config = parse_config({})
    prompts = ["\n".join(m["content"] for m in build_draft_messages(brief, config, v) if m["role"] == "user")
               for v in range(3)]  # what the offline provider reads: the user messages
    return [compose(prompt) for prompt in prompts]


def test_plain_text_brief_keeps_its_stated_cta_and_audience(tmp_path):
    drafts = _drafts(tmp_path, "story.txt",
                     "Landing page hero for our customer story with Northwind Studio. They cut review rounds\n"
                     "from five to two. Audience: agency owners comparing feedback tools. The call to action is\n"
                     '"Read the story". Keep it factual.\n')
    assert len(set(drafts)) == 3  # each variant reads differently
    for text in drafts:
        assert "Read the story" in text and "Learn more" not in text
    assert any("agency owners comparing feedback tools" in text for text in drafts)


@pytest.mark.parametrize("prose", ["Use CTA: “Book a demo”.", 'The CTA should be "Book a demo".'])
def test_cta_phrasings(tmp_path, prose):
    drafts = _drafts(tmp_path, "demo.txt", f"Invite ops leads to see the new scheduler. {prose}\n")
    assert all(text.rstrip().endswith("Book a demo.") for text in drafts), drafts


def test_a_cta_field_wins_over_prose(tmp_path):
    drafts = _drafts(tmp_path, "x.toml", 'title = "Scheduler"\nbrief = "The call to action is \\"Learn how\\"."\n'
                                         'cta = "Start free trial"\n')
    assert all("Start free trial" in text for text in drafts)


def _revision(tmp_path: Path, name: str, text: str, previous: str, note: str) -> str:
    from hitl_tui.prompts import Feedback, build_revision_messages

    (tmp_path / name).write_text(text)
    brief = parse_brief(tmp_path / name, tmp_path)
    messages = build_revision_messages(brief, parse_config({}), previous, Feedback(note=note))
    return compose("\n".join(m["content"] for m in messages if m["role"] == "user"))


STORY = ("Landing page hero for our customer story with Northwind Studio. They cut review rounds from five to two.\n"
         'Audience: agency owners. The call to action is "Read the story".\n')


def test_revision_follows_a_note_to_lead_with_a_point_and_drop_the_generic_line(tmp_path):
    first = _drafts(tmp_path, "story.txt", STORY)[0]
    assert "nothing new to learn" in first  # the offline drafter's generic middle line
    revised = _revision(tmp_path, "story.txt", STORY, first,
                        "Lead with the five-to-two result and drop the generic line")
    assert revised.startswith("They cut review rounds from five to two.")
    assert "nothing new to learn" not in revised
    assert revised.rstrip().endswith("Read the story.")  # the CTA survives the rewrite


def test_revision_of_an_email_keeps_subject_greeting_sign_off_and_must_include(tmp_path):
    brief = ('title = "Spring sale"\nchannel = "email"\nbrief = "Annual plans are 20% off until Friday."\n'
             'cta = "Upgrade now"\nmust_include = ["20% off"]\n')
    first = _drafts(tmp_path, "sale.toml", brief)[0]
    revised = _revision(tmp_path, "sale.toml", brief, first,
                        'open with "Your annual plan, 20% off until Friday" and end with "See you inside". '
                        "Make it shorter.")
    paras = revised.split("\n\n")
    assert paras[0] == "Subject: Spring sale" and paras[1] == "Hi there,"
    assert paras[2] == "Your annual plan, 20% off until Friday."
    assert paras[-2:] == ["See you inside.", "Best,\nThe team"]
    assert "20% off" in revised and "Upgrade now." in revised
    assert len(revised) < len(first) + len("Your annual plan, 20% off until Friday. See you inside.")


@pytest.mark.parametrize("note,gone,kept", [
    ("remove the sentence about annual plans", "Annual plans are 20% off.", "Set it up in minutes"),
    ("no exclamation marks please", "!", "Annual plans are 20% off"),
    ("cut the filler", "Set it up in minutes", "Annual plans are 20% off."),
])
def test_revision_notes_that_remove_things(note, gone, kept):
    from hitl_tui.offline_copy import _follow_note

    text = ("Subject: Spring sale\n\nHi there,\n\nBig news! Annual plans are 20% off.\n\n"
            "Set it up in minutes and see the difference on day one.\n\nUpgrade now.\n\nBest,\nThe team")
    revised = _follow_note(text, note, "")
    assert gone not in revised and kept in revised
    assert revised.startswith("Subject: Spring sale\n\nHi there,") and revised.endswith("Best,\nThe team")

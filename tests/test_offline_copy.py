"""The offline drafter writes channel-shaped copy from the brief, passes the brief's gates, and revises on notes."""

import re
from pathlib import Path

import pytest
import tomli_w

from hitl_tui.briefs import parse_brief
from hitl_tui.config import parse_config
from hitl_tui.defaults import starter_config
from hitl_tui.gates import CLAIM_RE, PASS, gate_spec, run_gates
from hitl_tui.offline_copy import compose, prompt_text
from hitl_tui.prompts import ANGLES, build_draft_messages

EXAMPLES = Path(__file__).parent.parent / "briefs"
CONFIG = parse_config(starter_config())  # what `hitl init` and `hitl demo` give a workspace


def _brief(tmp_path: Path, name: str, text: str | dict):
    (tmp_path / name).write_text(text if isinstance(text, str) else tomli_w.dumps(text))
    brief = parse_brief(tmp_path / name, tmp_path)
    assert brief.error is None
    return brief


def _draft(brief, variant: int, config=CONFIG) -> str:
    return compose(prompt_text(build_draft_messages(brief, config, variant)))  # what the offline provider reads


def _drafts(tmp_path: Path, name: str, text: str | dict, n: int = 3) -> list[str]:
    brief = _brief(tmp_path, name, text)
    return [_draft(brief, v) for v in range(n)]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


# Briefs like the ones a trial user wrote, whose drafts were not credible (issue 14).
RUN20 = {"title": "Last call: trail shoe sale", "channel": "sms", "audience": "Runners who bought from us last year",
         "cta": "Shop now", "must_include": ["RUN20"], "banned": ["cheap"],
         "brief": "Final hours of our trail shoe sale: 20% off all trail running shoes with code RUN20. The sale "
                  "ends tonight at midnight. Include opt-out wording."}
NORTHWIND_ADS = {"title": "Northwind ads", "channel": "ads", "audience": "busy teams", "cta": "Shop desks",
                 "must_include": ["free shipping"], "banned": ["best"],
                 "brief": "Search ads for Northwind's new standing desks. The desk switches from sitting to standing "
                          "height in 12 seconds and comes with a 10-year warranty. Mention free shipping."}
WEBINAR = {"title": "Data privacy webinar", "channel": "linkedin", "audience": "Compliance officers at mid-size banks",
           "cta": "Register now", "must_include": ["webinar"], "max_words": 150,
           "brief": "Promote our free webinar on the EU Data Act, Thursday 10 April at 15:00 CET. Two of our privacy "
                    "lawyers explain what changes for banks' customer data sharing and answer questions live. "
                    "45 minutes. Keep it factual."}
GERMAN = {"title": "Frühlingsangebot: 20 % auf Jahrespläne", "channel": "email", "cta": "Jetzt upgraden",
          "brief": "Kündigen Sie den Frühlingsverkauf an: 20 % Rabatt auf alle Jahrespläne bis Freitag, 28. März. "
                   "Bezahlte Pläne bieten unbegrenzte Kundenprojekte und bevorzugten Support. Halten Sie es "
                   "freundlich und praktisch."}
TRIAL = {"run20.toml": RUN20, "northwind-ads.toml": NORTHWIND_ADS, "webinar.toml": WEBINAR}


def _not_passing(text: str, brief) -> list[str]:
    return [f"{r.id}: {r.status}: {r.message}" for r in run_gates(text, gate_spec(CONFIG, brief)) if r.status != PASS]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir()))
def test_example_briefs_pass_every_gate_in_every_variant(name):
    brief = parse_brief(EXAMPLES / name, EXAMPLES)
    assert brief.error is None
    for variant in range(len(ANGLES)):
        text = _draft(brief, variant)
        assert _not_passing(text, brief) == [], f"{name} variant {variant}:\n{text}"


@pytest.mark.parametrize("name", sorted(TRIAL))
def test_trial_briefs_pass_every_gate(tmp_path, name):
    brief = _brief(tmp_path, name, TRIAL[name])
    for variant in range(len(ANGLES)):
        text = _draft(brief, variant)
        assert _not_passing(text, brief) == [], f"{name} variant {variant}:\n{text}"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir()))
def test_variants_open_differently(name):
    """Each variant has its own hook, not the same sentence with a synonym swapped."""
    brief = parse_brief(EXAMPLES / name, EXAMPLES)
    drafts = [_draft(brief, v) for v in range(brief.variants or 3)]
    openings = [next(line for line in d.splitlines() if line.strip() and line != "Headlines") for d in drafts]
    if brief.channel == "email":
        openings = [d.split("\n\n")[2] for d in drafts]  # after subject/preheader and greeting
    assert len(set(openings)) == len(drafts), drafts


def test_numbers_come_only_from_the_brief(tmp_path):
    for name, fields in TRIAL.items():
        brief = _brief(tmp_path, name, fields)
        source = " ".join([brief.title, brief.brief, brief.cta, brief.audience, *brief.must_include])
        for variant in range(len(ANGLES)):
            for m in CLAIM_RE.finditer(_draft(brief, variant)):
                if re.search(r"\d", m.group(0)) and len(m.group(0).strip()) > 1:
                    assert m.group(0).strip() in source, (name, variant, m.group(0))


INSTRUCTIONS = ["Mention", "Include opt-out", "Keep it", "Promote our", "Search ads for", "Announce", "Invite readers",
                "Landing page hero", "A short, friendly nudge", "The call to action is", "Audience:", "Legal asked"]


def test_instructions_to_the_writer_never_become_copy(tmp_path):
    briefs = [parse_brief(p, EXAMPLES) for p in sorted(EXAMPLES.iterdir())]
    briefs += [_brief(tmp_path, name, fields) for name, fields in TRIAL.items()]
    for brief in briefs:
        for variant in range(len(ANGLES)):
            text = _draft(brief, variant)
            assert not [i for i in INSTRUCTIONS if i.lower() in text.lower()], (brief.name, variant, text)


def test_sms_carries_the_offer_code_deadline_and_opt_out(tmp_path):
    # Before: "Last call: RUN20. Learn more. Reply STOP to opt out." (no offer, no product, no deadline)
    for text in _drafts(tmp_path, "run20.toml", RUN20, n=8):
        assert len(text) <= 160
        for fact in ("20% off", "trail running shoes", "RUN20", "tonight at midnight", "Shop now", "STOP"):
            assert fact in text, (fact, text)
        assert "Learn more" not in text


def test_ads_are_headlines_and_descriptions_within_platform_limits(tmp_path):
    # Before: "Northwind ads: built for busy teams. Mention free shipping." (one paragraph, the instruction echoed)
    drafts = _drafts(tmp_path, "ads.toml", NORTHWIND_ADS)
    for text in drafts:
        heads, descs = text.split("\n\nDescriptions\n")
        assert heads.startswith("Headlines\n")
        headlines = [re.sub(r"^\d+\. ", "", h) for h in heads.splitlines()[1:]]
        descriptions = [re.sub(r"^\d+\. ", "", d) for d in descs.splitlines()]
        assert len(headlines) >= 3 and all(len(h) <= 30 for h in headlines), headlines
        assert len(descriptions) >= 2 and all(len(d) <= 90 for d in descriptions), descriptions
        assert any("free shipping" in d.lower() and len(d.split()) > 2 for d in descriptions)
        assert "Northwind Standing Desks" in headlines
    assert len({d.split("\n\nDescriptions")[0] for d in drafts}) == 3  # headline sets differ between variants


def test_email_has_every_part(tmp_path):
    brief = parse_brief(EXAMPLES / "spring-sale-email.toml", EXAMPLES)
    for variant in range(3):
        text = _draft(brief, variant)
        paras = text.split("\n\n")
        assert paras[0].startswith("Subject: ") and "\nPreheader: " in paras[0], text
        assert paras[1] == "Hi there,"
        assert paras[-1] == "Best,\nThe team"
        assert any(p.startswith("Upgrade now") for p in paras), text
        for item in brief.must_include:  # in sentences, not a fragment like "Friday 28 March."
            assert all(len(s.split()) >= len(item.split()) + 3 for s in _sentences(text) if item in s), (item, text)


def test_voice_guide_is_read_from_the_system_message(tmp_path):
    brief = parse_brief(EXAMPLES / "spring-sale-email.toml", EXAMPLES)
    formal = parse_config({"voices": {"default": {"guide": "Formal and precise. No contractions."}}})
    text = _draft(brief, 0, formal)
    assert "\n\nHello,\n\n" in text and text.endswith("Kind regards,\nThe team")


def test_linkedin_has_a_hook_body_cta_and_hashtags(tmp_path):
    # Before: "LinkedIn post: data privacy webinar: built for compliance officers at mid-size banks. … It is designed
    # around how you already work, so there is nothing new to learn. Register now."
    for text in _drafts(tmp_path, "webinar.toml", WEBINAR):
        paras = text.split("\n\n")
        assert len(paras) >= 4 and paras[-1].startswith("#") and len(paras[-1].split()) <= 3
        assert "Thursday 10 April at 15:00 CET" in text and "Register now" in text
        assert "nothing new to learn" not in text and "built for" not in text


def test_x_push_and_landing_keep_their_shape(tmp_path):
    x = {"title": "Dark mode is here", "channel": "x", "cta": "Update the app", "must_include": ["dark mode"],
         "brief": "Pebble 4.2 adds dark mode on iPhone, iPad and Mac, with a schedule that follows sunset."}
    for text in _drafts(tmp_path, "x.toml", x, n=8):
        assert len(text) <= 280 and text.count("#") <= 1 and "dark mode" in text
    push = {"title": "Streak reminder", "channel": "push", "cta": "Open the lesson",
            "brief": "Remind lapsed learners that their 12-day streak ends tonight. Today's lesson takes five minutes."}
    for text in _drafts(tmp_path, "push.toml", push, n=8):
        assert len(text) <= 120 and "\n" not in text and "12-day streak ends tonight" in text, text
    for text in _drafts(tmp_path, "story.txt", (EXAMPLES / "customer-story-landing.txt").read_text()):
        lines = text.splitlines()  # a plain brief that names its channel in prose gets that channel's shape
        assert lines[0].startswith("Headline: ") and lines[1].startswith("Subhead: ")
        assert lines[-1] == "Button: Read the story"


@pytest.mark.parametrize("fields,language", [(GERMAN, "German"), (
    {"title": "春のセール", "brief": "年間プランが20%オフ。3月28日まで。", "channel": "sms"}, "Japanese")])
def test_a_brief_not_in_english_gets_an_honest_note(tmp_path, fields, language):
    # Before: a German brief answered in English boilerplate
    for text in _drafts(tmp_path, "brief.toml", fields):
        assert f"This brief is in {language}" in text and "writes English only" in text
        assert "Hi there" not in text and "Subject:" not in text and "Jetzt" not in text


def test_same_prompt_same_text():
    brief = parse_brief(EXAMPLES / "launch-linkedin.md", EXAMPLES)
    prompt = prompt_text(build_draft_messages(brief, CONFIG, 1))
    assert compose(prompt) == compose(prompt)


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

    brief = _brief(tmp_path, name, text)
    return compose(prompt_text(build_revision_messages(brief, CONFIG, previous, Feedback(note=note))))


STORY = ("Customer story with Northwind Studio. They cut review rounds from five to two.\n"
         'Audience: agency owners. The call to action is "Read the story".\n')
GENERIC_DRAFT = ("Northwind Studio: built for agency owners. They cut review rounds from five to two.\n\n"
                 "It is designed around how you already work, so there is nothing new to learn.\n\nRead the story.")


def test_revision_follows_a_note_to_lead_with_a_point_and_drop_the_generic_line(tmp_path):
    revised = _revision(tmp_path, "story.txt", STORY, GENERIC_DRAFT,
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
    assert paras[0] == first.split("\n\n")[0] and paras[0].startswith("Subject: ") and paras[1] == "Hi there,"
    assert paras[2] == "Your annual plan, 20% off until Friday."
    assert paras[-2:] == ["See you inside.", "Best,\nThe team"]
    assert "20% off" in revised and "Upgrade now" in revised
    assert len(revised) < len(first) + len("Your annual plan, 20% off until Friday. See you inside.")


def test_revision_puts_a_missing_must_include_item_back_in_a_sentence(tmp_path):
    brief = ('title = "Spring sale"\nchannel = "email"\nbrief = "Annual plans are 20% off until Friday 28 March."\n'
             'cta = "Upgrade now"\nmust_include = ["Friday 28 March"]\n')
    previous = "Subject: Spring sale\n\nHi there,\n\nAnnual plans are 20% off.\n\nUpgrade now.\n\nBest,\nThe team"
    revised = _revision(tmp_path, "sale.toml", brief, previous, "")
    assert "Annual plans are 20% off until Friday 28 March." in revised
    assert revised.index("Friday 28 March") < revised.index("Upgrade now")


@pytest.mark.parametrize("note,gone,kept", [
    ("remove the sentence about annual plans", "Annual plans are 20% off.", "Set it up in minutes"),
    ("no exclamation marks please", "!", "Annual plans are 20% off"),
    ("cut the filler", "Set it up in minutes", "Annual plans are 20% off."),
])
def test_revision_notes_that_remove_things(note, gone, kept):
    from hitl_tui.offline_copy.revise import _follow_note

    text = ("Subject: Spring sale\n\nHi there,\n\nBig news! Annual plans are 20% off.\n\n"
            "Set it up in minutes and see the difference on day one.\n\nUpgrade now.\n\nBest,\nThe team")
    revised = _follow_note(text, note, "")
    assert gone not in revised and kept in revised
    assert revised.startswith("Subject: Spring sale\n\nHi there,") and revised.endswith("Best,\nThe team")


def test_revision_leads_with_a_sentence_not_a_list_item_and_stays_within_the_gates(tmp_path):
    # Seen in `hitl demo`: the note led with "- Unlimited client projects." and the cut left 54 of the 60 words
    brief = parse_brief(EXAMPLES / "spring-sale-email.toml", EXAMPLES)
    from hitl_tui.prompts import Feedback, build_revision_messages

    first = _draft(brief, 0)
    note = "Lead with the unlimited client projects and drop the generic line"
    revised = compose(prompt_text(build_revision_messages(brief, CONFIG, first, Feedback(note=note))))
    assert revised.split("\n\n")[2].startswith("Paid plans add unlimited client projects"), revised
    assert "If you have been meaning to" not in revised
    assert _not_passing(revised, brief) == [], revised


def test_a_line_cut_to_its_limit_ends_on_a_whole_clause_not_a_dangling_word(tmp_path):
    """Found trying issue 12 by hand: a customer story whose one claim ran past the landing headline's 80 characters
    was cut after the last word that fitted — "…after moving feedback into our." — a headline no reviewer would keep."""
    text = ('Landing page hero for our customer story with Contoso Agency. They cut revision requests by half after '
            'moving feedback into our shared boards. The call to action is "Read the story".')
    for draft in _drafts(tmp_path, "contoso.txt", text):
        headline = draft.splitlines()[0]
        assert len(headline) <= len("Headline: ") + 80
        assert not re.search(r"\b(our|the|a|an|into|of|to|and|with|after|by|for|in|on|moving)\.$", headline), headline

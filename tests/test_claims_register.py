"""The claims register: detection, identity that survives rewording, sources, and the claims verdict."""

from __future__ import annotations

import pytest
import tomli_w

from hitl_tui.approval.claims import (BRIEF, MARKED_REMOVED, REMOVED, SOURCED, UNSOURCED, attach_source,
                                      claims_verdict, find_claims, front_matter, make_source, mark_removed,
                                      review_claims, with_wording)
from hitl_tui.briefs import Brief
from hitl_tui.config import parse_config
from hitl_tui.gates import FAIL, PASS, WARN, gate_spec

TEXT = ("Subject: Plan faster\n\nHi there,\n\nTeams cut planning time by 40% with Planner, the fastest scheduler "
        "around. It is 3x quicker than spreadsheets and saves $1,200 a year across 10,000 teams. Trusted by Acme, "
        "Globex and Initech.\n\n“It changed how we run our week,” says Ana Ruiz.\n\nBook a demo.\n\nBest,\nThe team")


def _ids(text: str) -> list[str]:
    return [c.id for c in find_claims(text)]


def test_finds_numbers_percentages_multiples_money_superlatives_quotes_and_customers():
    assert _ids(TEXT) == ["percent:40", "superlative:fastest", "multiple:3", "money:$1200", "number:10000",
                          "customer:acme", "customer:globex", "customer:initech", "quote:it changed how we run our week"]
    assert _ids("Get 3 tips, 24/7.\n\nBest,\nThe team") == [], "small bare numbers and a sign-off are not claims"
    assert _ids("Loved by thousands of teams.") == [], "no name, no customer claim"
    assert _ids("Used by Northwind Studio and Contoso.") == ["customer:northwind studio", "customer:contoso"]
    assert _ids("Teams at Procter & Gamble plan here.") == ["customer:procter gamble"]
    # A name ends with its sentence: the next sentence's first word is not part of it.
    assert _ids("Trusted by Acme. Teams love it.") == ["customer:acme"]
    assert _ids("Used by Contoso Ltd. Try it today.") == ["customer:contoso ltd"]
    assert _ids("“We saved 40% in a month,” says Dana.") == ["quote:we saved 40 in a month"], \
        "a number inside a quote belongs to the quote"


def test_identity_follows_the_number_or_quote_not_the_wording():
    first = {c.id: c for c in find_claims("Cut planning time by 40 percent.")}
    reworded = {c.id: c for c in find_claims("Planning takes 40% less time, and another 40% fewer meetings.")}
    assert set(first) == set(reworded) == {"percent:40"}
    assert len(reworded["percent:40"].spans) == 2, "one claim, found twice"
    assert _ids("Save 1,000 hours") == _ids("Save 1000 hours") == ["number:1000"]
    assert _ids("Number one for agencies") == _ids("#1 for agencies") == ["superlative:#1"]
    assert _ids("“It changed how we run our week,” said Ana.") == _ids('Ana says "It changed how we run our week!"')


def test_a_sourced_claim_keeps_its_source_when_reworded_and_loses_it_when_the_number_changes():
    claim = find_claims("Cut planning time by 40%.")[0]
    records = attach_source({}, claim, make_source("https://example.com/study", "Teams saw 40% less planning",
                                                   by="ana", at=1.0))
    reworded = review_claims("Planning takes 40 percent less time.", records)
    assert [(s.id, s.status, s.source.ref) for s in reworded] == [("percent:40", SOURCED, "https://example.com/study")]
    changed = review_claims("Planning takes 45% less time.", records)
    assert [(s.id, s.status) for s in changed] == [("percent:45", UNSOURCED), ("percent:40", REMOVED)]
    updated = with_wording(records, find_claims("Planning takes 40 percent less time."))
    assert updated["percent:40"].text == "40 percent" and updated["percent:40"].source == records["percent:40"].source


def test_the_verdict_passes_only_when_every_claim_in_the_text_has_a_source():
    brief = Brief(name="b.toml", title="Planner", channel="email", brief="Planner saves $1,200 a year.")
    spec = gate_spec(parse_config({"checklists": {"default": {"required": ["claims"]}}}), brief)
    text = "Planner saves $1,200 a year. It is the fastest way to plan, 3x quicker."
    verdict = claims_verdict(text, {}, spec)
    assert verdict.status == FAIL and verdict.required
    assert "2 claim(s) need a source: “fastest”, “3x”" in verdict.message, "the brief's own number is sourced"
    assert [text[s:e] for s, e in verdict.evidence] == ["fastest", "3x"]
    claims = {c.id: c for c in find_claims(text)}
    records = attach_source({}, claims["superlative:fastest"], make_source("docs/g2-report.pdf", "Fastest: Planner"))
    records = mark_removed(records, claims["multiple:3"], "ana")
    still = claims_verdict(text, records, spec)
    assert still.status == FAIL and "“3x” (marked removed)" in still.message, "removed means gone from the text"
    done = claims_verdict("Planner saves $1,200 a year. It is the fastest way to plan.", records, spec)
    assert done.status == PASS and done.message == "2 claim(s), all sourced"
    assert claims_verdict("No claims here.", {}, spec).message == "no claims"
    advisory = claims_verdict(text, {}, gate_spec(parse_config({}), brief))
    assert advisory.status == WARN and not advisory.required, "advisory by default, like the claims gate"


def test_sources_are_a_url_a_document_or_the_brief_with_a_quote():
    assert make_source("https://x.io/a", "q").kind == "url"
    assert make_source("Brief", "q").kind == "brief" and make_source("Brief", "q").ref == "brief"
    assert make_source("research/q3.pdf", "  a   quote ").kind == "document"
    assert make_source("research/q3.pdf", "  a   quote ").quote == "a quote"
    with pytest.raises(ValueError, match="needs the passage"):
        make_source("https://x.io", " ")
    with pytest.raises(ValueError, match="needs a URL"):
        make_source("", "quote")


def test_front_matter_lists_claims_with_sources_and_writes_as_toml():
    text = "Save 40% with Planner, the fastest scheduler."
    claims = {c.id: c for c in find_claims(text)}
    records = attach_source({}, claims["percent:40"], make_source("https://x.io/s", "40% saved"))
    statuses = review_claims(text, records, brief_text="The fastest scheduler for agencies.")
    assert [(s.id, s.status) for s in statuses] == [("percent:40", SOURCED), ("superlative:fastest", BRIEF)]
    fm = front_matter(statuses)
    assert fm[0]["source"] == {"kind": "url", "ref": "https://x.io/s", "quote": "40% saved"}
    assert fm[1]["source"]["quote"] == "The fastest scheduler for agencies."
    assert "claims" in tomli_w.dumps({"claims": fm}), "no None values for tomli-w"
    marked = review_claims(text, mark_removed(records, claims["percent:40"], "ana"))
    assert marked[0].status == MARKED_REMOVED and marked[0].needs_source

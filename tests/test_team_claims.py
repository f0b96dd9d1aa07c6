"""The claims register through the log: attach a source, mark removed, reword, pass, into the outbox (issue 13)."""

from __future__ import annotations

import json
import tomllib

import pytest

from hitl_tui.store import StoreError
from hitl_tui.team.approve import approve
from hitl_tui.team.claims import attach, mark_removed, send_to_legal, variant_claims
from hitl_tui.team.variant import load_variant
from team_fixtures import stores, team_workspace, variant
from clirun import hitl

TOML = """
[roles]
legal = ["dana"]
[checklists.default]
required = ["claims"]
advisory = ["reading_grade"]
"""
TEXT = "Search is here. Trusted by Acme. Teams cut review time by 30% with it.\n\nTry it today."


def statuses(claims) -> dict[str, str]:
    return {c.id: c.status for c in claims}


async def claims_gate(store, ws, draft_id):
    return next(g for g in (await load_variant(store, ws.config, draft_id)).gates() if g.id == "claims")


async def test_attach_reword_and_pass(tmp_path):
    ws = team_workspace(tmp_path / "ws", TOML)
    async with stores(ws, "ana", "dana") as (ana, dana):
        draft = await variant(ana, TEXT)
        assert statuses(await variant_claims(ana, ws.config, draft)) == {
            "customer:acme": "unsourced", "percent:30": "unsourced"}
        gate = await claims_gate(ana, ws, draft)
        assert gate.status == "fail" and "2 claim(s) need a source" in gate.message
        assert (await approve(ana, ws, draft)).outcome == "refused"

        await attach(ana, ws.config, draft, "percent:30", "https://example.com/study",
                     "Teams in the pilot cut review time by 30%.")
        await mark_removed(ana, ws.config, draft, "customer:acme")
        claims = {c.id: c for c in await variant_claims(ana, ws.config, draft)}
        assert claims["percent:30"].status == "sourced" and claims["percent:30"].source.by == "ana"
        assert claims["customer:acme"].status == "marked_removed"  # still in the text: still needs a source
        assert (await claims_gate(ana, ws, draft)).status == "fail"

        reworded = "Search is here. Review time drops 30 percent with it.\n\nTry it today."
        await ana.save_edit_checked(draft, reworded, "s1")
        claims = {c.id: c for c in await variant_claims(dana, ws.config, draft)}
        assert claims["percent:30"].status == "sourced" and claims["percent:30"].text == "30 percent"
        assert claims["customer:acme"].status == "removed"
        assert (await dana.claim_records(draft))["percent:30"].text == "30 percent"  # wording kept up to date
        gate = await claims_gate(dana, ws, draft)
        assert gate.status == "pass" and gate.message == "1 claim(s), all sourced"

        result = await approve(ana, ws, draft)
        assert result.outcome == "approved"
        front = tomllib.loads(result.path.read_text().split("+++")[1])
        assert front["claims"] == [{"id": "percent:30", "kind": "percent", "text": "30 percent", "status": "sourced",
                                    "source": {"kind": "url", "ref": "https://example.com/study",
                                               "quote": "Teams in the pilot cut review time by 30%."}}]
        assert next(g for g in front["gates"] if g["id"] == "claims")["status"] == "pass"
        events = [e for e in await ana.events() if e.kind == "claim_source"]
        assert [(e.payload["claim_id"], e.payload["removed"]) for e in events] == [
            ("percent:30", False), ("customer:acme", True)]


async def test_a_changed_number_is_a_new_claim_without_a_source(tmp_path):
    ws = team_workspace(tmp_path / "ws", TOML)
    async with stores(ws, "ana") as (ana,):
        draft = await variant(ana, TEXT)
        await attach(ana, ws.config, draft, "percent:30", "docs/pilot.pdf", "30% less review time")
        await ana.save_edit_checked(draft, TEXT.replace("30%", "35%"), "s1")
        assert statuses(await variant_claims(ana, ws.config, draft)) == {
            "customer:acme": "unsourced", "percent:35": "unsourced", "percent:30": "removed"}


async def test_bad_sources_and_unknown_claims_are_one_line_errors(tmp_path):
    ws = team_workspace(tmp_path / "ws", TOML)
    async with stores(ws, "ana") as (ana,):
        draft = await variant(ana, TEXT)
        with pytest.raises(ValueError, match="needs the passage"):
            await attach(ana, ws.config, draft, "percent:30", "https://example.com", " ")
        with pytest.raises(StoreError, match="no claim 'percent:99'"):
            await attach(ana, ws.config, draft, "percent:99", "brief", "x")


async def test_a_claim_goes_to_legal_with_one_call(tmp_path):
    ws = team_workspace(tmp_path / "ws", TOML)
    async with stores(ws, "ana", "dana") as (ana, dana):
        draft = await variant(ana, TEXT)
        asked = await send_to_legal(ana, ws.config, draft, "customer:acme")
        question = (await dana.questions_for("dana", ["legal"]))[0]
        assert asked.who == ("dana",) and question.claim_id == "customer:acme" and "“Acme”" in question.text


async def test_hitl_claims_lists_each_variants_claims_with_sources(tmp_path):
    ws = team_workspace(tmp_path / "ws", TOML)
    async with stores(ws, "ana") as (ana,):
        first = await variant(ana, TEXT)
        await variant(ana, "Search is here. The fastest search yet.", number=1)
        await attach(ana, ws.config, first, "percent:30", "brief", "30% in the pilot")
    result = hitl("claims", "launch.toml", "--json", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [(v["variant"], [(c["id"], c["status"]) for c in v["claims"]]) for v in listed] == [
        (1, [("customer:acme", "unsourced"), ("percent:30", "sourced")]), (2, [("superlative:fastest", "unsourced")])]
    assert listed[0]["claims"][1]["source"] == {"kind": "brief", "ref": "brief", "quote": "30% in the pilot",
                                                "by": "ana"}
    table = hitl("claims", "launch.toml", cwd=ws.root)
    assert "unsourced" in table.stdout and "30% in the pilot" in table.stdout
    missing = hitl("claims", "nope.toml", cwd=ws.root)
    assert missing.returncode == 2 and missing.stderr.strip() == "hitl: no brief 'nope.toml' with drafts in this workspace"


async def test_a_claim_the_brief_states_is_quoted_with_the_briefs_own_sentence(tmp_path):
    from hitl_tui.briefs import Brief

    ws = team_workspace(tmp_path / "ws", TOML)
    brief = Brief(name="sale.toml", title="Spring sale", content_hash="s",
                  brief="A short nudge: the 20% off annual plans ends tonight.")
    async with stores(ws, "ana") as (ana,):
        draft = await variant(ana, "Last day: 20% off annual plans.", brief)
        [claim] = await variant_claims(ana, ws.config, draft)
    assert claim.status == "brief" and claim.source.quote == "A short nudge: the 20% off annual plans ends tonight."

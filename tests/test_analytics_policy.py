"""Auto-approval policy and audits (analytics/policy.py) and triage ordering (analytics/triage.py)."""

from __future__ import annotations

import tomllib

import pytest

from hitl_tui.analytics.policy import (ApprovalOutcome, AutoApprovePolicy, MinScore, PolicyError,
                                       auto_approval_stats, route)
from hitl_tui.analytics.triage import QueueEntry, reason, triage
from hitl_tui.gates import GateResult

PASSING = [{"id": "max_chars", "status": "pass", "required": True},
           {"id": "banned_words", "status": "pass", "required": True},
           {"id": "claims", "status": "pass", "required": False}]


def gates(**status: str) -> list[dict]:
    return [{**g, "status": status.get(g["id"], g["status"])} for g in PASSING]


def test_policy_reads_from_hitl_toml_and_rejects_bad_settings_in_one_line():
    raw = tomllib.loads('auto_approve = { when = "all-gates-pass", audit = 0.1, '
                        'min_score = { model = "judge", value = 4 } }')["auto_approve"]
    assert AutoApprovePolicy.from_config(raw) == AutoApprovePolicy("all-gates-pass", 0.1, MinScore("judge", 4.0))
    assert AutoApprovePolicy.from_config(None) is None
    for bad, message in [({"when": "always"}, "when must be one of"), ({"audit": 1.5}, "audit must be a share"),
                         ({"audit": True}, "audit must be a share"), ({"min_score": {"value": 4}}, "needs a model"),
                         ({"min_score": {"model": "j", "value": "high"}}, "value must be a number"),
                         ({"sample": 0.1}, "unknown setting 'sample'"), ("yes", "must be a table")]:
        with pytest.raises(PolicyError, match=message) as err:
            AutoApprovePolicy.from_config(bad, "checklists.social.auto_approve")
        assert "\n" not in str(err.value) and str(err.value).startswith("checklists.social.auto_approve")


def test_all_gates_pass_approves_with_its_reasons():
    policy = AutoApprovePolicy(audit=0.0)
    assert route(policy, PASSING, key=1).to_dict() == {"auto_approve": True, "audit": False,
                                                        "reasons": ["all 3 gates pass"]}
    real = [GateResult("max_chars", "Length", "pass", "ok", "channel", True)]
    assert route(policy, real, key=1).auto_approve


def test_failures_warnings_missing_gates_and_blockers_need_a_person():
    policy = AutoApprovePolicy(audit=0.0)
    assert route(policy, gates(banned_words="fail"), key=1).reasons == ("gate banned_words failed",)
    assert route(policy, gates(claims="warn"), key=1).reasons == ("gate claims warned (advisory)",)
    assert route(policy, [], key=1).reasons == ("no automatic gate ran",)
    assert route(policy, PASSING, key=1, blockers=["stage legal"]).reasons == ("stage legal",)
    assert route(None, PASSING, key=1).reasons == ("auto-approval off",)
    lenient = AutoApprovePolicy("required-gates-pass", 0.0)
    allowed = route(lenient, gates(claims="warn"), key=1)
    assert allowed.auto_approve and allowed.reasons == ("required gates pass (3 ran)",
                                                        "gate claims warned (advisory), allowed")
    assert not route(lenient, gates(max_chars="fail"), key=1).auto_approve


def test_min_score_from_a_scoring_model():
    policy = AutoApprovePolicy(audit=0.0, min_score=MinScore("judge", 4))
    assert route(policy, PASSING, {"judge": {"clarity": 5, "brand": 4}}, key=1).reasons == \
        ("all 3 gates pass", "score 4.5 ≥ 4 (judge)")
    assert route(policy, PASSING, {"judge": {"clarity": 3.9}}, key=1).reasons == ("score 3.9 < 4 (judge)",)
    assert route(policy, PASSING, {"other": {"clarity": 5}}, key=1).reasons == ("no score from judge",)
    on_brand = AutoApprovePolicy(audit=0.0, min_score=MinScore("judge", 4, "brand"))
    assert not route(on_brand, PASSING, {"judge": {"clarity": 5, "brand": 3}}, key=1).auto_approve
    assert route(on_brand, PASSING, {"judge": {"clarity": 5}}, key=1).reasons == ("no score from judge brand",)


def test_audit_share_over_many_variants_with_a_fixed_seed():
    policy = AutoApprovePolicy(audit=0.1)
    routed = [route(policy, PASSING, key=draft_id, seed=2024) for draft_id in range(10_000)]
    audited = {n for n, r in enumerate(routed) if r.audit}
    assert all(r.auto_approve for r in routed)
    # Binomial(10,000, 0.1): sd 30, so 900–1,100 is more than 3 sd either way; with the seed fixed it is exact.
    assert 900 <= len(audited) <= 1100
    assert all("sampled for audit (10%)" in routed[n].reasons for n in audited)
    # The draw belongs to the variant: asked again, in any order, the answer is the same; another seed differs.
    assert {n for n in reversed(range(10_000)) if route(policy, PASSING, key=n, seed=2024).audit} == audited
    assert {n for n in range(10_000) if route(policy, PASSING, key=n, seed=7).audit} != audited
    assert not any(route(AutoApprovePolicy(audit=0.0), PASSING, key=n).audit for n in range(1000))


def test_auto_approval_stats():
    outcomes = [ApprovalOutcome("auto")] * 6 + [ApprovalOutcome("auto", True, "upheld")] * 3 + \
        [ApprovalOutcome("auto", True, "overturned"), ApprovalOutcome("auto", True)] + [ApprovalOutcome("human")] * 9
    stats = auto_approval_stats(outcomes)
    assert {k: stats[k] for k in ("auto_approved", "human_approved", "audited", "audit_pending", "overturned",
                                  "auto_approved_rate", "overturned_rate")} == \
        {"auto_approved": 11, "human_approved": 9, "audited": 5, "audit_pending": 1, "overturned": 1,
         "auto_approved_rate": 0.55, "overturned_rate": 0.25}
    assert stats["overturned_low"] < 0.25 < stats["overturned_high"]
    assert auto_approval_stats([])["overturned_rate"] is None


def test_triage_puts_the_most_needed_first_with_one_word_each():
    queue = [
        QueueEntry(1, "done.toml", "approved", failing_required=2),
        QueueEntry(2, "drafting.toml", "drafting"),
        QueueEntry(3, "ready-old.toml", "ready", waiting_since=100.0),
        QueueEntry(4, "claims.toml", "ready", unsourced_claims=2),
        QueueEntry(5, "asked.toml", "approved", questions_for_me=1, waiting_since=500.0),
        QueueEntry(6, "failing-one.toml", "ready", failing_required=1),
        QueueEntry(7, "audit.toml", "approved", audits_for_me=1),
        QueueEntry(8, "failing-two.toml", "in review", failing_required=2),
        QueueEntry(9, "legal.toml", "ready", stage_for_me=True),
        QueueEntry(10, "ready-new.toml", "ready", waiting_since=900.0),
        QueueEntry(11, "broken.toml", "invalid"),
        QueueEntry(12, "taken.toml", "in review"),
        QueueEntry(13, "asked-earlier.toml", "ready", questions_for_me=1, waiting_since=100.0),
    ]
    assert [(e.name, why) for e, why in triage(queue)] == [
        ("asked-earlier.toml", "asked"), ("asked.toml", "asked"), ("audit.toml", "audit"),
        ("failing-two.toml", "failing"), ("failing-one.toml", "failing"), ("claims.toml", "claims"),
        ("legal.toml", "sign-off"), ("ready-old.toml", "ready"), ("ready-new.toml", "ready"),
        ("taken.toml", "taken"), ("broken.toml", "invalid"), ("drafting.toml", "drafting"), ("done.toml", "done")]
    assert reason(QueueEntry(1, "x", "rejected")) == "done"

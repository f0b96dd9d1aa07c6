"""Review analytics (analytics/review.py) and active time / per-day series (analytics/activity.py).

One hand-built log: four brief versions, eight variants, gate results on AI and human revisions. Every expected
number below is worked out by hand in the comment beside it."""

from __future__ import annotations

from datetime import date, datetime, timezone

from hitl_tui.analytics.activity import ActivityEvent, Window, active_seconds, daily_counts, sessions
from hitl_tui.analytics.review import GateRow, VariantFacts, override_reasons, review_stats

MIN = 60.0
VARIANTS = [
    # bv1: A approved unchanged after 10 min; B rejected after one revise; B's third variant passed over.
    VariantFacts(1, 1, "A", 0.0, 1, "p1", "email", 100, 200, 0.01, "approve", "", 10 * MIN, 11, 11, 0.0, 240.0),
    VariantFacts(2, 1, "B", 0.0, 2, "p1", "email", 150, 250, 0.02, "reject", "off-brand", 500.0, None, 22),
    VariantFacts(3, 1, "B", 0.0, 1, "p1", "email", 100, 100, 0.01, ai_revision_id=31),
    # bv2: A approved over a failing gate (override) after a revise, 30 min; B approved after a human edit, 20 min.
    VariantFacts(4, 2, "A", 1000.0, 2, "p2", "sms", 200, 200, 0.03, "override", "Legal signed off",
                 1000 + 30 * MIN, 42, 42, 0.0, 600.0),
    VariantFacts(5, 2, "B", 1000.0, 1, "p2", "sms", 100, 100, 0.02, "approve", "", 1000 + 20 * MIN, 52, 51, 0.2),
    # bv3: nobody decided anything: out of every rate.
    VariantFacts(6, 3, "A", 5000.0, 1, "p1", "email", 500, 500, 0.05, ai_revision_id=61),
    # bv4: A approved unchanged after 60 min (with an advisory warning); B overridden after 2 min.
    VariantFacts(7, 4, "A", 0.0, 1, "p2", "email", 50, 50, 0.01, "approve", "", 60 * MIN, 71, 71, 0.0),
    VariantFacts(8, 4, "B", 0.0, 1, "p2", "email", 50, 50, 0.01, "override", "legal  signed OFF", 2 * MIN, 81, 81,
                 0.5),
]
GATES = [
    GateRow(1, 11, "claims", "warn", False),            # advisory, approved unchanged: false positive
    GateRow(2, 21, "banned_words", "fail", True),
    GateRow(2, 22, "banned_words", "fail", True),       # rejected: the gate was right
    GateRow(3, 31, "banned_words", "fail", True),       # passed over, never judged: not counted
    GateRow(4, 41, "banned_words", "fail", True),
    GateRow(4, 41, "max_chars", "fail", True),
    GateRow(4, 42, "banned_words", "fail", True),       # overridden while still failing: false positive
    GateRow(4, 42, "max_chars", "pass", True),          # fixed by the revise: the gate was right
    GateRow(5, 51, "claims", "warn", False),            # the reviewer edited: not a false positive
    GateRow(5, 52, "claims", "pass", False, ai=False),
    GateRow(5, 52, "banned_words", "fail", True, ai=False),   # a human revision: not a gate failure of the AI
    GateRow(7, 71, "reading_grade", "warn", False),     # approved unchanged: false positive
    GateRow(8, 81, "max_chars", "fail", True),          # overridden while failing: false positive
]


def test_overall_numbers_match_the_hand_count():
    stats = review_stats(VARIANTS, GATES)
    overall = stats["overall"]
    # decided: bv1's three (one passed over), bv2's two, bv4's two = 7; approved: 1, 4, 5, 7, 8.
    assert (overall["variants"], overall["decided"], overall["approved"]) == (8, 7, 5)
    assert (overall["overridden"], overall["rejected"]) == (2, 1)
    assert overall["approval_rate"] == 0.714                   # 5 / 7
    assert overall["first_pass_approval_rate"] == 0.571        # 1, 5, 7, 8 approved on their first AI text
    assert overall["revisions_per_approval"] == 0.4            # (variant 2: 1 + variant 4: 1) / 5
    assert overall["human_edit_rate"] == 0.14                  # (0 + 0 + 0.2 + 0 + 0.5) / 5
    assert overall["time_to_approve_minutes"] == 20.0          # median of 10, 30, 20, 60, 2
    assert overall["active_review_minutes"] == 7.0             # median of 4, 10 (the others unknown)
    assert overall["cost_per_approved"] == 0.022               # 0.11 over decided variants / 5
    assert overall["tokens_per_approved"] == 340.0             # 1,700 / 5
    assert overall["gate_failures"] == {"banned_words": 5, "max_chars": 2}
    assert overall["gate_warnings"] == {"claims": 2, "reading_grade": 1}


def test_gate_false_positive_rate_per_gate():
    assert review_stats(VARIANTS, GATES)["overall"]["gate_false_positive_rate"] == {
        "banned_words": {"flags": 2, "false_positives": 1, "rate": 0.5, "required": True},    # 2 right, 4 wrong
        "claims": {"flags": 2, "false_positives": 1, "rate": 0.5, "required": False},         # 1 wrong, 5 edited
        "max_chars": {"flags": 2, "false_positives": 1, "rate": 0.5, "required": True},       # 4 fixed, 8 wrong
        "reading_grade": {"flags": 1, "false_positives": 1, "rate": 1.0, "required": False},  # 7 wrong
    }


def test_groups_by_model_prompt_version_and_channel():
    stats = review_stats(VARIANTS, GATES)
    assert {m: (b["decided"], b["approved"], b["approval_rate"]) for m, b in stats["by_model"].items()} == \
        {"A": (3, 3, 1.0), "B": (4, 2, 0.5)}
    assert set(stats["by_prompt_version"]) == {"p1", "p2"} and set(stats["by_channel"]) == {"email", "sms"}
    assert stats["by_channel"]["sms"]["time_to_approve_minutes"] == 25.0     # median of 30, 20
    assert stats["by_model"]["B"]["gate_false_positive_rate"]["max_chars"]["rate"] == 1.0


def test_override_reasons_group_spelling_variants():
    assert override_reasons(VARIANTS) == [{"reason": "Legal signed off", "count": 2}]
    assert review_stats([])["overall"]["approval_rate"] is None


EVENTS = [ActivityEvent(0, "dana", 1, "claim"), ActivityEvent(60, "dana", 1, "score"),
          ActivityEvent(120, "dana", 1, "score"), ActivityEvent(130, "dana", 1, "draft_done"),
          ActivityEvent(1000, "dana", 1, "tick"), ActivityEvent(1030, "dana", 1, "approve"),
          ActivityEvent(100, "kim", 1, "score"), ActivityEvent(200, "kim", 1, "note"),
          ActivityEvent(50, "dana", 2, "score")]


def test_active_time_counts_gaps_up_to_the_idle_cut_off_per_reviewer():
    windows = {"whole": Window(1, 0, 2000), "first part": Window(1, 0, 500), "other brief": Window(2, 0, 2000)}
    # dana: 60 + 60 (the 880 s gap is a break) + 30 = 150; kim: 100. The drafting event is not activity.
    assert active_seconds(EVENTS, windows) == {"whole": 250.0, "first part": 220.0, "other brief": 0.0}
    assert active_seconds(EVENTS, {"whole": Window(1, 0, 2000)}, idle=1000)["whole"] == 1130.0


def test_sessions_split_at_the_idle_cut_off():
    assert [(s["reviewer"], s["brief_id"], s["start"], s["end"], s["events"]) for s in sessions(EVENTS)] == [
        ("dana", 1, 0, 120, 3), ("dana", 2, 50, 50, 1), ("kim", 1, 100, 200, 2), ("dana", 1, 1000, 1030, 2)]


def test_daily_counts_fill_the_quiet_days():
    def ts(day: str, hour: int) -> float:
        return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").timestamp()

    stamps = [ts("2025-03-01", 10), ts("2025-03-01", 23), ts("2025-03-03", 9)]
    assert daily_counts(stamps) == [("2025-03-01", 2), ("2025-03-02", 0), ("2025-03-03", 1)]
    assert daily_counts(stamps, days=5, end=date(2025, 3, 4)) == [
        ("2025-02-28", 0), ("2025-03-01", 2), ("2025-03-02", 0), ("2025-03-03", 1), ("2025-03-04", 0)]
    assert daily_counts([]) == [] and daily_counts([], days=2, end=date(2025, 1, 1))[0] == ("2024-12-31", 0)
    assert daily_counts([ts("2025-03-01", 23)], tz=timezone.utc)[0][0] == "2025-03-01"

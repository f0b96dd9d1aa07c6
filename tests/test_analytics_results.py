"""Published results (analytics/results.py): parsing with per-line errors, all or nothing; rates with honest
intervals."""

from __future__ import annotations

from datetime import date

import pytest

from hitl_tui.analytics.results import (PieceFacts, ResultRow, format_rate, parse_results, result_rates, score_band,
                                        wilson)

KNOWN = {"spring-sale.md": "spring-sale.md", "sms-flash.md": "sms-flash.md", "blog-launch.md": "blog-launch.md",
         "cmp-0042": "spring-sale.md"}


def test_a_clean_csv_imports_every_row_and_keeps_extra_columns():
    text = ("\ufeffpiece,date,impressions,clicks,conversions,spend,revenue,campaign\n"
            "spring-sale.md,2025-03-04,\"12,500\",310,12,$40.50,\"1,210.00\",Spring\n"
            "outbox/sms-flash.md,2025-03-04T18:00:00,800,,,,,Flash\n"
            "\n"
            "spring-sale.md,2025-03-05,9000,200,8,30,800,Spring\n")
    result = parse_results(text, "csv", KNOWN)
    assert result.ok and result.errors == []
    first, flash, second = result.rows
    assert (first.line, first.piece, first.day, first.impressions, first.clicks, first.spend, first.revenue) == \
        (2, "spring-sale.md", date(2025, 3, 4), 12500, 310, 40.5, 1210.0)
    assert first.extra == {"campaign": "Spring"}
    assert (flash.piece, flash.day, flash.impressions, flash.clicks) == ("sms-flash.md", date(2025, 3, 4), 800, None)
    assert second.line == 5


def test_bad_rows_are_reported_per_line_and_nothing_is_imported():
    text = ("file,date,impressions,clicks\n"
            "spring-sale.md,2025-03-04,1000,50\n"
            "spring-sael.md,2025-03-04,1000,50\n"
            "sms-flash.md,2025-03-04,lots,12.5\n"
            "spring-sale.md,2025-03-04,1000,51\n"
            "blog-launch.md,04/03/2025,1000,-3\n"
            "blog-launch.md,2025-03-06,,\n"
            "blog-launch.md,2025-03-07,10\n")
    result = parse_results(text, "csv", KNOWN)
    assert not result.ok and result.rows == []
    assert result.errors == [
        "line 3: unknown piece 'spring-sael.md' (did you mean 'spring-sale.md'?)",
        "line 4: impressions 'lots' is not a number; clicks '12.5' is not a whole number",
        "line 5: duplicate of line 2 (spring-sale.md, 2025-03-04)",
        "line 6: date '04/03/2025' is not YYYY-MM-DD; clicks '-3' must be zero or more",
        "line 7: no figure (impressions, opens, clicks, conversions, spend, revenue)",
        "line 8: 3 fields, the header has 4",
    ]


def test_jsonl_rows_by_id_or_file_name():
    text = ('{"id": "cmp-0042", "date": "2025-03-04", "opens": 420, "clicks": 37, "utm": {"source": "mail"}}\n'
            '\n'
            '{"piece": "sms-flash.md", "date": "2025-03-04", "clicks": "19", "spend": 12.5}\n')
    result = parse_results(text, "jsonl", KNOWN)
    assert result.ok
    assert [(r.line, r.piece, r.opens, r.clicks, r.spend) for r in result.rows] == [
        (1, "spring-sale.md", 420, 37, None), (3, "sms-flash.md", None, 19, 12.5)]
    assert result.rows[0].extra == {"utm": {"source": "mail"}}
    broken = parse_results('{"id": "cmp-0042", "date": "2025-03-04", "clicks": 1}\n[1, 2]\n{oops\n', "jsonl", KNOWN)
    assert broken.rows == [] and [e.split(":")[0] for e in broken.errors] == ["line 2", "line 3"]
    assert broken.errors[0] == "line 2: not a JSON object"


def test_an_empty_file_or_a_header_without_a_key_column_is_an_error():
    assert parse_results("", "csv", KNOWN).errors == ["no rows"]
    assert parse_results("date,clicks\n2025-03-04,3\n", "csv", KNOWN).errors == \
        ["line 1: no key column (one of piece, file, outbox, id)"]
    with pytest.raises(ValueError):
        parse_results("", "xlsx", KNOWN)


def test_wilson_interval_matches_newcombe_1998():
    """Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of seven
    methods. Statistics in Medicine 17, 857–872, Table I, method 3 (score interval without continuity correction):
    81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718."""
    for hits, n, expected in [(81, 263, (0.2553, 0.3662)), (15, 148, (0.0624, 0.1605)), (0, 20, (0.0, 0.1611)),
                              (1, 29, (0.0061, 0.1718))]:
        assert tuple(round(x, 4) for x in wilson(hits, n)) == expected
    assert wilson(0, 0) is None and wilson(5, 3) is None


def rows_for(piece: str, impressions: int, clicks: int, conversions: int = 0) -> ResultRow:
    return ResultRow(1, piece, date(2025, 3, 4), impressions=impressions, clicks=clicks, conversions=conversions)


def test_rates_by_model_channel_and_score_band_with_no_false_precision():
    pieces = {f"a{i}.md": PieceFacts(f"a{i}.md", "model-a", "v1", "email", 4.5) for i in range(3)}
    pieces |= {f"b{i}.md": PieceFacts(f"b{i}.md", "model-b", "v2", "sms", 2.0) for i in range(2)}
    rows = [rows_for(f"a{i}.md", 1000, 30, 3) for i in range(3)] + [rows_for(f"b{i}.md", 500, 5) for i in range(2)]
    stats = result_rates(rows, pieces)
    a = stats["by_model"]["model-a"]
    assert (a["n"], a["impressions"], a["clicks"], a["ctr"], a["ctr_n"]) == (3, 3000, 90, 0.03, 3)
    assert (a["ctr_low"], a["ctr_high"]) == tuple(round(x, 4) for x in wilson(90, 3000))
    assert a["conversion_rate"] == 0.1                                        # 9 conversions / 90 clicks
    b = stats["by_model"]["model-b"]
    assert b["ctr"] is None and b["ctr_note"] == "n too small (2 pieces; need 3)"
    assert b["clicks"] == 10                                                  # counts are still shown
    assert set(stats["by_score_band"]) == {"4–5", "1–2.9"} and set(stats["by_channel"]) == {"email", "sms"}
    assert stats["overall"]["ctr"] == 0.025                                   # 100 / 4,000
    assert stats["overall"]["open_rate"] is None and stats["overall"]["opens"] is None
    assert result_rates(rows, pieces, min_pieces=1)["by_model"]["model-b"]["ctr"] == 0.01


def test_score_bands_and_rate_display():
    assert [score_band(s) for s in (None, 1.0, 2.99, 3.0, 3.99, 4.0, 5.0)] == \
        ["unscored", "1–2.9", "1–2.9", "3–3.9", "3–3.9", "4–5", "4–5"]
    assert format_rate(0.031, 0.024, 0.040) == "3.1% (2.4–4.0%)"        # width 1.6 points: one decimal
    assert format_rate(0.04, 0.01, 0.12) == "4% (1–12%)"                 # width 11 points: whole percent
    assert format_rate(None, None, None, "n too small (1 piece; need 3)") == "n too small (1 piece; need 3)"

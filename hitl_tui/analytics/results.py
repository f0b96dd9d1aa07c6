"""Published results: parsing `results.csv` / `.jsonl`, and CTR / conversion rates by what the station knows.

Core module: no UI, no store; the caller reads the file and writes the rows in one transaction.

`parse_results(text, fmt, known)` — fmt "csv" or "jsonl". Each row names a piece by a key column (`piece`, `file`,
`outbox` or `id`; an outbox file name, with or without its folder, or an id from the outbox front matter — `known`
maps every accepted key to the piece's canonical id), a `date` (YYYY-MM-DD, or an ISO time whose date is taken) and
any of impressions, opens, clicks, conversions (whole numbers) and spend, revenue (amounts; a leading currency sign
and thousands commas are accepted). Other columns are kept in `extra`. Problems are reported per line — unknown
key (with a close match if there is one), bad number, bad date, duplicate (piece, date) row, a row with no figure —
and any problem means no rows at all (`ResultsImport.rows` is empty): nothing is half-imported.

`result_rates(rows, pieces)` — sums per group (`overall`, `by_model`, `by_prompt_version`, `by_channel`,
`by_score_band`) with `ctr` = clicks / impressions, `open_rate` = opens / impressions, `conversion_rate` =
conversions / clicks, each with a Wilson interval (`ctr_low`, `ctr_high`, …) and the pieces behind it (`ctr_n`, …);
`n` is the group's pieces. Below `min_pieces` pieces a rate is None with a note (`ctr_note`: "n too small …"): one
lucky piece is not a model's CTR. The sums go through one `PieceTotals` per piece (`totals_of`), which the store can
also sum in SQL and hand to `rates_of_totals`: a large log's rows never have to be read one by one. The Wilson
interval treats impressions as independent trials, so it is a lower bound on the real uncertainty between pieces.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import NormalDist

COUNTS = ("impressions", "opens", "clicks", "conversions")
AMOUNTS = ("spend", "revenue")
METRICS = COUNTS + AMOUNTS
KEY_COLUMNS = ("piece", "file", "outbox", "id")
SCORE_BANDS = ((1.0, 3.0, "1–2.9"), (3.0, 4.0, "3–3.9"), (4.0, 5.01, "4–5"))
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(slots=True, frozen=True)
class ResultRow:
    line: int
    piece: str
    day: date
    impressions: int | None = None
    opens: int | None = None
    clicks: int | None = None
    conversions: int | None = None
    spend: float | None = None
    revenue: float | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class ResultsImport:
    rows: list[ResultRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True, frozen=True)
class PieceFacts:
    """What the station knows of a published piece: its model, prompt version, channel, mean rubric score."""
    piece: str
    model: str
    prompt_version: str | None = None
    channel: str = ""
    score: float | None = None


def _number(name: str, raw: object) -> tuple[float | int | None, str | None]:
    """(value, error). Empty means missing."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, f"{name} {raw!r} is not a number"
    if isinstance(raw, (int, float)):
        value: float = float(raw)
    else:
        text = str(raw).strip()
        if name in AMOUNTS:
            text = text.lstrip("$€£¥").strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            value = float(text)
        except ValueError:
            return None, f"{name} {str(raw).strip()!r} is not a number"
    if not math.isfinite(value) or value < 0:
        return None, f"{name} {raw!r} must be zero or more"
    if name in COUNTS:
        if value != int(value):
            return None, f"{name} {raw!r} is not a whole number"
        return int(value), None
    return round(value, 6), None


def _day(raw: object) -> tuple[date | None, str | None]:
    text = str(raw or "").strip()
    if not text:
        return None, "date is missing"
    try:
        return (date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()), None
    except ValueError:
        return None, f"date {text!r} is not YYYY-MM-DD"


def _records(text: str, fmt: str) -> tuple[list[tuple[int, dict]], list[str]]:
    text = text.lstrip("\ufeff")
    records, errors = [], []
    if fmt == "jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {n}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {n}: not a JSON object")
                continue
            records.append((n, {str(k).strip().lower(): v for k, v in obj.items()}))
        return records, errors
    if fmt != "csv":
        raise ValueError(f"unknown results format {fmt!r}: csv or jsonl")
    reader = csv.reader(io.StringIO(text))
    header = None
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = [f.strip().lower() for f in fields]
            if not any(k in header for k in KEY_COLUMNS):
                return [], [f"line {reader.line_num}: no key column (one of {', '.join(KEY_COLUMNS)})"]
            continue
        if len(fields) != len(header):
            errors.append(f"line {reader.line_num}: {len(fields)} fields, the header has {len(header)}")
            continue
        records.append((reader.line_num, dict(zip(header, fields))))
    return records, errors


def parse_results(text: str, fmt: str, known: Mapping[str, str]) -> ResultsImport:
    """See the module docstring. known: accepted key → canonical piece id."""
    records, errors = _records(text, fmt)
    rows: list[ResultRow] = []
    seen: dict[tuple[str, date], int] = {}
    for line, rec in records:
        problems = []
        key = next((str(rec[k]).strip() for k in KEY_COLUMNS if str(rec.get(k) or "").strip()), "")
        piece = known.get(key) or known.get(key.replace("\\", "/").rsplit("/", 1)[-1])
        if not key:
            problems.append("no piece named (piece, file, outbox or id)")
        elif piece is None:
            near = difflib.get_close_matches(key, list(known), n=1)
            problems.append(f"unknown piece {key!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        day, bad = _day(rec.get("date"))
        if bad:
            problems.append(bad)
        values = {}
        for name in METRICS:
            values[name], bad = _number(name, rec.get(name))
            if bad:
                problems.append(bad)
        if not problems and all(v is None for v in values.values()):
            problems.append(f"no figure ({', '.join(METRICS)})")
        if not problems:
            first = seen.setdefault((piece, day), line)
            if first != line:
                problems.append(f"duplicate of line {first} ({piece}, {day.isoformat()})")
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
            continue
        extra = {k: v for k, v in rec.items() if k not in METRICS and k not in KEY_COLUMNS and k != "date"}
        rows.append(ResultRow(line, piece, day, **values, extra=extra))
    if not records and not errors:
        errors.append("no rows")
    errors.sort(key=lambda e: int(e.split(":", 1)[0].split()[1]) if e.startswith("line ") else 0)
    return ResultsImport([] if errors else rows, errors)


def wilson(successes: float, trials: float, level: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; None without trials or with more successes than trials."""
    if trials <= 0 or successes > trials:
        return None
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def score_band(score: float | None, bands=SCORE_BANDS) -> str:
    if score is None:
        return "unscored"
    return next((label for low, high, label in bands if low <= score < high), "unscored")


RATES = (("ctr", "clicks", "impressions"), ("open_rate", "opens", "impressions"),
         ("conversion_rate", "conversions", "clicks"))


@dataclass(slots=True, frozen=True)
class PieceTotals:
    """One piece's rows summed: `rows`; `sums` — each figure summed over the rows that have it (None if none does);
    `rates` — for each rate name, (hits, trials, rows used) over the rows that have the numerator and a denominator
    above zero. The store sums these in SQL (`GROUP BY piece`); `totals_of` does the same from rows."""
    piece: str
    rows: int
    sums: Mapping[str, float | None]
    rates: Mapping[str, tuple[float, float, int]]


def totals_of(rows: list[ResultRow]) -> list[PieceTotals]:
    by_piece: dict[str, list[ResultRow]] = {}
    for r in rows:
        by_piece.setdefault(r.piece, []).append(r)
    out = []
    for piece, members in sorted(by_piece.items()):
        sums = {}
        for name in METRICS:
            values = [getattr(r, name) for r in members if getattr(r, name) is not None]
            sums[name] = sum(values) if values else None
        rates = {}
        for name, num, den in RATES:
            usable = [r for r in members if getattr(r, num) is not None and getattr(r, den)]
            rates[name] = (sum(getattr(r, num) for r in usable), sum(getattr(r, den) for r in usable), len(usable))
        out.append(PieceTotals(piece, len(members), sums, rates))
    return out


def _rate(block: dict, name: str, num: str, den: str, totals: list[PieceTotals], min_pieces: int, level: float):
    usable = [t.rates[name] for t in totals if t.rates[name][2]]
    hits, trials, pieces = sum(u[0] for u in usable), sum(u[1] for u in usable), len(usable)
    block[f"{name}_n"] = pieces
    block[name] = block[f"{name}_low"] = block[f"{name}_high"] = None
    if pieces < min_pieces:
        block[f"{name}_note"] = f"n too small ({pieces} piece{'s' * (pieces != 1)}; need {min_pieces})"
        return
    block[name] = round(hits / trials, 4)
    interval = wilson(hits, trials, level)
    if interval is None:
        block[f"{name}_note"] = f"more {num} than {den}"
    else:
        block[f"{name}_low"], block[f"{name}_high"] = (round(x, 4) for x in interval)


def _block(totals: list[PieceTotals], min_pieces: int, level: float) -> dict:
    block: dict = {"n": len(totals), "rows": sum(t.rows for t in totals)}
    for name in METRICS:
        values = [t.sums[name] for t in totals if t.sums[name] is not None]
        block[name] = (round(sum(values), 2) if name in AMOUNTS else sum(values)) if values else None
    for name, num, den in RATES:
        _rate(block, name, num, den, totals, min_pieces, level)
    return block


def rates_of_totals(totals: list[PieceTotals], pieces: Mapping[str, PieceFacts], *, min_pieces: int = 3,
                    level: float = 0.95, bands=SCORE_BANDS) -> dict:
    """`result_rates` from per-piece totals (one per piece)."""
    groupings = {"by_model": lambda f: f.model, "by_prompt_version": lambda f: f.prompt_version,
                 "by_channel": lambda f: f.channel, "by_score_band": lambda f: score_band(f.score, bands)}
    out: dict = {"overall": _block(totals, min_pieces, level)}
    for name, key in groupings.items():
        groups: dict[str, list[PieceTotals]] = {}
        for t in totals:
            facts = pieces.get(t.piece)
            groups.setdefault((key(facts) if facts else None) or "—", []).append(t)
        out[name] = {g: _block(members, min_pieces, level) for g, members in sorted(groups.items())}
    return out


def result_rates(rows: list[ResultRow], pieces: Mapping[str, PieceFacts], *, min_pieces: int = 3,
                 level: float = 0.95, bands=SCORE_BANDS) -> dict:
    """See the module docstring. pieces: canonical piece id → what the station knows of it."""
    return rates_of_totals(totals_of(rows), pieces, min_pieces=min_pieces, level=level, bands=bands)


def format_rate(rate: float | None, low: float | None, high: float | None, note: str | None = None) -> str:
    """A rate as people should read it: as many decimals as its interval supports ("3.1% (2.4–4.0%)"; "4% (1–12%)")
    or the note when there is no rate."""
    if rate is None:
        return note or "—"
    width = (high - low) * 100 if low is not None and high is not None else None
    digits = 0 if width is None or width >= 2 else 1 if width >= 0.2 else 2
    pct = f"{rate * 100:.{digits}f}%"
    return f"{pct} ({low * 100:.{digits}f}–{high * 100:.{digits}f}%)" if width is not None else pct

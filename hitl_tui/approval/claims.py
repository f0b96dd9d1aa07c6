"""The claims register: claims found in a text, each with a stable identity and a source.

Core module (pure). What it takes and gives:

- `find_claims(text)` → `Claim`s in order of first appearance. Kinds: `percent` (40%, 40 percent), `multiple`
  (3x, 3 times), `money` ($49, €1,200), `number` (1,000+, 250; bare one- and two-digit numbers are not claims,
  as in the claims gate), `superlative` (best, fastest, #1, guaranteed, proven, world-class, most trusted …, from
  `gates.CLAIM_RE`; "Best," closing an email is not one), `quote` (a quoted passage of three words or more) and
  `customer` (names after "trusted by", "used by", "customers like/such as/including", "teams at" …). A number
  inside a quote belongs to the quote.
- Identity: `Claim.id` = kind + ":" + anchor, where the anchor is what the claim asserts, normalized: the value
  for numbers ("40 percent" and "40%" → `percent:40`, "1,000" → `number:1000`), the quote's words, the customer's
  name, the superlative word. Rewording the sentence around it keeps the id, so the claim keeps its source;
  changing the number or the quote makes a new, unsourced claim. A claim that occurs twice is one claim.
- `Source` / `make_source(ref, quote, by=, at=)` — a URL, a document path or "brief", plus the supporting quote.
- `ClaimRecord` — what the store keeps per (variant, claim id): the wording last seen, the source or `removed`.
- `attach_source(records, claim, source)`, `mark_removed(records, claim, by)` → updated records (a new dict).
- `review_claims(text, records, brief_text=)` → `ClaimStatus` per claim in the text — `sourced`, `brief` (the brief
  states the same claim: sourced by the brief), `unsourced`, `marked_removed` (marked removed but still in the
  text: it needs a source too) — plus `removed` for recorded claims no longer in the text.
- `claims_verdict(text, records, spec)` → a `GateResult` with id "claims" that passes only when every claim still
  in the text has a source; required or advisory as the checklist says (advisory by default, like the gate).
- `front_matter(statuses)` → the outbox's `claims` list (tomli-w ready: no None values).
- `gates_with_register(text, spec, records)` → `gates.run_gates` with the claims gate replaced by the verdict:
  what the engine logs for a finished draft and what approval and auto-approval check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from ..gates import CLAIM_RE, GateResult, GateSpec, _is_sign_off, _result

KINDS = ("percent", "multiple", "money", "number", "superlative", "quote", "customer")
SOURCE_KINDS = ("url", "document", "brief")
SOURCED, BRIEF, UNSOURCED, MARKED_REMOVED, REMOVED = "sourced", "brief", "unsourced", "marked_removed", "removed"

QUOTE_RE = re.compile(r"[“\"]([^”\"\n]{8,400})[”\"]")
CURRENCY_RE = re.compile(r"[$€£¥]\s?$")
# A word of a name may hold dots ("J.P"), but one that ends a sentence ends the name: "Trusted by Acme. Teams love
# it." names Acme, not "Acme Teams".
_WORD = r"[A-Z](?:[\w&'’-]|\.(?=\w))*"
_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|&(?=\s+[A-Z])))*"
CUSTOMER_RE = re.compile(
    r"(?i:\b(?:trusted|used|loved|chosen|relied on|backed) by|\b(?:customers|clients|brands|companies|teams|"
    r"partners)\s+(?:like|such as|including)|\bteams at|\bjoin(?:ing)?|\bpartnered with)\s+"
    rf"({_NAME}(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+){_NAME})*)")  # "&" stays inside a name: Procter & Gamble
_NOT_NAMES = {"the", "our", "your", "their", "thousands", "hundreds", "millions", "teams", "people", "customers",
              "us", "we", "you", "them", "other", "others", "many", "leading", "top"}
_SUPERLATIVE_FORMS = {"number one": "#1", "no. 1": "#1", "no 1": "#1", "no.1": "#1", "guaranteed": "guarantee",
                      "guarantees": "guarantee", "world class": "world-class"}


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    anchor: str
    text: str  # the words as they first appear
    sentence: str  # the sentence they appear in (first occurrence)
    spans: tuple[tuple[int, int], ...]  # every occurrence


@dataclass(frozen=True)
class Source:
    kind: str  # url | document | brief
    ref: str  # the URL, the document path, or "brief"
    quote: str  # the passage that supports the claim
    by: str = ""
    at: float = 0.0

    def to_dict(self) -> dict:
        return {"kind": self.kind, "ref": self.ref, "quote": self.quote, "by": self.by, "at": self.at}


@dataclass(frozen=True)
class ClaimRecord:
    id: str
    kind: str
    text: str  # wording last seen
    source: Source | None = None
    removed: bool = False  # the reviewer marked it to be taken out
    by: str = ""  # who attached the source or marked it removed


@dataclass(frozen=True)
class ClaimStatus:
    id: str
    kind: str
    text: str
    status: str  # sourced | brief | unsourced | marked_removed | removed
    source: Source | None
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def needs_source(self) -> bool:
        return self.status in (UNSOURCED, MARKED_REMOVED)


def _number(raw: str) -> str:
    """'1,000' and '1.000' → '1000'; '1.5' stays; '040' → '40'."""
    digits = re.sub(r"[.,](?=\d{3}(?!\d))", "", raw.strip())
    digits = digits.replace(",", ".")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits.lstrip("0") or "0"


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return " ".join(text[left:(min(ends) + 1 if ends else len(text))].split())


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'")))


def _raw_claims(text: str) -> Iterable[tuple[str, str, int, int]]:
    """(kind, anchor, start, end) for every occurrence, quotes first so what is inside them can be skipped."""
    quotes = []
    for m in QUOTE_RE.finditer(text):
        if len(re.findall(r"\w+", m.group(1))) >= 3:
            quotes.append(m.span())
            yield "quote", _words_key(m.group(1)), m.start(), m.end()

    def quoted(s: int, e: int) -> bool:
        return any(qs <= s and e <= qe for qs, qe in quotes)

    for m in CLAIM_RE.finditer(text):
        token = m.group(0).strip()
        low = token.lower()
        if quoted(*m.span()) or _is_sign_off(text, m):
            continue
        number = re.match(r"\d+(?:[.,]\d+)*", token)
        if number and re.search(r"(%|percent)$", low):
            yield "percent", _number(number.group()), m.start(), m.end()
        elif number and low.endswith("x"):
            yield "multiple", _number(number.group()), m.start(), m.end()
        elif number:
            after = text[m.end():m.end() + 7].lower()
            if re.match(r"\s?times\b", after):
                yield "multiple", _number(token), m.start(), m.end() + len(re.match(r"\s?times", after).group())
            elif CURRENCY_RE.search(text[max(0, m.start() - 2):m.start()]):
                sym = CURRENCY_RE.search(text[max(0, m.start() - 2):m.start()])
                yield "money", sym.group().strip() + _number(token), m.start() - len(sym.group()), m.end()
            elif re.fullmatch(r"\d{1,2}", token):
                continue  # small bare numbers ("3 tips", "24/7") are rarely claims
            else:
                yield "number", _number(token), m.start(), m.end()
        else:
            key = " ".join(low.replace("-", " ").split()) if "world" in low else " ".join(low.split())
            yield "superlative", _SUPERLATIVE_FORMS.get(key, key), m.start(), m.end()
    for m in CUSTOMER_RE.finditer(text):
        for name in re.finditer(_NAME, m.group(1)):
            words = name.group().strip(" .&")
            if words and words.split()[0].lower() not in _NOT_NAMES and not quoted(*name.span()):
                start = m.start(1) + name.start()
                yield "customer", _words_key(words), start, start + len(words)


def find_claims(text: str) -> list[Claim]:
    found: dict[str, dict] = {}
    for kind, anchor, start, end in sorted(_raw_claims(text), key=lambda c: c[2]):
        cid = f"{kind}:{anchor}"
        if cid in found:
            found[cid]["spans"].append((start, end))
        else:
            found[cid] = {"id": cid, "kind": kind, "anchor": anchor, "text": text[start:end],
                          "sentence": _sentence(text, start, end), "spans": [(start, end)]}
    return [Claim(**{**c, "spans": tuple(c["spans"])}) for c in found.values()]


# ---------------------------------------------------------------- sources and the register

def make_source(ref: str, quote: str, by: str = "", at: float = 0.0) -> Source:
    """A source from what a reviewer typed: a URL (http/https), "brief", or else a document path."""
    ref, quote = ref.strip(), " ".join(quote.split())
    if not ref:
        raise ValueError("a source needs a URL, a document path or “brief”")
    if not quote:
        raise ValueError("a source needs the passage that supports the claim")
    kind = "url" if re.match(r"https?://\S+$", ref) else "brief" if ref.lower() == "brief" else "document"
    return Source(kind, "brief" if kind == "brief" else ref, quote, by, at)


def attach_source(records: dict[str, ClaimRecord], claim: Claim, source: Source) -> dict[str, ClaimRecord]:
    return {**records, claim.id: ClaimRecord(claim.id, claim.kind, claim.text, source, False, source.by)}


def mark_removed(records: dict[str, ClaimRecord], claim: Claim, by: str) -> dict[str, ClaimRecord]:
    old = records.get(claim.id)
    return {**records, claim.id: ClaimRecord(claim.id, claim.kind, claim.text, old.source if old else None,
                                             True, by)}


def brief_source(claim: Claim, brief_claims: dict[str, Claim]) -> Source | None:
    """The brief as the source when it states the same claim (same id), quoting the brief's sentence."""
    same = brief_claims.get(claim.id)
    return Source("brief", "brief", same.sentence) if same else None


def review_claims(text: str, records: dict[str, ClaimRecord], brief_text: str = "") -> list[ClaimStatus]:
    claims = find_claims(text)
    in_brief = {c.id: c for c in find_claims(brief_text)} if brief_text else {}
    out = []
    for c in claims:
        rec = records.get(c.id)
        if rec and rec.removed:
            status, source = MARKED_REMOVED, None
        elif rec and rec.source:
            status, source = SOURCED, rec.source
        elif (source := brief_source(c, in_brief)) is not None:
            status = BRIEF
        else:
            status, source = UNSOURCED, None
        out.append(ClaimStatus(c.id, c.kind, c.text, status, source, c.spans))
    present = {c.id for c in claims}
    out += [ClaimStatus(r.id, r.kind, r.text, REMOVED, r.source) for r in records.values() if r.id not in present]
    return out


def claims_verdict(text: str, records: dict[str, ClaimRecord], spec: GateSpec) -> GateResult:
    """The claims gate with the register: passes only when every claim still in the text has a source."""
    statuses = [s for s in review_claims(text, records, spec.brief_text) if s.status != REMOVED]
    open_ = [s for s in statuses if s.needs_source]
    if open_:
        msg = f"{len(open_)} claim(s) need a source: " + ", ".join(
            f"“{s.text}”" + (" (marked removed)" if s.status == MARKED_REMOVED else "") for s in open_[:4])
    else:
        msg = f"{len(statuses)} claim(s), all sourced" if statuses else "no claims"
    spans = sorted(span for s in open_ for span in s.spans)
    return _result("claims", "claims sourced", not open_, msg, "claims register", spec, spans)


def with_wording(records: dict[str, ClaimRecord], claims: Iterable[Claim]) -> dict[str, ClaimRecord]:
    """Records updated to the wording the claims now have (ids unchanged), for the store to save after an edit."""
    out = dict(records)
    for c in claims:
        if c.id in out and out[c.id].text != c.text:
            out[c.id] = replace(out[c.id], text=c.text)
    return out


def front_matter(statuses: Iterable[ClaimStatus]) -> list[dict]:
    """The outbox's `claims`: each claim in the approved text with its status and source."""
    out = []
    for s in statuses:
        if s.status == REMOVED:
            continue
        entry = {"id": s.id, "kind": s.kind, "text": s.text, "status": s.status}
        if s.source:
            entry["source"] = {"kind": s.source.kind, "ref": s.source.ref, "quote": s.source.quote}
        out.append(entry)
    return out


def gates_with_register(text: str, spec: GateSpec, records: dict[str, ClaimRecord]) -> list[GateResult]:
    """Every gate of `gates.run_gates`, with the claims gate's result replaced by the register's verdict (a claim
    the brief states, or one with a source, passes). A checklist that disables the claims gate keeps it off."""
    from ..gates import run_gates

    return [claims_verdict(text, records, spec) if r.id == "claims" else r for r in run_gates(text, spec)]

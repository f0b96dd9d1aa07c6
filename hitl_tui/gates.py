"""Quality gates: pure checks of a draft against its brief and checklist.

Core module: imports neither textual nor litellm. Every result says pass / fail / warn, why, where (character
spans in the text) and which brief field or config entry asked for it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .briefs import Brief
from .config import Checklist, Config, ManualItem
from .gate_status import FAIL, PASS, WARN  # noqa: F401 (re-exported)

# Channel limits when neither the brief nor the checklist sets max_chars.
CHANNEL_MAX_CHARS = {"sms": 160, "x": 280, "twitter": 280, "push": 120, "threads": 500, "bluesky": 300,
                     "meta_ad": 125, "google_ad": 90}
ADVISORY_BY_DEFAULT = {"reading_grade", "claims"}
PLACEHOLDER_RE = re.compile(r"\[insert[^\]]*\]?|\bTODO\b|\bTBD\b|lorem ipsum|\{\{[^}]*\}?\}?|\bXX+\b|<placeholder>",
                            re.IGNORECASE)
CLAIM_RE = re.compile(
    r"#1\b|\b\d+(?:[.,]\d+)*\s?(?:%|percent\b|x\b)|\b(?:best|fastest|cheapest|leading|number one|no\.? ?1|"
    r"guaranteed?|guarantees|proven|unbeatable|world[- ]class|most (?:popular|trusted|advanced))\b|"
    r"\b\d+(?:[.,]\d+)*\b", re.IGNORECASE)
# Words: what is between spaces (em dashes, a double hyphen and CJK punctuation also part words), without the
# punctuation and symbols around it, if a letter or digit is left: "e-mail", "don't", "24/7" and "example.com" are
# one word each, "—" and "&" none; Chinese or Japanese, written without spaces, counts one per clause. Sentences end at . ! ? … before a space or the end, at 。！？, and at a line break (a headline
# or a bullet is a sentence of its own), so the dot in "example.com" ends nothing.
_TOKEN_RE = re.compile(r"(?:[^\s—―。、，！？-]|-(?!-))+")
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)|[。！？]+|\n")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_ALNUM_RE = re.compile(r"[^\W_]")


@dataclass
class GateResult:
    """One gate's verdict on one text: pass, warn or fail, why, and where in the text."""
    id: str
    label: str
    status: str
    message: str
    source: str
    required: bool
    evidence: list[tuple[int, int]] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return self.required and self.status == FAIL

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "status": self.status, "message": self.message,
                "source": self.source, "required": self.required, "evidence": [list(s) for s in self.evidence]}


@dataclass
class GateSpec:
    """What the gates check, each value paired with where it came from."""
    min_words: tuple[int, str] | None = None
    max_words: tuple[int, str] | None = None
    max_chars: tuple[int, str] | None = None
    must_include: list[str] = field(default_factory=list)
    cta: str = ""
    banned: list[str] = field(default_factory=list)
    reading_grade_max: tuple[float, str] | None = None
    rules: list = field(default_factory=list)
    brief_text: str = ""
    checklist: Checklist = field(default_factory=Checklist)
    checklist_key: str = "checklists.default"

    @property
    def manual_items(self) -> list[ManualItem]:
        return self.checklist.items


def spec_for(brief: Brief | None, checklist: Checklist | None = None, checklist_key: str = "checklists.default",
             channel: str | None = None) -> GateSpec:
    """Combine the brief's contract, its checklist and channel defaults; the brief wins where both speak."""
    checklist = checklist or Checklist()
    spec = GateSpec(checklist=checklist, checklist_key=checklist_key, rules=list(checklist.rules))
    channel = (brief.channel if brief else "") or channel or ""
    if brief:
        if brief.min_words:
            spec.min_words = (brief.min_words, "brief.min_words")
        if brief.max_words:
            spec.max_words = (brief.max_words, "brief.max_words")
        spec.must_include = list(brief.must_include)
        spec.cta = brief.cta
        spec.banned = list(brief.banned)
        # One field a line: a claim the brief states is quoted with its own sentence, not glued to the title.
        spec.brief_text = "\n".join([brief.title, brief.brief, brief.goal, brief.audience, brief.cta, brief.notes,
                                    *brief.must_include])
    if brief and brief.max_chars:
        spec.max_chars = (brief.max_chars, "brief.max_chars")
    elif checklist.max_chars:
        spec.max_chars = (checklist.max_chars, checklist.sources.get("max_chars", f"{checklist_key}.max_chars"))
    elif channel.lower() in CHANNEL_MAX_CHARS:
        spec.max_chars = (CHANNEL_MAX_CHARS[channel.lower()], f"channel default ({channel.lower()})")
    if brief and brief.reading_grade_max:
        spec.reading_grade_max = (brief.reading_grade_max, "brief.reading_grade_max")
    elif checklist.reading_grade_max:
        spec.reading_grade_max = (checklist.reading_grade_max,
                                  checklist.sources.get("reading_grade_max", f"{checklist_key}.reading_grade_max"))
    return spec


def gate_spec(config: Config, brief: Brief | None, channel: str | None = None) -> GateSpec:
    """The spec for a brief under a workspace config: its checklist (or its channel's) layered over the default."""
    checklist, key = config.checklist_for((brief.checklist or brief.channel) if brief else channel)
    return spec_for(brief, checklist, key, channel=channel)


def _is_required(gate_id: str, spec: GateSpec, default: bool | None = None) -> bool:
    if gate_id in spec.checklist.required:
        return True
    if gate_id in spec.checklist.advisory:
        return False
    if default is not None:
        return default
    return gate_id not in ADVISORY_BY_DEFAULT


def _result(gate_id: str, label: str, ok: bool, message: str, source: str, spec: GateSpec,
            evidence: list[tuple[int, int]] | None = None, required: bool | None = None) -> GateResult:
    req = _is_required(gate_id, spec, required)
    status = PASS if ok else (FAIL if req else WARN)
    return GateResult(gate_id, label, status, message, source, req, evidence or [])


def phrase_re(phrase: str) -> re.Pattern:
    # Whole words only: "free" must not match "freedom"; \w edges also work for phrases with spaces.
    return re.compile(r"(?<!\w)" + re.escape(phrase.strip()) + r"(?!\w)", re.IGNORECASE)


def _is_edge(char: str) -> bool:
    return unicodedata.category(char)[0] in "PSZ"  # punctuation, symbols, spaces


@functools.lru_cache(maxsize=16)  # every gate asks, and a flush or keystroke runs them all on the same text
def word_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where each word is, by the one definition every gate uses (see _TOKEN_RE)."""
    spans = []
    for m in _TOKEN_RE.finditer(text):
        if not _ALNUM_RE.search(m.group()):
            continue
        start, end = m.span()
        while _is_edge(text[start]):
            start += 1
        while _is_edge(text[end - 1]):
            end -= 1
        spans.append((start, end))
    return tuple(spans)


def count_words(text: str) -> int:
    return len(word_spans(text))


def count_sentences(text: str) -> int:
    return sum(1 for part in _SENTENCE_END_RE.split(text) if _ALNUM_RE.search(part))


@dataclass(frozen=True)
class TextCounts:
    """Words, sentences and syllables of a text, counted once the way every gate counts them."""
    words: int
    sentences: int
    syllables: int


def text_counts(text: str) -> TextCounts:
    """Words and sentences as every gate counts them, and their syllables (see _syllables)."""
    words = [text[s:e].lower() for s, e in word_spans(text)]
    syllables = sum(sum(_syllables(run) for run in _LETTERS_RE.findall(w)) or 1 for w in words)
    return TextCounts(len(words), count_sentences(text) if words else 0, syllables)


@functools.lru_cache(maxsize=8192)
def _syllables(letters: str) -> int:
    """pyphen's English hyphenation points plus one, for one run of letters (a number counts one, above)."""
    return len(_hyphenator().positions(letters)) + 1


def _word_limits(text: str, spec: GateSpec) -> list[GateResult]:
    out = []
    words = word_spans(text)
    if spec.min_words:
        n, src = spec.min_words
        out.append(_result("min_words", f"≥ {n} words", len(words) >= n,
                           f"{len(words)} words; needs at least {n}", src, spec))
    if spec.max_words:
        n, src = spec.max_words
        spans = []
        if len(words) > n:
            spans = [(words[n][0], words[-1][1])]
        out.append(_result("max_words", f"≤ {n} words", len(words) <= n,
                           f"{len(words)} words; at most {n}" + (f" ({len(words) - n} over)" if spans else ""),
                           src, spec, spans))
    if spec.max_chars:
        n, src = spec.max_chars
        length = len(text.strip())
        start = len(text) - len(text.lstrip())
        spans = [(start + n, start + length)] if length > n else []
        out.append(_result("max_chars", f"≤ {n} chars", length <= n,
                           f"{length} characters; at most {n}" + (f" ({length - n} over)" if spans else ""),
                           src, spec, spans))
    return out


def _must_include(text: str, spec: GateSpec) -> list[GateResult]:
    if not spec.must_include:
        return []
    missing, spans = [], []
    for phrase in spec.must_include:
        m = phrase_re(phrase).search(text)
        if m:
            spans.append(m.span())
        else:
            missing.append(phrase)
    msg = "missing: " + ", ".join(f"“{p}”" for p in missing) if missing else "all present"
    return [_result("must_include", "must include", not missing, msg, "brief.must_include", spec, spans)]


_CTA_STOPWORDS = {"a", "an", "the", "your", "our", "my", "to", "for", "now", "today", "free", "of", "and", "in"}


def _cta_window(cta: str, text: str) -> tuple[int, int] | None:
    """Span where every content word of the CTA appears within a few words of each other, if any."""
    cta_words = [cta[s:e].lower() for s, e in word_spans(cta)]
    wanted = [w for w in cta_words if w not in _CTA_STOPWORDS] or cta_words
    words = [(s, e, text[s:e].lower()) for s, e in word_spans(text)]
    width = len(cta_words) + 3
    for i, (start, _, word) in enumerate(words):
        if word != wanted[0]:
            continue
        window = words[i:i + width]
        if all(any(w == word for _, _, word in window) for w in wanted):
            return start, max(end for _, end, word in window if word in wanted)
    return None


def _cta(text: str, spec: GateSpec) -> list[GateResult]:
    if not spec.cta:
        return []
    # Writers rephrase CTAs ("Book your demo" for "Book a demo"): accept the CTA's content words close together,
    # or a near-exact fuzzy match (typos), and show where it is.
    exact = phrase_re(spec.cta).search(text)
    if exact:
        return [_result("cta", "CTA present", True, f"“{spec.cta}” found", "brief.cta", spec, [exact.span()])]
    window = _cta_window(spec.cta, text)
    if window:
        return [_result("cta", "CTA present", True, f"reworded “{spec.cta}”: “{text[window[0]:window[1]]}”",
                        "brief.cta", spec, [window])]
    from rapidfuzz import fuzz

    align = fuzz.partial_ratio_alignment(spec.cta.lower(), text.lower()) if text.strip() else None
    if align is not None and align.score >= 88:
        return [_result("cta", "CTA present", True, f"close match ({align.score:.0f}%) to “{spec.cta}”",
                        "brief.cta", spec, [(align.dest_start, align.dest_end)])]
    return [_result("cta", "CTA present", False, f"“{spec.cta}” not found", "brief.cta", spec)]


def _banned(text: str, spec: GateSpec) -> list[GateResult]:
    if not spec.banned:
        return []
    found, spans = [], []
    for phrase in spec.banned:
        hits = [m.span() for m in phrase_re(phrase).finditer(text)]
        if hits:
            found.append(phrase)
            spans.extend(hits)
    msg = "uses: " + ", ".join(f"“{p}”" for p in found) if found else "none used"
    return [_result("banned", "banned words", not found, msg, "brief.banned", spec, sorted(spans))]


def _rules(text: str, spec: GateSpec) -> list[GateResult]:
    out = []
    for i, rule in enumerate(spec.rules):
        pattern = re.compile(rule.pattern, re.IGNORECASE | re.MULTILINE)
        hits = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
        if rule.kind == "must":
            ok = bool(hits) or bool(pattern.search(text))
            msg = "matches" if ok else "missing" if rule.worded else f"no match for /{rule.pattern}/"
        else:
            ok = not hits
            msg = "no match" if ok else f"used {len(hits)} time{'s' if len(hits) != 1 else ''}" if rule.worded \
                else f"{len(hits)} match(es) of /{rule.pattern}/"
        out.append(_result(f"rule:{rule.name}", rule.name, ok, msg, rule.source or f"{spec.checklist_key}.rules[{i}]", spec,
                           hits if rule.kind == "must_not" else hits[:1], required=rule.required))
    return out


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade, from the same word and sentence counts as the word limits (text_counts)."""
    counts = text_counts(text)
    if not counts.words:
        return 0.0
    return 0.39 * counts.words / counts.sentences + 11.8 * counts.syllables / counts.words - 15.59


@functools.cache
def _hyphenator():
    from pyphen import Pyphen

    return Pyphen(lang="en_US")


def _reading(text: str, spec: GateSpec) -> list[GateResult]:
    if not spec.reading_grade_max or count_words(text) < 5:
        return []
    limit, src = spec.reading_grade_max
    grade = reading_grade(text)
    return [_result("reading_grade", f"grade ≤ {limit:g}", grade <= limit,
                    f"reading grade {grade:.1f}; at most {limit:g}", src, spec)]


def _placeholders(text: str, spec: GateSpec) -> list[GateResult]:
    spans = [m.span() for m in PLACEHOLDER_RE.finditer(text)]
    msg = f"{len(spans)} leftover placeholder(s): " + ", ".join(
        f"“{text[s:e][:20]}”" for s, e in spans[:3]) if spans else "none"
    return [_result("placeholders", "no placeholders", not spans, msg, "built-in", spec, spans)]


_SIGN_OFF = re.compile(r"^\s*(all the )?best( wishes| regards)?,?\s*$", re.IGNORECASE)


def _is_sign_off(text: str, m: re.Match) -> bool:
    """'Best,' closing an email is a greeting, not a superlative claim."""
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    return bool(_SIGN_OFF.match(text[start:end if end != -1 else len(text)]))


def _claims(text: str, spec: GateSpec) -> list[GateResult]:
    # A number or superlative that the brief itself states is sourced; anything else needs a citation.
    sourced = spec.brief_text.lower()
    sourced_compact = sourced.replace(" ", "")
    spans: list[tuple[int, int]] = []
    for m in CLAIM_RE.finditer(text):  # matches come in order and never overlap
        token = m.group(0).strip().lower()
        if re.fullmatch(r"\d{1,2}", token) and not text[m.end():m.end() + 1] == "%":
            continue  # small bare numbers ("3 tips", "24/7") are rarely claims
        if token in sourced or re.sub(r"\s", "", token) in sourced_compact:
            continue
        if _is_sign_off(text, m):
            continue
        spans.append(m.span())
    msg = (f"{len(spans)} claim(s) need a source: " + ", ".join(f"“{text[s:e]}”" for s, e in spans[:4])
           if spans else "no unsourced claims")
    return [_result("claims", "claims sourced", not spans, msg, "built-in", spec, spans)]


CHECKS = {
    "words": _word_limits, "must_include": _must_include, "cta": _cta, "banned": _banned, "rules": _rules,
    "reading_grade": _reading, "placeholders": _placeholders, "claims": _claims,
}


def run_gates(text: str, spec: GateSpec) -> list[GateResult]:
    """Run every automatic gate the spec asks for. Pure; safe to call on every streamed flush or keystroke."""
    results: list[GateResult] = []
    for check in CHECKS.values():
        results.extend(check(text, spec))
    return [r for r in results if r.id not in spec.checklist.disabled]


def blocking(results: list[GateResult]) -> list[GateResult]:
    return [r for r in results if r.blocking]

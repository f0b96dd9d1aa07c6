"""Small text tools the channel writers share: sentences, casing, lists, banned words and fitting a limit."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

from ..gates import count_words, phrase_re

_SMALL = {"a", "an", "the", "and", "or", "for", "to", "of", "in", "on", "at", "with", "by", "from", "your", "our"}


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a full stop inside a number or an abbreviation ("4.2", "e.g.") does not split."""
    text = " ".join(text.split())
    parts = re.split(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“£$€(])", text)
    return [p.strip() for p in parts if p.strip()]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """'Owners of studios' -> 'owners of studios', but 'EU banks' and 'Northwind Studio' keep their capitals."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:].lower() != first[1:] or _is_name(text)):
        return text
    return text[:1].lower() + text[1:]


def _is_name(text: str) -> bool:
    words = text.split()
    return len(words) > 1 and all(w[:1].isupper() for w in words[:2])


def end(text: str, mark: str = ".") -> str:
    """The text as a sentence: ends with one full stop (or ?/!) and no dangling punctuation."""
    text = text.strip().rstrip(",;:-–— ")
    return text if text[-1:] in ".!?" else text + mark


def bare(text: str) -> str:
    return text.strip().rstrip(".!?;:, ")


def join_list(items: list[str], conj: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 2:
        return f" {conj} ".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def title_case(text: str) -> str:
    """Headline case for ad headlines: small words stay lower case; codes, numbers and names stay as written."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        if i and word.lower() in _SMALL:
            out.append(word.lower())
        elif word[:1].islower():
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


def has(text: str, phrase: str) -> bool:
    return bool(phrase.strip()) and bool(phrase_re(phrase).search(text))


def uses_any(text: str, phrases: Iterable[str]) -> bool:
    return any(has(text, p) for p in phrases)


def strip_banned(text: str, banned: list[str]) -> str:
    """Last resort: remove what the banned-words gate would flag (its own whole-word match) and the space after."""
    for word in banned:
        text = re.sub(phrase_re(word).pattern + r"\s?", "", text, flags=re.IGNORECASE)
    return text


def words(text: str) -> int:
    return count_words(text)


def first_fitting(candidates: Iterable[str], max_chars: int | None, banned: list[str] = ()) -> str:
    """The first candidate within the limit that uses no banned word; candidates go from fullest to barest."""
    pool = [" ".join(c.split(" ")).strip() for c in candidates if c and c.strip()]
    clean = [c for c in pool if not uses_any(c, banned)] or pool
    for text in clean:
        if not max_chars or len(text) <= max_chars:
            return text
    return clip(clean[-1], max_chars) if clean else ""


CLAUSE_WORDS = {"after", "before", "when", "while", "because", "since", "until", "so", "which", "who", "where"}
LEADING_WORDS = {"a", "an", "the", "our", "your", "their", "its", "my", "this", "that", "these", "those", "into",
                 "of", "to", "and", "or", "but", "with", "by", "for", "from", "in", "on", "at", "as", "than",
                 *CLAUSE_WORDS}


def clip(text: str, max_chars: int | None) -> str:
    """Cut at the last whole sentence that fits, else at the last whole clause or word; never mid-word, never on a
    word that only leads into what was cut."""
    if not max_chars or len(text) <= max_chars:
        return text
    kept = ""
    for sentence in sentences(text):
        trial = f"{kept} {sentence}".strip()
        if len(trial) > max_chars:
            break
        kept = trial
    if kept:
        return kept
    cut = text[:max_chars - 1]
    words = (cut[:cut.rfind(" ")] if " " in cut else cut).split(" ")
    # A cut inside a trailing clause ("… after moving feedback into our") ends where that clause began, when what
    # is left still says something; else at least not on a word that leads into what was cut ("into", "our").
    at = next((i for i in range(len(words) - 1, 0, -1)
               if words[i].lower() in CLAUSE_WORDS and len(" ".join(words[:i])) >= max_chars // 2), None)
    if at is not None:
        words = words[:at]
    while len(words) > 1 and words[-1].lower().strip(",;:") in LEADING_WORDS:
        words.pop()
    return end(" ".join(words).rstrip(",;:"))


def pick(options: list[str], key: str, offset: int = 0) -> str:
    """A stable choice among phrasings: the same brief and variant always get the same one, different briefs
    different ones (Python's hash() is salted per process, so crc32)."""
    return options[(zlib.crc32(key.encode()) + offset) % len(options)]

"""Revising a previous draft the way the offline drafter can: remove what the gates flag, follow the common kinds
of reviewer note or instruction (lead with, end with, drop a line, shorter, no exclamation marks), answer a low
clarity or voice score by cutting filler, and put back what the brief requires (must-include items, the CTA) in
sentences rather than fragments. The reviewer's own edits are kept: the previous draft is their text.
"""

from __future__ import annotations

import re

from ..gates import PLACEHOLDER_RE
from .facts import Facts
from .lines import include_line
from .wording import clip, has, strip_banned, words

# Lines that read as filler in any draft, ours or a model's (older offline drafts used the first four).
GENERIC = [
    "It is designed around how you already work, so there is nothing new to learn.",
    "Set it up in minutes and see the difference on day one.",
    "Everything you need sits in one place, ready when you are.",
    "It takes the repetitive steps off your plate so you can focus on the work that counts.",
    "If you have been meaning to", "this is a good moment", "now is the time",
    "Tired of the old way?", "Simple, fast, yours.", "less busywork, more of what matters",
    "In today's fast-paced world", "Look no further", "Take your business to the next level",
]


def revise(previous: str, feedback: str, f: Facts, min_words: int | None, max_words: int | None,
           max_chars: int | None) -> str:
    """Apply what the offline drafter can understand of feedback: placeholders, banned words, missing phrases,
    length, and the reviewer's note (see `_follow_note`)."""
    text = PLACEHOLDER_RE.sub("", previous)  # exactly what the placeholder gate flags
    text = strip_banned(text, f.avoid)
    for note in _asks(feedback):
        text = _follow_note(text, note, " ".join(f.points))  # the brief's copy, not its instructions
    for item in f.must + f.uses:  # after the note: a cut may have taken one
        if not has(text, item):
            text = _before_cta(text, include_line(item, f), f.cta)
    if f.cta and not has(text, f.cta):
        text = _before_sign_off(text, f"{f.cta}.")
    for point in f.points:  # a cut left it short of the brief's minimum: say more of what the brief says
        if min_words and words(text) < min_words and point not in text:
            text = _before_cta(text, point, f.cta)
    text = re.sub(r"!{2,}", "!", text)
    text = _fit_paragraphs(text, max_words)
    text = clip(text, max_chars)
    return re.sub(r"[ \t]+", " ", text).strip()


def _asks(feedback: str) -> list[str]:
    """What the reviewer asked in words: each note and instruction line, and a low clarity or voice score read as
    "cut the filler" (the rubric's 1 for both is generic, buried copy)."""
    asks = [re.sub(r"\s*\(asked before and not yet done\)$", "", m.group(1).strip())
            for m in re.finditer(r"(?:Note|Instruction) from the reviewer: (.+)", feedback)]
    if re.search(r"Low score: (?:clarity|voice) [12]/5", feedback):
        asks.append("drop the generic filler")
    return asks


def _fit_paragraphs(text: str, max_words: int | None) -> str:
    """Drop whole paragraphs from the end of the body (the head, the CTA and the sign-off stay) until it fits."""
    if not max_words or words(text) <= max_words:
        return text
    paras = text.split("\n\n")
    while words("\n\n".join(paras)) > max_words:
        body = [i for i, p in enumerate(paras) if not _is_head(p) and not _is_sign_off(p)]
        if len(body) < 2:
            break
        del paras[body[-2]]  # the last body paragraph is the call to action
    return "\n\n".join(paras)


def _before_cta(text: str, line: str, cta: str) -> str:
    paras = text.split("\n\n")
    at = next((i for i, p in enumerate(paras) if _is_sign_off(p) or (cta and has(p, cta))), len(paras))
    return "\n\n".join(paras[:at] + [line] + paras[at:])


# ---------------------------------------------------------------- following a reviewer's note

_STOP = {"the", "a", "an", "and", "or", "with", "of", "to", "in", "on", "for", "our", "your", "it", "this", "that",
         "line", "sentence", "result", "point", "bit", "part", "about", "more", "less"}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _is_head(para: str) -> bool:
    """Paragraphs a revision keeps in place at the top: an email's subject and greeting, a page's headline."""
    return bool(re.match(r"(Subject:|Headline:|# |(Hi|Hello|Dear)\b[^.\n]{0,30},?$)", para.strip()))


def _is_sign_off(para: str) -> bool:
    return bool(re.match(r"(Best|Thanks|Cheers|Regards|Warm regards|All the best|Kind regards)\b", para.strip()))


def _before_sign_off(text: str, para: str) -> str:
    paras = text.split("\n\n")
    at = next((i for i, p in enumerate(paras) if _is_sign_off(p)), len(paras))
    return "\n\n".join(paras[:at] + [para] + paras[at:])


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9%]+", text.lower()) if w not in _STOP and len(w) > 1}


def _best_sentence(text: str, wanted: str) -> str | None:
    """The sentence sharing the most words with what the reviewer named (at least one), if any."""
    want = _words(wanted)
    found = [m.group().strip() for m in _SENTENCE.finditer(text)]
    found = [s for s in found if len(s.split()) >= 3 and not re.match(r"[-→#*]|\w+:", s)]  # not list items or labels
    scored = [(len(want & _words(s)), s) for s in found]
    best = max(scored, default=(0, ""))
    return best[1] if best[0] else None


def _remove_sentence(text: str, sentence: str) -> str:
    paras = [re.sub(r"\s{2,}", " ", p.replace(sentence, "")).strip() for p in text.split("\n\n")]
    return "\n\n".join(p for p in paras if p)


def _lead_with(text: str, sentence: str) -> str:
    paras = _remove_sentence(text, sentence).split("\n\n")
    at = next((i for i, p in enumerate(paras) if not _is_head(p)), len(paras))
    return "\n\n".join(paras[:at] + [sentence] + paras[at:])


def _follow_note(text: str, note: str, brief: str) -> str:
    """Understood requests: drop generic or named lines, lead with a named point or a quoted line, end with a
    quoted line, make it shorter, no exclamation marks. Anything else is left to a real model."""
    if re.search(r"\b(generic|filler|fluff|boilerplate|clich)", note, re.I):
        for sentence in [m.group().strip() for m in _SENTENCE.finditer(text)]:
            if any(g.lower() in sentence.lower() for g in GENERIC):
                text = _remove_sentence(text, sentence)
    lead = re.search(r"\b(?:lead|open|start|begin) with\s+(?:[\"“]([^\"”]{2,200})[\"”]|(.+?)(?:\s+and\s+|[,;.]|$))",
                     note, re.I)
    if lead:
        line = lead.group(1) or _best_sentence(text, lead.group(2)) or _best_sentence(brief, lead.group(2))
        if line:
            text = _lead_with(text, line if line[-1] in ".!?" else line + ".")
    end = re.search(r"\b(?:end|close|finish) with\s+[\"“]([^\"”]{2,200})[\"”]", note, re.I)
    if end:
        line = end.group(1) if end.group(1)[-1] in ".!?" else end.group(1) + "."
        text = _before_sign_off(_remove_sentence(text, line), line)
    for m in re.finditer(r"\b(?:drop|remove|cut|delete|lose)\s+(?:the\s+)?(.+?)(?:\s+and\s+|[,;.]|$)", note, re.I):
        target = m.group(1)
        if not re.search(r"generic|filler|fluff|boilerplate|clich", target, re.I):
            if (line := _best_sentence(text, target)) and len(_words(target) & _words(line)) >= 2:
                text = _remove_sentence(text, line)
    if re.search(r"\b(no|fewer|without) exclamation", note, re.I):
        text = text.replace("!", ".")
    if re.search(r"shorter|concise|trim|tighten", note, re.I):
        paras = text.split("\n\n")
        body = [i for i, p in enumerate(paras) if not _is_head(p) and not _is_sign_off(p)]
        if len(body) >= 3:  # drop a middle paragraph; the opening and the call to action stay
            del paras[body[len(body) // 2]]
        text = "\n\n".join(paras)
    return text

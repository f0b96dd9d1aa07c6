"""The offline drafter's writing: channel-appropriate copy composed from the brief lines in a prompt.

Core module (pure text in, text out). `drafting/offline_provider.py` serves it through litellm so the app's one
code path is exercised with no network and no API key.
"""

from __future__ import annotations

import re

from .gates import PLACEHOLDER_RE, phrase_re
from .prompts import ANGLES

OPENERS = [
    "{title}: built for {audience}.",
    "Tired of the old way? {title} changes that for {audience}.",
    "Picture your week with {title}: less busywork, more of what matters.",
    "What would you do with an extra hour a day? {title} gives {audience} exactly that.",
    "After {title}, {audience} stop juggling and start finishing.",
    "Now is the moment: {title} is here for {audience}.",
    "{title}. Simple, fast, yours.",
    "Meet {title}, made for {audience}.",
]
MIDDLES = [
    "It is designed around how you already work, so there is nothing new to learn.",
    "Set it up in minutes and see the difference on day one.",
    "Everything you need sits in one place, ready when you are.",
    "It takes the repetitive steps off your plate so you can focus on the work that counts.",
]


def _fields(prompt: str) -> dict[str, str]:
    fields = {}
    for line in prompt.splitlines():
        m = re.match(r"^(Title|Channel|Audience|Goal|CTA|Must include|Avoid|Max words|Max characters|Brief|Angle):"
                     r"\s*(.*)$", line)
        if m and m.group(1) not in fields:
            fields[m.group(1)] = m.group(2).strip()
    # The brief body is the block's last field and may run over several lines, up to the next heading.
    body = re.search(r"^Brief:\s*(.*?)(?=^## |\Z)", prompt, re.S | re.M)
    if body:
        fields["Brief"] = " ".join(body.group(1).split())
        _from_prose(fields)
    return fields


# A plain-text brief states its contract in prose ('The call to action is "Read the story". Audience: agency
# owners.'); the drafter honours what it can recognise rather than falling back to a generic CTA and audience.
_PROSE_CTA = re.compile(
    r"\b(?:call to action|CTA)\b[^\"“”.]{0,12}?(?:is|:|should be|=)\s*[\"“]([^\"”]{2,60})[\"”]", re.I)
_PROSE_AUDIENCE = re.compile(r"\bAudience\s*(?:is|:)\s*([^.;\n]{3,80})", re.I)


def _from_prose(fields: dict[str, str]) -> None:
    brief = fields["Brief"]
    if not fields.get("CTA") and (m := _PROSE_CTA.search(brief)):
        fields["CTA"] = m.group(1).strip().rstrip(".")
    if not fields.get("Audience") and (m := _PROSE_AUDIENCE.search(brief)):
        fields["Audience"] = m.group(1).strip()


def _section(prompt: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", prompt, re.S | re.M)
    return m.group(1).strip() if m else ""


_INSTRUCTION = re.compile(r"^(announce|write|invite|keep|make|tell|explain|promote|draft|create|a short|"
                          r"landing page|short)\b", re.I)


def _first_sentence(text: str, limit: int = 160) -> str:
    """The brief's first sentence that reads as content rather than an instruction to the writer."""
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        if sentence and not _INSTRUCTION.match(sentence):
            return sentence[:limit].rstrip()
    return ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2].isalpha() and not text[:2].isupper() else text


def _strip_banned(text: str, banned: list[str]) -> str:
    """Remove what the banned-words gate would flag (the same whole-word match), and the space after it."""
    for word in banned:
        text = re.sub(phrase_re(word).pattern + r"\s?", "", text, flags=re.IGNORECASE)
    return text


def _fit(text: str, max_words: int | None, max_chars: int | None) -> str:
    if max_words:
        words = text.split(" ")
        if len(words) > max_words:
            text = " ".join(words[:max_words]).rstrip(",;:") + "."
    if max_chars and len(text) > max_chars:
        cut = text[: max_chars - 1]
        text = cut[: cut.rfind(" ")].rstrip(",;:") + "." if " " in cut else cut
    return text


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def compose(prompt: str) -> str:
    """Write a draft (or a revision, when the prompt holds a previous draft) from the prompt's brief lines."""
    f = _fields(prompt)
    banned = [w for w in f.get("Avoid", "").split("; ") if w]
    must = [w for w in f.get("Must include", "").split("; ") if w]
    previous = _section(prompt, "Previous draft")
    if previous:
        return _revise(previous, _section(prompt, "Reviewer feedback"), f, must, banned)
    angle = f.get("Angle", ANGLES[0])
    variant = ANGLES.index(angle) if angle in ANGLES else 0
    title = f.get("Title", "Our new offer")
    audience = _lower_first(f.get("Audience", "") or "busy teams").rstrip(".")
    cta = f.get("CTA", "Learn more") or "Learn more"
    channel = f.get("Channel", "").lower()
    gist = _first_sentence(f.get("Brief", ""))
    opener = OPENERS[variant % len(OPENERS)].format(title=title, audience=audience.rstrip("."))
    middle = MIDDLES[variant % len(MIDDLES)]
    includes = " ".join(f"{m[:1].upper()}{m[1:]}." if not m.endswith(".") else m for m in must)
    if channel == "sms":
        hook = ["Last call", "Heads up", "Quick one", "Don't miss it"][variant % 4]
        text = f"{hook}: {includes or gist} {cta}. Reply STOP to opt out."
        text = _fit(text, None, _int(f.get("Max characters")) or 160)
    elif channel in ("x", "twitter"):
        tag = "#" + re.sub(r"\W", "", title.title())[:20]
        text = _fit(f"{opener} {includes} {cta}. {tag}", None, _int(f.get("Max characters")) or 280)
    elif channel == "email":
        text = (f"Subject: {title}\n\nHi there,\n\n{opener} {gist}\n\n{middle} "
                f"{includes}\n\n{cta}.\n\nBest,\nThe team")
    elif channel == "landing":
        bullets = "\n".join(f"- {m}" for m in (must or [middle]))
        text = f"# {title}\n\n{opener}\n\n{bullets}\n\n[{cta}]"
    elif channel == "linkedin":
        text = f"{opener}\n\n{gist}\n\n{middle} {includes}\n\n{cta}."
    else:
        text = f"{opener} {gist}\n\n{middle} {includes}\n\n{cta}."
    text = _strip_banned(text, banned)
    if channel not in ("sms", "x", "twitter"):
        text = _fit_paragraphs(text, _int(f.get("Max words")))
    return re.sub(r"[ \t]+", " ", text).strip()


def _fit_paragraphs(text: str, max_words: int | None) -> str:
    if not max_words or len(text.split()) <= max_words:
        return text
    kept, count = [], 0
    for para in text.split("\n\n"):
        n = len(para.split())
        if count + n > max_words:
            break
        kept.append(para)
        count += n
    return "\n\n".join(kept) or _fit(text, max_words, None)


def _revise(previous: str, feedback: str, f: dict[str, str], must: list[str], banned: list[str]) -> str:
    """Apply what the offline drafter can understand of feedback: placeholders, banned words, missing phrases,
    length, and the reviewer's note (see `_follow_note`)."""
    text = PLACEHOLDER_RE.sub("", previous)  # exactly what the placeholder gate flags
    text = _strip_banned(text, banned)
    note = re.search(r"Note from the reviewer: (.+)", feedback)
    if note:
        text = _follow_note(text, note.group(1), f.get("Brief", ""))
    missing = [m for m in must if m.lower() not in text.lower()]  # after the note: a cut may have taken one
    if missing:
        text = _before_sign_off(text, " ".join(f"{m[:1].upper()}{m[1:]}." for m in missing))
    cta = f.get("CTA", "")
    if cta and cta.lower() not in text.lower():
        text = _before_sign_off(text, f"{cta}.")
    text = re.sub(r"!{2,}", "!", text)
    text = _fit_paragraphs(text, _int(f.get("Max words")))
    text = _fit(text, None, _int(f.get("Max characters")))
    return re.sub(r"[ \t]+", " ", text).strip()


# ---------------------------------------------------------------- following a reviewer's note

_GENERIC = MIDDLES + ["Tired of the old way?", "Simple, fast, yours.", "less busywork, more of what matters"]
_STOP = {"the", "a", "an", "and", "or", "with", "of", "to", "in", "on", "for", "our", "your", "it", "this", "that",
         "line", "sentence", "result", "point", "bit", "part", "about", "more", "less"}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _is_head(para: str) -> bool:
    """Paragraphs a revision keeps in place at the top: an email's subject and greeting, a page's headline."""
    return bool(re.match(r"(Subject:|# |(Hi|Hello|Dear)\b[^.\n]{0,30},?$)", para.strip()))


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
    scored = [(len(want & _words(m.group())), m.group().strip()) for m in _SENTENCE.finditer(text)]
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
        for line in _GENERIC:
            text = _remove_sentence(text, line) if line.endswith((".", "?")) else text.replace(f": {line}", "")
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

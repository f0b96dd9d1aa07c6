"""The offline drafter's writing: channel-appropriate copy composed from the brief lines in a prompt.

Core module (pure text in, text out). `drafting/offline_provider.py` serves it through litellm so the app's one
code path is exercised with no network and no API key.
"""

from __future__ import annotations

import re

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
    for word in banned:
        text = re.sub(r"(?<!\w)" + re.escape(word) + r"(?!\w)\s?", "", text, flags=re.I)
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
    length, and a reviewer note quoted as the new opening when it asks for one."""
    text = re.sub(r"\[insert[^\]]*\]|\bTODO\b|\bTBD\b|lorem ipsum|\{\{[^}]*\}\}", "", previous, flags=re.I)
    text = _strip_banned(text, banned)
    missing = [m for m in must if m.lower() not in text.lower()]
    if missing:
        text += "\n\n" + " ".join(f"{m[:1].upper()}{m[1:]}." for m in missing)
    cta = f.get("CTA", "")
    if cta and cta.lower() not in text.lower():
        text += f"\n\n{cta}."
    text = re.sub(r"!{2,}", "!", text)
    note = re.search(r"Note from the reviewer: (.+)", feedback)
    if note and re.search(r"shorter|concise|trim", note.group(1), re.I):
        text = "\n\n".join(p for i, p in enumerate(text.split("\n\n")) if i != 1 or len(text.split("\n\n")) < 3)
    text = _fit_paragraphs(text, _int(f.get("Max words")))
    text = _fit(text, None, _int(f.get("Max characters")))
    return re.sub(r"[ \t]+", " ", text).strip()

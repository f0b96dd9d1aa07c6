"""The offline drafter's writing: channel-shaped copy composed from the brief in a prompt.

Core package (pure text in, text out; imports neither textual nor litellm). `drafting/offline_provider.py` serves
it through litellm so the app's one code path is exercised with no network and no API key.

    prompt.py    the prompt's sections and the brief's fields (one parser; new sections are read there)
    facts.py     what the brief says: sentences usable as copy, instructions to the writer, offer/code/deadline...
    lines.py     lines built from the facts: hooks per angle, offer, deadline, CTA, must-include sentences
    short.py     SMS, X and short social, push, ads (character limits)
    long.py      email, LinkedIn, landing hero, blog, anything else (word limits)
    revise.py    revisions: gate fixes and what the reviewer asked (notes, instructions, low scores)
    learned.py   the team's learned rules and approved examples from the prompt, followed visibly
    language.py  a brief not in English gets an honest note instead of English boilerplate

Deterministic: the same prompt always gives the same text; variety comes from the variant's angle.
"""

from __future__ import annotations

import re

from ..gates import CHANNEL_MAX_CHARS
from . import long, short
from .facts import Facts, read_facts
from .language import brief_language, english_only_note
from .learned import follow_learned, read_learned
from .prompt import Prompt, parse_prompt, prompt_text
from .revise import revise
from .wording import clip, strip_banned, uses_any

__all__ = ["compose", "prompt_text"]

_LONG = {"email": long.email, "newsletter": long.email, "e-mail": long.email, "linkedin": long.linkedin,
         "landing": long.landing, "landing page": long.landing, "hero": long.landing, "web": long.landing,
         "website": long.landing, "blog": long.blog, "blog post": long.blog, "article": long.blog}
_SHORT = {"sms": short.sms, "text": short.sms, "mms": short.sms, "x": short.social, "twitter": short.social,
          "tweet": short.social, "threads": short.social, "bluesky": short.social, "mastodon": short.social,
          "push": short.push, "notification": short.push, "push notification": short.push}
_ADS = {"ad", "ads", "google_ad", "google ads", "google ad", "search ad", "search ads", "meta_ad", "meta ad",
        "meta ads", "facebook ad", "facebook ads", "display", "display ads", "ppc", "paid social"}
_TAGGED = {"instagram", "facebook", "tiktok", "social"}
_DEFAULT_CHARS = {"sms": 160, "text": 160, "mms": 1600, "x": 280, "twitter": 280, "tweet": 280, "threads": 500,
                  "bluesky": 300, "mastodon": 500, "push": 120, "notification": 120, "push notification": 120}


def compose(prompt: str) -> str:
    """Write a draft (or a revision, when the prompt holds a previous draft) from the prompt's brief."""
    p = parse_prompt(prompt)
    language = brief_language(" ".join([p.field("Title"), p.field("Brief"), p.field("CTA")]))
    if language != "English":
        return english_only_note(language)
    f = read_facts(p)
    max_words, max_chars = p.number("Max words"), p.number("Max characters")
    learned = read_learned(p)
    previous = p.section("Previous draft")
    if previous:
        text = revise(previous, p.section("Reviewer feedback"), f, p.number("Min words"), max_words, max_chars)
        return clip(follow_learned(text, learned, f.must, fresh=False), max_chars) if learned else text
    text = follow_learned(_draft(p, f), learned, f.must, fresh=True) if learned else _draft(p, f)
    if uses_any(text, f.avoid):  # a required sentence carried a banned word: take the word out
        text = re.sub(r"[ \t]{2,}", " ", strip_banned(text, f.avoid))
    return clip(text.strip(), max_chars)


def _draft(p: Prompt, f: Facts) -> str:
    channel, variant = p.channel or f.format, p.variant
    min_words, max_words = p.number("Min words"), p.number("Max words")
    chars = p.number("Max characters") or CHANNEL_MAX_CHARS.get(channel) or _DEFAULT_CHARS.get(channel)
    if channel in _SHORT:
        return _SHORT[channel](f, variant, chars)
    if channel in _ADS:
        return short.ads(f, variant, chars)
    if channel in _LONG:
        return _LONG[channel](f, variant, min_words, max_words)
    return long.generic(f, variant, min_words, max_words, tags=channel in _TAGGED)

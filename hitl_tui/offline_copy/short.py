"""Writers for channels with a hard character limit: SMS, X (and other short social posts), push, ads.

Each builds candidates from fullest to barest and keeps the first that fits the limit (`first_fitting`), so a
draft loses a whole optional sentence rather than being cut mid-word.
"""

from __future__ import annotations

import re

from .facts import DISCOUNT, Facts
from .lines import (cta_line, deadline_line, deadline_phrase, fragments, from_to, hook, include_line, list_lead,
                    offer_point, offer_until, title_is_copy)
from .wording import bare, cap, end, first_fitting, has, lower_first, sentences, title_case, uses_any

OPT_OUT = "Reply STOP to opt out."


def _required(f: Facts, text: str) -> list[str]:
    """Sentences for must-include and asked-for items the text lacks."""
    out: list[str] = []
    for item in f.must + f.uses:
        if not has(text + " " + " ".join(out), item):
            line = include_line(item, f)
            if line not in out:
                out.append(line)
    return out


def _cta_sentence(f: Facts, variant: int, text: str = "") -> str:
    """The CTA, or the brief's own sentence that already carries it ('Reply YES and we send ...')."""
    for point in f.points:
        if f.cta and has(point, f.cta):
            return point
    return cta_line(f, variant, text)


def _compact(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def _sms_openers(f: Facts, variant: int) -> list[str]:
    """The offer sentence, in a shape that depends on the variant: offer first, deadline first, or a hook."""
    offer = offer_until(f)
    if not offer:
        lead = hook(f, variant)
        return [lead] + [p for p in f.points if p != lead][:1]
    last_day = f.deadline and re.match(r"(?:tonight|today|midnight)", f.deadline, re.I)
    label = f"{cap(f.campaign)}{', last day' if last_day else ''}: " if f.campaign else ""
    bare_offer = (f.offer or (f.freebies[0] if f.freebies else "")) + (f" with code {f.code}" if f.code else "")
    shapes = [
        f"{label}{end(offer if label else cap(offer))}",
        f"{cap(deadline_phrase(f))}: {bare_offer}." if f.deadline else f"{cap(bare_offer)}.",
        f"{hook(f, 1 if variant % 3 == 2 else 3)} {end(cap(offer))}" if hook(f, 1 if variant % 3 == 2 else 3)
        .endswith("?") else f"{label}{end(cap(offer))}",
    ]
    return [shapes[variant % 3], shapes[(variant + 1) % 3]]


def sms(f: Facts, variant: int, limit: int) -> str:
    """Offer, code and deadline first, then the action and the opt-out, within the limit."""
    openers = _sms_openers(f, variant)
    cta = _cta_sentence(f, variant, " ".join(openers))
    prefix = f"{f.brand}: " if f.brand and not f.offer else ""
    used = " ".join([*openers[:1], cta])
    details = [p for p in f.points if p != cta and not DISCOUNT.search(p) and not has(used, p)
               and not (f.deadline and has(p, f.deadline) and has(used, f.deadline))]
    deadline = deadline_line(f, used)
    extra = _required(f, " ".join([used, *details, deadline]))
    tail = [*extra, cta, OPT_OUT]
    candidates = []
    for opener in openers:
        candidates += [_compact([prefix, opener, *details, deadline, *tail]),
                       _compact([prefix, opener, *details[:1], deadline, *tail]),
                       _compact([prefix, opener, deadline, *tail])]
    candidates += [_compact([openers[0], deadline, *extra, end(bare(f.cta) or "Reply for details"), OPT_OUT])]
    return first_fitting(candidates, limit, f.avoid)


def _hashtag(f: Facts) -> str:
    topic = re.search(r"\b(?:on|about)\s+(?:the\s+)?(.+)$", f.event)
    name = f.product or f.campaign or (topic.group(1) if topic else "")
    name = re.sub(r"\s+\d+(?:\.\d+)*$", "", name)  # "Pebble 4.2" -> "#Pebble"
    words = re.findall(r"[A-Za-z0-9]+", name)
    tag = "".join(w if w.isupper() else w.capitalize() for w in words[:3])
    return f"#{tag}" if 2 < len(tag) <= 24 and not uses_any(tag, f.avoid) else ""


def social(f: Facts, variant: int, limit: int) -> str:
    """X, Threads, Bluesky and the like: a hook, one or two points, the CTA and at most one hashtag. Variants
    differ in shape: one paragraph, a question answered below it, or a short line over a list."""
    listed = variant % 3 == 2 and list_lead(f)
    lead = listed or hook(f, variant)
    cta = _cta_sentence(f, variant)
    points = [p for p in f.points if p not in (lead, cta) and not (listed and has(lead, bare(p)))]
    offer = offer_point(f)
    if offer and offer not in points and offer != lead and not has(lead, f.discount or "\0"):
        points.insert(0, offer)
    deadline = deadline_line(f, " ".join([lead, *points, cta]))
    extra = _required(f, " ".join([lead, *points, deadline, cta]))
    tag = _hashtag(f)
    body = [*points, deadline, *extra]
    if listed:
        def shape(ps: list[str]) -> str:
            lines = [x for p in ps if p for s in sentences(p) for x in fragments(s)]
            return "\n".join([lead, "", *[f"→ {x}" for x in lines], "", f"{cta} {tag}".strip()])
    elif variant % 3 == 1:  # question or problem first, then the answer on its own lines
        def shape(ps: list[str]) -> str:
            return "\n\n".join(x for x in [lead, " ".join(p for p in ps if p), f"{cta} {tag}".strip()] if x)
    else:
        def shape(ps: list[str]) -> str:
            return " ".join(x for x in [lead, *ps, cta, tag] if x)
    candidates = [shape(body), shape([*points[:1], deadline, *extra]), shape([deadline, *extra]),
                  shape([*extra])]
    return first_fitting(candidates, limit, f.avoid)


def push(f: Facts, variant: int, limit: int) -> str:
    """One line that makes the reader tap: the most pressing fact and the action, in an order set by the variant."""
    cta = bare(f.cta)
    lead = hook(f, variant)
    if cta and has(lead, cta):
        lead = hook(f, 0)
    second = next((p for p in f.points if p != lead and not has(lead, p) and len(p) < 70), "")
    extra = _required(f, " ".join([lead, second, cta]))
    shapes = [
        [lead, second, *extra, end(cta) if cta else ""],
        [f"{cta}: {lower_first(lead)}" if cta and not lead.endswith("?") else lead, second, *extra],
        [second or lead, lead if second else "", *extra, end(cta) if cta else ""],
    ]
    first = shapes[variant % 3]
    candidates = [_compact(first), _compact([x for x in first if x != second]),
                  _compact([lead, *extra, end(cta) if cta else ""]), _compact([*extra, end(cta)]) if extra else lead]
    return first_fitting([c.replace("\n", " ") for c in candidates], limit, f.avoid)


# ---------------------------------------------------------------- ads

HEADLINE_MAX, DESCRIPTION_MAX = 30, 90  # Google responsive search ads


_LEAD_VERBS = r"(?:comes? with(?: an?)?|includes?|adds?|offers?|gives? you|has|with(?: an?)?)\s+"


def _clauses(point: str) -> list[str]:
    """A long sentence as shorter sentences: 'The desk switches ... and comes with a warranty.' ->
    'The desk switches ....', 'It comes with a warranty.'"""
    out = []
    for sentence in sentences(point):
        parts = re.split(r"\s+and\s+(?=(?:comes|adds|includes|gives|lets|has|offers|works|runs|ships)\b)",
                         bare(sentence))
        out += [end(parts[0])] + [end(f"It {p}") for p in parts[1:]]
    return out


def _fragments(point: str) -> list[str]:
    """Short noun phrases for headlines: '10-year warranty' from '... comes with a 10-year warranty'."""
    out = []
    for clause in _clauses(point):
        for part in re.split(r",\s+|:\s+|;\s+", bare(clause)):
            part = re.sub(r"^(?:it|they|the \w+)\s+", "", part.strip(), flags=re.I)
            part = re.sub(r"^" + _LEAD_VERBS, "", part, flags=re.I)
            if 2 <= len(part.split()) <= 5:
                out.append(part)
    return out


def _headline_case(text: str) -> str:
    return re.sub(r"(?<=\w-)([a-z])", lambda m: m.group(1).upper(), title_case(bare(text)))


def _stem(word: str) -> str:
    """'sitting' -> 'sit', 'standing' -> 'stand' (for 'Sit to Stand in 12 Seconds')."""
    stem = word[:-3] if word.endswith("ing") else word
    return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem


def _motion(f: Facts) -> list[str]:
    out = []
    for point in f.points:
        if m := re.search(r"\bfrom (\w+ing) to (\w+ing)(?: \w+)? (in \d+ \w+)", point):
            out.append(f"{_stem(m.group(1))} to {_stem(m.group(2))} {m.group(3)}")
    return out


def _audience_short(f: Facts) -> str:
    """'Office managers kitting out a team' -> 'office managers'."""
    return re.split(r"\s+(?:who|that|at|in|with|on|already|comparing|looking|interested|\w+ing)\b",
                    lower_first(f.audience))[0]


def _headlines(f: Facts, variant: int) -> list[str]:
    name = f.product if not f.brand or f.product.startswith(f.brand) else f"{f.brand} {f.product}"
    ft = from_to(f)
    verb = f.cta.split()[0] if f.cta else ""
    pools = {
        "product": [name, f.new and name and f"New {name}", f.title if title_is_copy(f) else "",
                    f.product and verb and not f.product[:1].isupper() and f"{verb} {f.product}"],
        "offer": [f.offer, *f.freebies, f.price and f"{f.price}", f.campaign and f.discount and
                  f"{f.campaign} {f.discount}"],
        "urgency": [f.deadline and f"Ends {f.deadline}", f.code and f"Use Code {f.code}",
                    f.when and f.event and f"{f.event.removeprefix('the ')} on {f.when}"],
        "features": [*_motion(f), *f.benefits, *[fr for p in f.points for fr in _fragments(p)]],
        "proof": [ft and f"{ft[0]}: {ft[1]} to {ft[2]}", ft and f"From {ft[1]} to {ft[2]}"],
        "audience": [f.audience and f"For {lower_first(f.audience)}", f.audience and f"For {_audience_short(f)}"],
        "cta": [f.cta],
    }
    orders = [("product", "features", "offer", "urgency", "proof", "audience", "cta"),
              ("offer", "urgency", "cta", "product", "proof", "features", "audience"),
              ("audience", "proof", "product", "cta", "features", "offer", "urgency")]
    seen, out = set(), []
    for pool in orders[variant % 3]:
        for line in pools[pool]:
            line = _headline_case(line) if line else ""
            if line and len(line) <= HEADLINE_MAX and line.lower() not in seen and not uses_any(line, f.avoid):
                seen.add(line.lower())
                out.append(line)
    return out


def _descriptions(f: Facts, variant: int) -> list[str]:
    cta = end(bare(f.cta)) if f.cta else ""
    found = []
    for point in f.points:
        found += [point] if len(point) <= DESCRIPTION_MAX else [c for c in _clauses(point) if len(c) <= 90]
    named = f"{f.brand} {f.product}" if f.brand and f.product and not f.product.startswith(f.brand) else f.product
    offer = " ".join(x for x in [f"{cap(named)} with {f.freebies[0]}." if f.freebies and named and not f.offer else
                                 include_line(f.freebies[0], f) if f.freebies and not f.offer else "",
                                 end(cap(offer_until(f))) if f.offer else "",
                                 deadline_line(f, offer_until(f))] if x)
    audience = f"For {lower_first(f.audience)}: {lower_first(found[0])}" if f.audience and found else ""
    lines = [x for x in ([*found, offer] if variant % 3 != 2 else [audience, offer, *found]) if x]
    with_cta = [f"{line} {cta}" for line in lines if cta and not has(line, f.cta)]
    order = [*lines, *with_cta] if variant % 3 == 0 else [*with_cta, *lines]
    out: list[str] = []
    for line in order:
        if len(line) <= DESCRIPTION_MAX and not uses_any(line, f.avoid) and \
                not any(line in o or o in line for o in out):
            out.append(line)
    return out


def ads(f: Facts, variant: int, limit: int | None) -> str:
    """Responsive search ads: several headlines (≤ 30 characters) and descriptions (≤ 90). With an overall
    character limit (a single placement, such as meta_ad's 125) it writes one ad text that fits."""
    wanted = [*f.must, *f.uses] + ([f.cta] if f.cta else [])
    if limit:
        return _single_ad(f, variant, limit)
    heads = _headlines(f, variant)[:(5, 7, 6)[variant % 3]]
    descs = _descriptions(f, variant)[:(2, 3, 2)[variant % 3]]
    for item in wanted:  # every must-include item and the CTA: in a headline if it fits, and in a description
        if not any(has(h, item) for h in heads) and len(item) <= HEADLINE_MAX:
            heads.insert(min(2, len(heads)), _headline_case(item))
        if any(has(d, item) for d in descs):
            continue
        if item == f.cta:
            at = next((i for i in reversed(range(len(descs))) if len(descs[i]) + len(item) < DESCRIPTION_MAX), None)
            if at is not None:
                descs[at] = f"{descs[at]} {end(cap(item))}"
                continue
        line = end(cap(item)) if item == f.cta else include_line(item, f)
        descs.append(line if len(line) <= DESCRIPTION_MAX else end(cap(item)))
    head_lines = "\n".join(f"{i}. {h}" for i, h in enumerate(heads, 1))
    desc_lines = "\n".join(f"{i}. {d}" for i, d in enumerate(descs, 1))
    return f"Headlines\n{head_lines}\n\nDescriptions\n{desc_lines}"


def _single_ad(f: Facts, variant: int, limit: int) -> str:
    lead = hook(f, variant)
    cta = end(bare(f.cta)) if f.cta else ""
    points = [p for p in f.points if p != lead and not has(lead, p)]
    if variant % 3 == 2:
        points.reverse()
    extra = _required(f, " ".join([lead, *points, cta]))
    candidates = [_compact([lead, *points[:1], *extra, cta]), _compact([lead, *extra, cta]),
                  _compact([*points[:1], *extra, cta]), _compact([*extra, cta])]
    return first_fitting(candidates, limit, f.avoid)

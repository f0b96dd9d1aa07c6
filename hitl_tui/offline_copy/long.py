"""Writers for channels measured in words: email, LinkedIn, landing hero, blog, and anything else.

A writer lays out blocks in reading order, each with a priority; `assemble` keeps the most important blocks that
fit the brief's word limit, adds optional ones while under its minimum (or the channel's usual length), and
never keeps a block with a banned word when it can do without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .facts import Facts
from .lines import (cta_action, cta_line, deadline_line, fragments, from_to, hook, how_clause, include_line,
                    list_lead, offer_point, thing, title_is_copy)
from .short import _hashtag
from .wording import bare, cap, first_fitting, has, join_list, lower_first, sentences, title_case, uses_any, words

REQUIRED, CORE, EXTRA = 0, 1, 2


@dataclass
class Block:
    text: str
    priority: int = CORE


def assemble(blocks: list[Block], f: Facts, min_words: int | None, max_words: int | None, target: int) -> str:
    blocks = [b for b in blocks if b.text]
    blocks = [b for b in blocks if b.priority == REQUIRED or not uses_any(b.text, f.avoid)]
    keep = [b.priority <= CORE for b in blocks]

    def total() -> int:
        return sum(words(b.text) for b, k in zip(blocks, keep) if k)

    goal = max(min_words or 0, min(target, max_words or target))
    for i, b in enumerate(blocks):  # optional blocks in reading order while under the goal
        if not keep[i] and total() < goal and (not max_words or total() + words(b.text) <= max_words):
            keep[i] = True
    for level in (EXTRA, CORE):  # over the limit: drop the least important, last first
        for i in reversed(range(len(blocks))):
            if max_words and total() > max_words and keep[i] and blocks[i].priority == level:
                keep[i] = False
    return "\n\n".join(b.text for b, k in zip(blocks, keep) if k)


def _missing_lines(f: Facts, text: str) -> list[Block]:
    out: list[Block] = []
    for item in f.must + f.uses:
        if not has(text + " " + " ".join(b.text for b in out), item):
            out.append(Block(include_line(item, f), REQUIRED))
    return out


def _overlaps(a: str, b: str, f: Facts) -> bool:
    """Two lines saying the same thing: the same offer, or mostly the same words."""
    if f.discount and has(a, f.discount) and has(b, f.discount):
        return True
    key = lambda s: {w for w in re.findall(r"[a-z0-9%]+", s.lower()) if len(w) > 3}
    small = min(len(key(a)), len(key(b)))
    return bool(small) and len(key(a) & key(b)) >= max(2, small * 0.6)


def _points_after(f: Facts, used: list[str]) -> list[str]:
    """The brief's points not yet said, with a fragment ('45 minutes.') joined to the point before it."""
    out: list[str] = []
    for p in f.points:
        if any(u and (p == u or p in u or _overlaps(p, u, f)) for u in used):
            continue
        if out and len(p.split()) < 4:
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def _sign_off(f: Facts) -> str:
    team = f"The {f.brand} team" if f.brand else "The team"
    return f"{'Kind regards' if 'formal' in f.tone else 'Best'},\n{team}"


def _bridge(f: Facts, variant: int, lead: str) -> str:
    """A line with no facts in it that connects the offer to the reader, used only to reach a minimum length."""
    action = cta_action(f)
    if f.offer and action and "meaning to" not in lead:
        return [f"If you have been meaning to {action}, this is a good moment.",
                f"If you have been waiting for the right time to {action}, this is it."][variant % 2]
    if f.event and re.search(r"question", " ".join(f.points), re.I):
        return "Bring your questions."
    return ""


def email(f: Facts, variant: int, min_words: int | None, max_words: int | None) -> str:
    lead = hook(f, variant)
    offer = offer_point(f)
    subjects = [hook(f, variant + k) for k in (0, 3, 5)] + [title_case(thing(f))]
    subject = first_fitting([h if h.endswith("?") else bare(h) for h in subjects], 60, f.avoid)
    opening = [lead] + ([offer] if offer and not _overlaps(offer, lead, f) and not lead.endswith(".") else [])
    if lead.endswith("?") and offer and offer not in opening:
        opening.append(offer)
    rest = _points_after(f, opening)
    listing = f.benefits if variant % 3 == 0 and len(f.benefits) >= 2 else []
    body: list[Block] = []
    for point in rest:
        intro = re.sub(r"\s+(?:add|adds|include|includes|get|gets|come with|comes with)\s.*$", "", point)
        if listing and all(has(point, b) for b in listing) and intro != point:
            body.append(Block(f"{cap(intro)} add:\n" + "\n".join(f"- {cap(b)}" for b in listing)))
        else:
            body.append(Block(point))
    if variant % 3 == 1:
        body.reverse()  # the problem variant answers with the details in the other order
    said = " ".join([subject, *opening, *[b.text for b in body]])
    preheader = first_fitting([cap(join_list(f.benefits)) + "." if len(f.benefits) > 1 and not listing else "",
                               deadline_line(f, subject), *[p for p in rest if not _overlaps(p, subject, f)],
                               f.audience and f.offer and f"{cap(f.offer)} for {lower_first(f.audience)}."],
                              90, f.avoid)
    head = f"Subject: {subject}" + (f"\nPreheader: {preheader}" if preheader and preheader != subject else "")
    late = deadline_line(f, said)
    close = cta_line(f, variant, late, restate=True)
    blocks = [Block(head, REQUIRED), Block("Hello," if "formal" in f.tone else "Hi there,", REQUIRED),
              Block(f"A quick note for {lower_first(f.audience)}." if f.audience and variant % 2 else "", EXTRA),
              Block(" ".join(opening), REQUIRED), *body, Block(_bridge(f, variant, lead), EXTRA),
              *_missing_lines(f, said), Block(late, CORE), Block(close, REQUIRED)]
    if variant % 3 == 2 and f.deadline:
        blocks.append(Block(f"P.S. {deadline_line(f, '')}", EXTRA))
    blocks.append(Block(_sign_off(f), REQUIRED))
    return assemble(blocks, f, min_words, max_words, target=110)


_TAGS = {"bak": "Bakery", "sourdough": "Sourdough", "yoga": "Yoga", "running": "Running", "shoe": "Running","agenc": "AgencyLife", "design": "Design", "creative": "CreativeDirection", "market": "Marketing",
         "complian": "Compliance", "bank": "Banking", "privacy": "DataPrivacy", "saas": "SaaS",
         "customer success": "CustomerSuccess", "retail": "Retail", "learn": "Learning", "run": "Running",
         "finance": "Finance", "health": "Health", "hr ": "HR", "recruit": "Hiring", "sales": "Sales",
         "developer": "Developers", "engineer": "Engineering", "founder": "Startups", "small business": "SmallBusiness"}


def _hashtags(f: Facts) -> str:
    tags = [_hashtag(f)]
    scope = f"{f.audience} {f.title} {' '.join(f.points)}".lower()
    tags += [f"#{tag}" for key, tag in _TAGS.items() if key in scope]
    tags = [t for t in dict.fromkeys(tags) if t and not uses_any(t[1:], f.avoid)]
    return " ".join(tags[:3])


def _by_relevance(points: list[str], lead: str) -> list[str]:
    """Points that answer the hook first ('Free on 3 April?' -> the event's sentence)."""
    key = lambda s: {w for w in re.findall(r"[a-z0-9]+", s.lower()) if len(w) > 2 or w.isdigit()}
    return sorted(points, key=lambda p: -len(key(p) & key(lead)))


def _listing(f: Facts, used: list[str]) -> Block:
    lines = [line for p in f.points if p not in used for s in sentences(p) for line in fragments(s)
             if not any(_overlaps(line, u, f) for u in used)]
    return Block("\n".join(f"→ {line}" for line in lines), REQUIRED)


def linkedin(f: Facts, variant: int, min_words: int | None, max_words: int | None) -> str:
    """A hook line, short paragraphs, the call to action, hashtags."""
    lead = hook(f, variant)
    rest = _by_relevance(_points_after(f, [lead]), lead)
    blocks = [Block(lead, REQUIRED), *[Block(p) for p in rest]]
    if variant % 3 == 2 and (short := list_lead(f)):  # a short line, then the facts as a list
        lead = short
        blocks = [Block(lead, REQUIRED), _listing(f, [short])]
    said = " ".join(b.text for b in blocks)
    blocks += _missing_lines(f, said)
    late = deadline_line(f, said)
    blocks += [Block(late, CORE), Block(_bridge(f, variant, lead), EXTRA)]
    close = cta_line(f, variant, said + " " + late)
    if variant % 3 == 1 and f.event:
        close = f"{close}\n\nWhat would you want answered first?"
    blocks += [Block(close, REQUIRED), Block(_hashtags(f), CORE)]
    return assemble(blocks, f, min_words, max_words, target=90)


def landing(f: Facts, variant: int, min_words: int | None, max_words: int | None) -> str:
    """Hero section: headline, subhead, benefit bullets, button."""
    ft = from_to(f)
    headline_options = {
        0: [f.customer and ft and f"How {f.customer} cut {ft[0]} from {ft[1]} to {ft[2]}", f.offer and cap(f.offer),
            f.product and f.product[:1].isupper() and f"Meet {f.product}"],
        1: [ft and f"{cap(ft[0])}: from {ft[1]} to {ft[2]}", hook(f, 1)],
        2: [ft and hook(f, 6), hook(f, 6)],
    }[variant % 3]
    headline = first_fitting([h if h.endswith("?") or ". " in h else bare(h) for h in headline_options if h]
                             + [bare(hook(f, variant))], 80, f.avoid)
    candidates = [how_clause(f) and f"{how_clause(f)} Here is what changed." if variant % 3 == 0 else
                  how_clause(f) if variant % 3 == 1 else "",
                  *[p for p in f.points if not _overlaps(p, headline, f)], f.proof if variant % 3 else ""]
    subhead = next((c for c in candidates if c), "")
    if f.audience and variant % 3 == 2:
        subhead = f"For {lower_first(f.audience)}: {lower_first(subhead)}" if subhead else \
            f"For {lower_first(f.audience)}."
    bullets = [cap(b) for b in f.benefits] or _bullets(f, exclude=[headline, subhead])
    lines = [f"Headline: {headline}", f"Subhead: {subhead}" if subhead else ""]
    blocks = [Block("\n".join(x for x in lines if x), REQUIRED)]
    if len(bullets) >= 2:
        blocks.append(Block("\n".join(f"- {b}" for b in bullets[:3]), CORE))
    blocks += _missing_lines(f, " ".join([headline, subhead, *bullets[:3]]))
    blocks.append(Block(f"Button: {bare(f.cta) or 'Find out more'}", REQUIRED))
    return assemble(blocks, f, min_words, max_words, target=70)


def _same(a: str, b: str) -> bool:
    key = lambda s: set(re.findall(r"[a-z0-9]+", s.lower()))
    return len(key(a) & key(b)) >= max(3, len(key(a)) // 2)


def _bullets(f: Facts, exclude: list[str]) -> list[str]:
    out = []
    ft = from_to(f)
    if ft and not any(has(e, ft[1]) and has(e, ft[2]) for e in exclude):
        out.append(f"{cap(ft[0])}: {ft[1]} to {ft[2]}")
    for point in f.points:
        if any(_same(point, e) for e in exclude if e) or point == f.proof:
            continue
        out += [bare(x) for s in sentences(point) for x in fragments(s)]
    if (how := how_clause(f)) and not any(_same(how, e) for e in exclude if e):
        out.append(bare(how.replace(f"{f.customer} ", "", 1)).capitalize() if f.customer else bare(how))
    return out


def blog(f: Facts, variant: int, min_words: int | None, max_words: int | None) -> str:
    """A title, an intro, two short sections with headings, the call to action."""
    ft = from_to(f)
    titles = [f.title if title_is_copy(f) else "", ft and f"{cap(ft[0])}: from {ft[1]} to {ft[2]}",
              bare(hook(f, 6))]
    title = first_fitting([t for t in titles[variant % 3:] + titles[:variant % 3] if t] or [bare(hook(f, 0))], 90,
                          f.avoid)
    lead = hook(f, variant)
    intro = lead if bare(lead) != bare(title) and not lead.endswith("?") else (f.proof or "")
    rest = [p for p in f.points if p != intro]
    if not intro and rest:
        intro = rest.pop(0)
    headings = [["What changed", "How it works"], ["The short version", "What it means for you"],
                ["The result", "Behind it"]][variant % 3]
    blocks = [Block(f"# {title}", REQUIRED), Block(intro, REQUIRED)]
    half = max(1, (len(rest) + 1) // 2)
    for heading, group in zip(headings, (rest[:half], rest[half:])):
        if group:
            blocks.append(Block(f"## {heading}\n\n" + " ".join(group), CORE))
    said = " ".join(b.text for b in blocks)
    blocks += _missing_lines(f, said)
    blocks.append(Block(cta_line(f, variant, said), REQUIRED))
    return assemble(blocks, f, min_words, max_words, target=160)


def generic(f: Facts, variant: int, min_words: int | None, max_words: int | None, tags: bool = False) -> str:
    """Any other channel (a caption, a post, a message): hook, points, CTA; hashtags where they belong."""
    lead = hook(f, variant)
    rest = _by_relevance(_points_after(f, [lead]), lead)
    if variant % 2 and not lead.endswith("?"):
        rest.reverse()
    blocks = [Block(lead, REQUIRED), *[Block(p) for p in rest]]
    if variant % 3 == 2 and (short := list_lead(f)):
        blocks = [Block(short, REQUIRED), _listing(f, [short])]
    said = " ".join(b.text for b in blocks)
    blocks += _missing_lines(f, said)
    late = deadline_line(f, said)
    blocks += [Block(late, CORE), Block(cta_line(f, variant, said + " " + late), REQUIRED)]
    if tags:
        blocks.append(Block(_hashtags(f), CORE))
    return assemble(blocks, f, min_words, max_words, target=80)



"""Lines of copy built from a brief's facts, shared by the channel writers: the hook for each angle, the offer,
the deadline, the call to action and a natural sentence for a must-include item.

Every line uses only what the brief states; a line whose facts are missing is "" and the caller moves on.
Hooks differ in kind by angle (a statement of the offer, a question, a problem, the outcome, the deadline, a bold
fragment, proof), so variants differ in structure and not only in a synonym.
"""

from __future__ import annotations

import re

from .facts import DISCOUNT, EVENT, FREEBIE, PRICE, WHEN, Facts
from .wording import bare, cap, end, has, join_list, lower_first

_FROM_TO = re.compile(r"\b(?:cut|cuts|reduced?|brought|took|grew|moved|dropped)\s+(?:down\s+)?(.+?)\s+from\s+(.+?)"
                      r"\s+(?:down\s+)?to\s+(.+?)(?=\s+(?:after|by|with|in|since|when|once|thanks)\b|[.,;]|$)", re.I)
_TIME_UNIT = re.compile(r"\b(?:minutes?|hours?|days?|weeks?|months?|years?)\b", re.I)


def cta_action(f: Facts) -> str:
    """The CTA as something to do, for use inside a sentence: 'Upgrade now' -> 'upgrade'. A 'Reply YES' CTA has
    none: it does not read inside 'Ready to ...?'."""
    action = re.sub(r"\s+(?:now|today|here|below|online)$", "", bare(f.cta), flags=re.I)
    return "" if not action or action.lower().startswith(("reply", "text ")) else lower_first(action)


def cta_line(f: Facts, variant: int, text: str = "", restate: bool = False) -> str:
    """The call to action as the closing line; some variants tie it to the deadline or the event date when the
    text before it does not already say it (an email restates the deadline by its button: `restate`)."""
    cta = bare(f.cta) or "Find out more"
    if restate and variant % 3 == 0 and f.deadline and not has(text, f.deadline):
        return f"{cta}: the {f.campaign or 'offer'} ends {_on(f.deadline)}."
    if variant % 3 == 1 and f.deadline and not has(cta, f.deadline) and not has(text, f.deadline):
        return f"{cta} before the {f.campaign or 'offer'} ends {_on(f.deadline)}."
    if variant % 3 == 2 and f.when and f.event and not has(text, f.when):
        return f"{cta} for {f.when}." if not f.when.lower().startswith(("today", "tomorrow", "tonight")) else end(cta)
    return end(cta)


def _on(when: str) -> str:
    return when if re.match(r"(?:tonight|today|tomorrow|this|midnight)", when, re.I) else f"on {when}"


def thing(f: Facts) -> str:
    """What the piece is about, as a noun phrase."""
    if f.product:
        return f.product
    if f.event:
        return f.event
    if f.campaign:
        return f"our {f.campaign}"
    if f.customer:
        return f"{f.customer}'s story"
    return lower_first(re.sub(r"^(?:launching|introducing|announcing)\s+", "", f.title, flags=re.I))


def offer_point(f: Facts) -> str:
    """The brief's own sentence carrying the offer, else one built from its parts."""
    for point in f.points:
        if DISCOUNT.search(point) or FREEBIE.search(point) or PRICE.search(point):
            return point
    if not (f.offer or f.freebies):
        return ""
    return end(cap(offer_until(f)))


def deadline_line(f: Facts, text: str) -> str:
    if not f.deadline or has(text, f.deadline):
        return ""
    what = f"The {f.campaign}" if f.campaign else "The offer"
    return f"{what} ends {_on(f.deadline)}."


def deadline_phrase(f: Facts) -> str:
    """'ends tonight at midnight' / 'until Friday 28 March'."""
    if not f.deadline:
        return ""
    return f"ends {f.deadline}" if _relative(f.deadline) else f"until {f.deadline}"


_PAST = {"putting": "put", "bringing": "brought", "setting": "set", "cutting": "cut", "running": "ran",
         "getting": "got", "building": "built", "making": "made", "taking": "took"}


def how_clause(f: Facts) -> str:
    """What the customer did, from a proof like '... after moving feedback into our shared boards':
    'Northwind Studio moved feedback into our shared boards.' (moving -> mov+ed, using -> us+ed.)"""
    m = re.search(r"\b(?:after|by)\s+([a-z]+)ing\s+(.+?)[.]?$", f.proof or "")
    if not m:
        return ""
    verb = _PAST.get(m.group(1) + "ing") or m.group(1) + "ed"
    return f"{f.customer or 'They'} {verb} {m.group(2)}."


def from_to(f: Facts) -> tuple[str, str, str] | None:
    m = _FROM_TO.search(f.proof) if f.proof else None
    return (m.group(1), m.group(2), m.group(3)) if m else None


def event_point(f: Facts) -> str:
    return next((p for p in f.points if EVENT.search(p)), "")


def product_point(f: Facts) -> str:
    return next((p for p in f.points if f.product and has(p, f.product)), "")


def concrete_point(f: Facts, avoid: tuple[str, ...] = ()) -> str:
    """The point with the most specifics (numbers, dates, names), for the 'everyday scenario' angle."""
    def score(p: str) -> int:
        return len(re.findall(r"\d|[A-Z][a-z]+", p[1:])) + 3 * bool(WHEN.search(p))
    pool = [p for p in f.points if p not in avoid]
    return max(pool, key=score) if pool else ""


def product_ref(f: Facts) -> str:
    """The product as it reads in a sentence: a name as written, a common noun as 'our standing desks'."""
    if not f.product:
        return ""
    return f.product if f.product[:1].isupper() else f"our {f.product}"


def title_is_copy(f: Facts) -> bool:
    """A title like 'Dark mode is here' can be a headline; 'Northwind ads' or 'Streak reminder push' is a label."""
    return len(f.title.split()) > 1 and not re.search(
        r"\b(?:ads?|e-?mail|sms|push|landing|reminder|post|blog|caption|page|hero|campaign|newsletter|"
        r"notification|brief|draft|copy|story|webinar|test|launch plan)\b", f.title, re.I)


def _relative(when: str) -> bool:
    return bool(re.match(r"(?:tonight|today|tomorrow|this|midnight)", when, re.I))


def offer_until(f: Facts) -> str:
    """'20% off annual plans until Friday 28 March' / '..., ending tonight at midnight'."""
    offer = (f.offer or (f.freebies[0] if f.freebies else "")) + (f" with code {f.code}" if f.code else "")
    if not offer or not f.deadline:
        return offer
    return f"{offer}, ending {f.deadline}" if _relative(f.deadline) else f"{offer} until {f.deadline}"


def hook(f: Facts, angle: int) -> str:
    """The opening line for an angle (see prompts.ANGLES), falling back along a chain when the brief lacks what
    an angle needs; the last resort is a different brief sentence per angle, so variants still differ."""
    chain = {0: (_benefit,), 1: (_problem, _question), 2: (_scenario, _bold), 3: (_question, _problem),
             4: (_outcome, _scenario), 5: (_urgency, _bold), 6: (_bold, _urgency), 7: (_proof, _outcome)}[angle % 8]
    for make in chain:
        if line := make(f):
            return line
    if f.points:
        return f.points[angle % len(f.points)]
    return end(cap(thing(f)))


def _benefit(f: Facts) -> str:
    if f.offer or f.freebies:
        offer = cap(offer_until(f))
        return f"Our {f.campaign} is on: {lower_first(offer)}." if f.campaign else end(offer)
    return offer_point(f) or product_point(f) or f.proof or event_point(f) or (f.points[0] if f.points else "")


def _problem(f: Facts) -> str:
    if ft := from_to(f):
        what, before, _ = ft
        if _TIME_UNIT.search(before):
            return f"{cap(what)} taking {before}?"
        return f"{cap(what)} eating your week?"
    if f.event and (m := re.search(r"\b(?:on|about)\s+(.+)$", f.event)):
        return f"Not sure what {m.group(1)} means for you?"
    action = cta_action(f)
    if (f.offer or f.price) and re.match(r"(?:upgrade|shop|buy|order|subscribe|switch|renew|try|get)\b", action):
        return f"Been meaning to {action}?"
    return ""


def _question(f: Facts) -> str:
    if f.when and f.event and re.match(DAY_OR_DATE, f.when):
        return f"Free on {f.when}?"
    if f.offer:
        return f"Ready for {f.offer}?"
    if f.product and f.product[:1].isupper():
        return f"Ready for {f.product}?"
    if f.product:
        return f"Have you seen {product_ref(f)}?"
    action = cta_action(f)
    return f"Ready to {action}?" if action else ""


DAY_OR_DATE = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|\d"


def _scenario(f: Facts) -> str:
    return concrete_point(f, avoid=(offer_point(f),)) if len(f.points) > 1 else ""


def _outcome(f: Facts) -> str:
    action = cta_action(f)
    if f.benefits and action:
        return f"Once you {action}, you get {join_list(f.benefits)}."
    if ft := from_to(f):
        what, before, after = ft
        return f"{cap(what)}: from {before} to {after}."
    return ""


def _urgency(f: Facts) -> str:
    offer = f.offer or (f.freebies[0] if f.freebies else "") or (f"the {f.price} price" if f.price else "")
    if f.deadline and offer:
        if _relative(f.deadline):
            return f"Last chance: {offer}{' with code ' + f.code if f.code else ''} ends {f.deadline}."
        return f"Until {f.deadline}: {offer}{' with code ' + f.code if f.code else ''}."
    if f.deadline:
        return next((p for p in f.points if has(p, f.deadline)), f"Ends {f.deadline}.")
    if f.when and f.event:
        return f"{cap(f.when)}: {f.event}."
    return ""


def _bold(f: Facts) -> str:
    if f.offer and (f.offer != f.discount or f.deadline):
        scope = f.offer[len(f.discount):].strip()
        parts = [cap(f.discount)] + ([cap(scope)] if scope else []) + \
            ([("Ends " if _relative(f.deadline) else "Until ") + f.deadline] if f.deadline else [])
        return ". ".join(parts) + "."
    if ft := from_to(f):
        what, before, after = ft
        return f"{cap(before)} of {what}. Now {after}." if _TIME_UNIT.search(before) else \
            f"{cap(before)} {what}. Now {after}."
    if title_is_copy(f):
        return end(f.title)
    if f.product[:1].isupper():
        return f"Meet {f.product}."
    return ""


def list_lead(f: Facts) -> str:
    """A short first line for a list-shaped draft."""
    if title_is_copy(f):
        return end(f.title)
    if f.product and f.new:
        return f"Introducing {product_ref(f)}."
    if f.offer or f.event or f.proof:
        return _bold(f) or _urgency(f)
    return ""


def fragments(point: str) -> list[str]:
    """A sentence as short list lines: 'A fresh loaf every Saturday, delivered before 9am, from £6 a week.' ->
    'A fresh loaf every Saturday', 'Delivered before 9am', 'From £6 a week'."""
    # Split at a colon, a semicolon, or a comma before a clause ('delivered ...', 'where ...', 'from ...'),
    # never inside a list of things ('logos, colours, fonts and tone of voice').
    parts = re.split(r";\s+|:\s+|,\s+(?:where\s+|which\s+|and\s+then\s+)?(?=(?:\w+ed|from|with|for|in|on|at|"
                     r"where|which|so|plus|all|only|no)\b)", bare(point))
    parts = [re.sub(r"^(?:where|which)\s+", "", p.strip()) for p in parts]
    out = [cap(p) for p in parts if len(p.split()) >= 2 or re.search(r"\d", p)]
    return out if all(len(p.split()) <= 14 for p in out) else [bare(point)]


def _proof(f: Facts) -> str:
    return f.proof or ""


def include_line(item: str, f: Facts) -> str:
    """A natural sentence for a must-include item the draft lacks: the brief's own sentence that carries it, or
    one shaped by what the item is (a date, an offer, a code, an event, a name)."""
    for point in f.points:
        if has(point, item):
            return point
    if WHEN.fullmatch(item):
        return f"It runs until {item}." if f.deadline else f"See you {_on(item)}."
    if DISCOUNT.fullmatch(item) or FREEBIE.fullmatch(item):
        return f"{cap(item)} included." if FREEBIE.fullmatch(item) else f"That is {item}."
    if item == f.code or re.fullmatch(r"[A-Z0-9-]{3,}", item):
        return f"Use code {item}."
    if EVENT.fullmatch(item):
        return f"Join the {item.lower()}."
    if item[:1].isupper():
        return f"It's all in {item}."
    return f"{cap(item)} included."

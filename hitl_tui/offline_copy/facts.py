"""What a brief says, taken apart: the sentences that can be copy, the instructions to the writer, and the facts
(offer, code, deadline, event, product, benefits, proof) the channel writers build around.

Facts come only from the brief. An instruction ("Mention free shipping", "Include opt-out wording", "Keep it
factual") is never copy: what it asks for is recorded (an item to use, opt-out wording, a tone) and the sentence
itself is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .prompt import Prompt
from .wording import bare, cap, end, has, join_list, lower_first, sentences

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_TIME = r"(?:\s+(?:at|from)\s+(?:\d{1,2}(?:[:.]\d{2})?(?:\s?(?:am|pm))?|midnight|noon)(?:\s+(?-i:[A-Z]{2,4})\b)?)"
_DAY_DATE = (rf"(?:(?:{DAYS}),?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?(?:[-–]\d{{1,2}})?\s+(?:{MONTHS})\b|"
             rf"(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b)(?:,?\s+\d{{4}})?")
_RELATIVE = (rf"tonight|midnight tonight|today|tomorrow(?:\s+(?:morning|afternoon|night))?|this (?:weekend|week|"
             rf"{DAYS})|(?:the )?end of (?:the )?(?:day|week|month)|(?:{DAYS})(?:\s+night)?")
WHEN = re.compile(rf"\b(?:{_DAY_DATE}|{_RELATIVE}){_TIME}?", re.I)
_DEADLINE_CUE = re.compile(r"\b(?:until|till|through|before|by|ends?|ending|expires?|closes?|last|left|only|"
                           r"runs? to|valid)\b[^.;]{0,30}$", re.I)
DISCOUNT = re.compile(r"(?:up to\s+)?(?:\d+(?:[.,]\d+)?\s?%|[$€£]\s?\d+(?:[.,]\d{2})?)\s?off\b|\bhalf[- ]price\b|"
                      r"\bbuy one,? get one(?: free)?\b", re.I)
_SCOPE = re.compile(r"\s+(?:on\s+|for\s+)?((?:all|every|any|your|our|each|the)?\s*[\w'’-]+(?:\s+[\w'’-]+){0,3}?)"
                    r"(?=\s+(?:with|until|till|through|before|by|when|if|ends?|this|today|tonight|and|is|are|"
                    r"for|from|at)\b|[,.;:!?)]|$)", re.I)
FREEBIE = re.compile(r"\bfree (?:shipping|delivery|returns|trial|gift|upgrade|consultation|setup|installation|"
                     r"samples?|month|week)\b|\b\d+-day free trial\b|\bfree \d+-day trial\b", re.I)
PRICE = re.compile(r"(?:from\s+|only\s+)?[$€£]\s?\d+(?:[.,]\d{2})?(?:\s?(?:a|per|/)\s?(?:week|month|year|day))?")
CODE = re.compile(r"\b(?:code|coupon|promo(?: code)?|voucher)\s*[:\"“']?\s*([A-Z0-9][A-Z0-9-]{2,})\b|"
                  r"\b([A-Z]{2,}\d{1,4})\b")
REPLY = re.compile(r"\b[Rr]eply\s+[\"“]?([A-Z]{1,8})\b")
EVENT = re.compile(r"\b(webinar|workshop|livestream|live stream|masterclass|conference|meetup|summit|open house|"
                   r"demo day|launch event|launch party|info session|briefing|retreat|tasting|festival|"
                   r"fair|expo|class|course|event|AMA)s?\b", re.I)
_RESULT = re.compile(r"\b(?:cut|cuts|reduced?|grew|grow|doubled?|tripled?|saved?|increased?|halved?|raised|boosted|"
                     r"dropped|fell|went)\b.*\bfrom\b.*\bto\b|\b(?:cut|reduced|grew|doubled|tripled|halved)\b", re.I)
_CAMPAIGN = re.compile(r"\b((?:[a-z]+[- ]){0,2}sale)\b", re.I)
_NOUNS = r"[a-z][\w-]*(?:\s[a-z][\w-]*){0,2}?"
_NOUN_END = (r"(?=[,.;:]|$|\s+(?:is|are|was|were|cut|cuts|add|adds|let|lets|help|helps|make|makes|with|and|for|"
             r"from|to|that|in|on|at|now|will|can|switch|switches|come|comes)\b)")
_NOT_NAMES = rf"(?:Today|Tomorrow|Tonight|This|Our|Your|Their|It|Everyone|Week|Month|Year|{DAYS}|{MONTHS})"
_LAUNCH = re.compile(r"^(?:launching|introducing|announcing|meet|new:?|say hello to)\s+(.+)$", re.I)

# Sentences that speak to the writer, not the reader. The verbs a reader is asked to do (reply, join, shop, book,
# use code ...) are not here: those sentences are copy.
_TO_WRITER = re.compile(
    r"^(?:please\s+)?(?:announce|promote|write|draft|create|invite|keep|make|tell|explain|mention|include|"
    r"highlight|emphasi[sz]e|stress|focus|remind|nudge|encourage|ask|drive|push|target|position|frame|lead|"
    r"open with|close with|end with|avoid|don'?t|do not|never|no\b|only|be\b|sound|add|say|note|show|"
    r"let (?:them|readers|people|customers|users|everyone)|celebrate|introduce|share|thank|welcome|aim|address|"
    r"speak|talk|describe|summari[sz]e|use (?:a|an|the|plain|simple|short|our|only|british|american|us)\b|"
    r"tone\b|voice\b|audience\b|the (?:call to action|cta)\b|cta\b|goal\b|(?:the )?target\b|we want|"
    r"this (?:is|should|needs|must)|it should|it must|needs? to)", re.I)
_FORMAT = re.compile(
    r"^(?:an?\s+|the\s+|our\s+)?(?:(?:short|quick|friendly|brief|punchy|warm|gentle|final|last[- ]day|"
    r"[\w-]+-word|one-line|simple)[,\s]+)*(?:nudge|reminder|e-?mail|newsletter|sms|text message|text|"
    r"(?:linkedin |social |instagram |facebook )?(?:post|caption)|tweet|x post|(?:search |display |social |meta |"
    r"google )?ads?|ad copy|landing page(?: hero)?|hero|push(?: notification)?|notification|blog post|"
    r"article|announcement|teaser|message|copy)\b\s*(?:for|about|to|on|announcing|promoting|introducing|that|:|$)",
    re.I)
_TONE_WORDS = ("factual", "warm", "practical", "friendly", "playful", "formal", "professional", "urgent", "short",
               "calm", "casual", "plain", "upbeat", "bold", "direct")
_PRONOUNS = [(r"\btheir\b", "your"), (r"\bthey're\b", "you're"), (r"\bthey are\b", "you are"),
             (r"\bthey\b", "you"), (r"\bthem\b", "you"), (r"\bthemselves\b", "yourself")]


@dataclass
class Facts:
    title: str = ""
    audience: str = ""
    cta: str = ""
    points: list[str] = field(default_factory=list)  # brief sentences that read as copy, in order
    uses: list[str] = field(default_factory=list)  # what "mention X" / "include X" asked for
    avoid: list[str] = field(default_factory=list)  # banned words and "don't mention X"
    must: list[str] = field(default_factory=list)
    tone: set[str] = field(default_factory=set)
    opt_out: bool = False
    discount: str = ""  # "20% off"
    offer: str = ""  # "20% off every annual plan"
    freebies: list[str] = field(default_factory=list)
    price: str = ""
    code: str = ""
    deadline: str = ""  # "Friday 28 March", "tonight at midnight"
    when: str = ""  # an event's or appointment's date
    event: str = ""  # "the live launch webinar"
    reply: str = ""  # "YES" from "Reply YES"
    product: str = ""  # "Brand Kits", "standing desks"
    brand: str = ""  # "Northwind"
    customer: str = ""  # "Northwind Studio" in a customer story
    campaign: str = ""  # "spring sale"
    benefits: list[str] = field(default_factory=list)  # "unlimited client projects", "brand kits", ...
    proof: str = ""  # a result the brief states
    angle_key: str = ""  # stable key for choosing phrasings per brief
    new: bool = False  # the brief calls it new or a launch
    format: str = ""  # the channel a plain brief names ("Landing page hero for ..."), when it has no channel field

    def all_text(self) -> str:
        return " ".join([self.title, *self.points, self.cta, *self.must, *self.uses])


def read_facts(prompt: Prompt) -> Facts:
    brief = prompt.field("Brief")
    f = Facts(title=prompt.field("Title"), audience=bare(prompt.field("Audience")), cta=bare(prompt.field("CTA")),
              must=prompt.items("Must include"), avoid=prompt.items("Avoid"), angle_key=prompt.field("Title"))
    _prose_fields(f, brief)
    topics: list[str] = []
    for sentence in sentences(brief):
        _classify(sentence, f, topics)
    notes = Facts()  # notes speak to the writer: what they ask for counts, their sentences are never copy
    for sentence in sentences(prompt.field("Notes")):
        _classify(sentence, notes, [])
    f.avoid += notes.avoid
    f.uses += notes.uses
    f.tone |= notes.tone
    f.opt_out |= notes.opt_out
    source = ". ".join([f.title, brief, prompt.field("Goal"), *f.must, *f.uses])
    _offer(f, source)
    _names(f, ". ".join([*topics, *f.points]), topics)
    _benefits(f)
    if (m := _CAMPAIGN.search(f.title) or _CAMPAIGN.search(brief)) and not DISCOUNT.search(m.group(1)):
        f.campaign = re.sub(r"^(?:our|the|a|last[- ]day)\s+", "", m.group(1), flags=re.I).lower()
    if f.customer:
        f.points = [re.sub(r"^They\b", f.customer, p) for p in f.points]
    f.proof = next((p for p in f.points if _RESULT.search(p)), "")
    f.new = bool(re.search(r"\b(?:new|launch|launching|introducing)\b", f"{f.title} {brief}", re.I))
    f.tone |= {w for w in _TONE_WORDS if re.search(rf"\b{w}\b", prompt.voice, re.I)}
    return f


_PROSE_CTA = re.compile(
    r"\b(?:call to action|CTA)\b[^\"“”.]{0,12}?(?:is|:|should be|=)\s*[\"“]([^\"”]{2,60})[\"”]", re.I)
_PROSE_AUDIENCE = re.compile(r"\bAudience\s*(?:is|:)\s*([^.;\n]{3,80})", re.I)


def _prose_fields(f: Facts, brief: str) -> None:
    """A plain-text brief states its contract in prose ('The call to action is "Read the story".')."""
    if not f.cta and (m := _PROSE_CTA.search(brief)):
        f.cta = bare(m.group(1))
    if not f.audience and (m := _PROSE_AUDIENCE.search(brief)):
        f.audience = bare(m.group(1))


def _classify(sentence: str, f: Facts, topics: list[str]) -> None:
    """Keep a sentence as copy, or take from an instruction what it asks for."""
    s = sentence.strip()
    if _PROSE_CTA.search(s) or re.match(r"^(?:audience|cta|tone|voice|goal)\s*:", s, re.I):
        return
    if fmt := _FORMAT.match(s):
        f.format = f.format or _format_channel(fmt.group(0))
        rest = s[fmt.end():].strip()
        if fmt.group(0).rstrip().endswith(":"):
            f.points.append(cap(end(rest)))
        else:
            topic, _, detail = rest.partition(": ")
            topics.append(bare(topic))
            if detail:
                f.points.append(cap(end(detail)))
        return
    if not _TO_WRITER.match(s):
        f.points.append(end(s))
        return
    low = s.lower()
    f.tone |= {w for w in _TONE_WORDS if re.search(rf"\b{w}\b", low)}
    if re.search(r"\bopt[- ]?out\b|\bunsubscrib", low):
        f.opt_out = True
    if m := re.match(r"^(?:please\s+)?(?:mention|include|highlight|emphasi[sz]e|stress|focus on|add)\s+(.+)$", s,
                     re.I):
        if not re.search(r"\bopt[- ]?out\b|\bwording\b|\bunsubscrib", m.group(1), re.I):
            f.uses += [bare(x) for x in re.split(r",\s*|\s+and\s+", bare(m.group(1))) if bare(x)]
        return
    if m := re.match(r"^(?:don'?t|do not|never|avoid)\s+(?:mention(?:ing)?|say(?:ing)?|use|using|promise|"
                     r"promising|call it)?\s*(.+)$", s, re.I):
        f.avoid += [bare(x) for x in re.split(r",\s*|\s+or\s+", bare(m.group(1))) if 0 < len(bare(x).split()) <= 3]
        return
    if m := re.match(r"^(?:please\s+)?(?:write|draft|create)\b.*?\b(?:about|on)\s+(how|why|what)\s+(.+)$", s, re.I):
        topics.append(bare(f"{m.group(1)} {m.group(2)}"))
        f.points.append(cap(end(m.group(2))))
        return
    if m := re.match(r"^(?:please\s+)?(?:remind|tell)\s+(?:[\w-]+\s+){0,3}?(?:of|about)\s+(.+)$", s, re.I):
        f.points.append(f"Reminder: {end(_to_you(m.group(1)))}")
        return
    if m := re.match(r"^(?:please\s+)?(?:remind|tell|let)\s+(?:\w+\s+){0,3}?(?:know\s+)?(?:that|about|of)\s+(.+)$",
                     s, re.I):
        f.points.append(cap(end(_to_you(m.group(1)))))
        return
    if m := re.match(r"^(?:please\s+)?invite\s+(?:[\w-]+\s+){0,4}?to\s+(?:join\s+)?(.+)$", s, re.I):
        f.points.append(f"Join us for {end(_to_you(m.group(1)))}")
        topics.append(bare(m.group(1)))
        return
    if m := re.match(r"^(?:please\s+)?(?:announce|promote|introduce|celebrate|share)\s+(.+)$", s, re.I):
        obj, _, detail = m.group(1).partition(": ")
        obj = re.sub(r"\s+to\s+(?:our\s+|the\s+|all\s+)?[\w-]+(?:\s+[\w-]+){0,3}$", "", bare(obj))
        topics.append(obj)
        if detail:
            f.points.append(cap(end(detail)))
        elif EVENT.search(obj):
            f.points.append(f"Join {end(obj)}")
        return


_FORMAT_CHANNELS = [("email", r"e-?mail|newsletter"), ("sms", r"sms|text message"), ("x", r"tweet|x post"),
                    ("linkedin", r"linkedin"), ("instagram", r"instagram"), ("facebook", r"facebook"),
                    ("ads", r"\bads?\b|ad copy"), ("landing", r"landing|hero"), ("push", r"push|notification"),
                    ("blog", r"blog|article")]


def _format_channel(descriptor: str) -> str:
    return next((name for name, pattern in _FORMAT_CHANNELS if re.search(pattern, descriptor, re.I)), "")


def _to_you(text: str) -> str:
    for pattern, repl in _PRONOUNS:
        text = re.sub(pattern, repl, text)
    return text


def _offer(f: Facts, source: str) -> None:
    if m := DISCOUNT.search(source):
        f.discount = m.group(0)
        scope = _SCOPE.match(source, m.end())
        words = scope.group(1).strip() if scope else ""
        if words and not WHEN.fullmatch(words) and not re.match(r"(?:with|code|until|ends?)\b", words, re.I):
            f.offer = f"{f.discount} {words}"
        else:
            f.offer = f.discount
    f.freebies = list(dict.fromkeys(m.group(0).lower() for m in FREEBIE.finditer(source)))
    if m := PRICE.search(source):
        f.price = m.group(0)
    if m := CODE.search(source):
        f.code = m.group(1) or m.group(2)
    if m := REPLY.search(source):
        if m.group(1) != "STOP":
            f.reply = m.group(1)
    if f.cta and (m := REPLY.match(f.cta)):
        f.reply = m.group(1)
    for m in WHEN.finditer(source):
        before = source[max(0, m.start() - 40):m.start()]
        sentence_start = max(source.rfind(".", 0, m.start()), source.rfind("\n", 0, m.start())) + 1
        whole = source[sentence_start:m.end() + 30]
        if _DEADLINE_CUE.search(before) or re.search(r"\b(?:ends|sale|offer|expires)\b", whole, re.I) \
                and not EVENT.search(whole):
            f.deadline = f.deadline or m.group(0)
        else:
            f.when = f.when or m.group(0)


def _names(f: Facts, text: str, topics: list[str]) -> None:
    if m := re.search(r"customer story (?:with|from|about|of)\s+([A-Z][\w&-]*(?:\s[A-Z][\w&-]*){0,2})", text):
        f.customer = m.group(1).strip()
    for m in re.finditer(rf"\b([A-Z][\w&-]+(?:\s[A-Z][\w&-]+)?)['’]s\s+(?:new\s+)?({_NOUNS}){_NOUN_END}", text):
        if not re.fullmatch(_NOT_NAMES, m.group(1)):
            f.brand, f.product = m.group(1), m.group(2)
            break
    else:
        if m := re.search(rf"\bour\s+(?:[\w-]+['’]s\s+)?new\s+({_NOUNS}){_NOUN_END}", text):
            f.product = m.group(1)
    for m in re.finditer(r"(?:^|\.\s+)([A-Z][\w&-]+(?:\s\d+(?:\.\d+)*)?)\s+(?:adds|is|lets|now|brings|gets|has|helps)\b",
                         text):
        name = m.group(1).split()[0]
        if re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(name)}\b", f.audience + " " + f.title[1:]):
            f.brand = f.brand or name
            f.product = f.product or m.group(1)
    if m := _LAUNCH.match(f.title):
        f.product = bare(m.group(1))
    named = [m for m in f.must + f.uses if m[:1].isupper() and not WHEN.fullmatch(m) and not CODE.fullmatch(m)]
    if named and not f.customer:
        f.product = named[0]
    for topic in topics:
        if m := EVENT.search(topic):
            phrase = re.sub(r"^(?:our|the|a|an)\s+", "", topic, flags=re.I)
            phrase = re.split(r",\s*|\s+(?:on|at)\s+(?=\d|" + DAYS + ")", phrase)[0]
            f.event = f.event or ("the " + phrase if not phrase.lower().startswith(("the ", "our ")) else phrase)
            del m
    if f.product and f.product.split()[-1].lower() in ("sale",):
        f.product = ""


def _benefits(f: Facts) -> None:
    """The items of the first list sentence ('Paid plans add A, B and C.'). An item with a banned word is left
    out, and the sentence is rewritten without it rather than dropped whole."""
    for i, point in enumerate(f.points):
        m = re.search(r"\b(?:add|adds|include|includes|get|gets|come with|comes with|offer|offers|bring|brings|"
                      r"give you|gives you)\s+((?:[^,.;]+,\s+)*[^,.;]+?\s+(?:and|or)\s+[^,.;]+?)\.?$", point)
        if m:
            items = [lower_first(x.strip()) for x in re.split(r",\s+(?:and\s+)?|\s+and\s+", m.group(1)) if x.strip()]
            f.benefits = [x for x in items if not any(has(x, word) for word in f.avoid)]
            if f.benefits and len(f.benefits) < len(items):
                f.points[i] = point[:m.start(1)] + join_list(f.benefits) + "."
            return


def missing(text: str, phrases: list[str]) -> list[str]:
    return [p for p in phrases if not has(text, p)]

"""What the team taught, as the prompt tells it (`learning.voice_memory`): the offline drafter follows the
"## Learned rules" lines and echoes the "## Approved examples", visibly, so the demo shows the loop working.

- `Never write “X”; write “Y”.` — X becomes Y (its capital kept at a sentence start).
- `Never write “X”.` — X is taken out (a sentence it opened starts with a capital again).
- `Sign off with “…”.` — the closing becomes that sign-off ("Cheers, The Acme crew" is set on two lines).
- Approved examples (fresh drafts only; a revision keeps the reviewer's own greeting and closing): a short generic
  greeting from the best example's opening ("Hey team,") replaces ours, and its sign-off word ("Cheers,") ours.

A rule is not followed where it would take out a phrase the brief requires (the brief wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .prompt import Prompt
from .wording import has

_REPLACE = re.compile(r"^Never write “(.+?)”; write “(.+?)”\.?$")
_NEVER = re.compile(r"^Never write “(.+?)”\.?$")
_SIGN_OFF = re.compile(r"^Sign off with “(.+?)”\.?$")
GREETING = re.compile(r"^(?:Hi|Hello|Hey|Dear|Greetings|Good (?:morning|afternoon|evening))\b[^.\n]{0,30},$")
SIGN_OFF_WORD = re.compile(r"^(Best|Thanks|Thank you|Cheers|Regards|Warm regards|All the best|Kind regards|"
                           r"Best wishes|See you soon|Talk soon|Until next time)\b[^\n]{0,20},$", re.I)


@dataclass
class Learned:
    replace: list[tuple[str, str]] = field(default_factory=list)
    never: list[str] = field(default_factory=list)
    sign_off: str = ""
    greeting: str = ""  # from the best approved example
    closing_word: str = ""  # "Cheers," from the best approved example's sign-off

    def __bool__(self) -> bool:
        return bool(self.replace or self.never or self.sign_off or self.greeting or self.closing_word)


def _examples(body: str) -> list[str]:
    """Each example's text (its "> " quoting removed), best first as the prompt orders them."""
    texts = []
    for block in re.split(r"^### Example.*$", body, flags=re.M)[1:]:
        lines = [re.sub(r"^> ?", "", line) for line in block.strip().splitlines() if line.startswith(">")]
        texts.append("\n".join(lines).strip())
    return [t for t in texts if t]


def read_learned(p: Prompt) -> Learned:
    learned = Learned()
    for line in p.section("Learned rules").splitlines():
        line = line.strip().removeprefix("- ").strip()
        if m := _REPLACE.match(line):
            learned.replace.append((m.group(1), m.group(2)))
        elif m := _NEVER.match(line):
            learned.never.append(m.group(1))
        elif m := _SIGN_OFF.match(line):
            learned.sign_off = m.group(1)
    for example in _examples(p.section("Approved examples")):
        lines = [line.strip() for line in example.splitlines() if line.strip()]
        greeting = next((line for line in lines[:4] if GREETING.match(line) and len(line.split()) <= 4), "")
        closing = next((line for line in reversed(lines[-3:]) if SIGN_OFF_WORD.match(line)), "")
        learned.greeting = learned.greeting or greeting
        learned.closing_word = learned.closing_word or closing
    return learned


def _words_re(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _replace(text: str, before: str, after: str) -> str:
    def swap(m: re.Match) -> str:
        return after[:1].upper() + after[1:] if m.group()[:1].isupper() else after

    return _words_re(before).sub(swap, text)


def _take_out(text: str, phrase: str) -> str:
    pattern = re.compile(_words_re(phrase).pattern + r"[,;:]?[ \t]*", re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(text[last:m.start()])
        last = m.end()
        head = "".join(out).rstrip(" \t")
        if (not head or head[-1] in ".!?\n") and last < len(text):  # it opened a sentence: the next word does now
            out.append(text[last].upper())
            last += 1
    return re.sub(r"[ \t]{2,}", " ", "".join(out) + text[last:])


def _as_lines(sign_off: str) -> str:
    """"Cheers, The Acme crew" → "Cheers,\\nThe Acme crew" (the way an email closes)."""
    m = re.match(r"^([^,\n]{2,30},)\s+(\S.*)$", sign_off)
    return f"{m.group(1)}\n{m.group(2)}" if m else sign_off


def _closing_at(paras: list[str]) -> int | None:
    if len(paras) > 1 and SIGN_OFF_WORD.match(paras[-1].split("\n")[0].strip()):
        return len(paras) - 1
    return None


def _set_sign_off(text: str, sign_off: str) -> str:
    if _words_re(sign_off).search(text):
        return text
    paras = text.rstrip().split("\n\n")
    at = _closing_at(paras)
    if at is None:
        return "\n\n".join(paras + [_as_lines(sign_off)])
    return "\n\n".join(paras[:at] + [_as_lines(sign_off)])


def follow_learned(text: str, learned: Learned, required: list[str], fresh: bool) -> str:
    """The text with the learned rules applied (and, for a fresh draft, the examples' greeting and sign-off word)."""
    keep = lambda phrase: not any(has(item, phrase) for item in required)  # noqa: E731 - the brief wins
    for before, after in learned.replace:
        if keep(before):
            text = _replace(text, before, after)
    for phrase in learned.never:
        if keep(phrase):
            text = _take_out(text, phrase)
    if fresh and learned.greeting:
        paras = text.split("\n\n")
        text = "\n\n".join(learned.greeting if GREETING.match(p.strip()) else p for p in paras)
    if learned.sign_off:
        text = _set_sign_off(text, learned.sign_off)
    elif fresh and learned.closing_word:
        paras = text.split("\n\n")
        if (at := _closing_at(paras)) is not None:
            rest = paras[at].split("\n", 1)
            paras[at] = "\n".join([learned.closing_word] + rest[1:])
            text = "\n\n".join(paras)
    return text

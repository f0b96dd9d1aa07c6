"""A human edit as before → after hunks, word by word.

Core module (pure). Input: the text the AI wrote and the text the human left. Output: `Hunk`s — what was replaced,
deleted or added, in the human's spelling, with the character span in each text. Tokens are compared
case-insensitively so "Utilize" → "use" and "utilize" → "use" read as the same edit.

`edit_hunks(before, after, merge_gap=0)`: with `merge_gap` > 0, hunks separated by at most that many unchanged
tokens fold into one (a rewritten sentence is one edit for a reviewer; rule mining wants them apart).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Words (with inner apostrophes or hyphens) and single punctuation marks; whitespace is not a token, so a
# re-wrapped line is not an edit.
TOKEN_RE = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Hunk:
    """One change a person made to the AI's text: the words before and after, and where."""
    before: str  # the AI's words ("" for an addition)
    after: str  # the human's words ("" for a deletion)
    before_span: tuple[int, int]  # character span in the AI text (empty span at the spot for an addition)
    after_span: tuple[int, int]  # character span in the human text
    at_end: bool = False  # the hunk reaches the end of the human text (a sign-off is added there)

    @property
    def kind(self) -> str:
        if not self.before:
            return "add"
        return "delete" if not self.after else "replace"


def tokens(text: str) -> list[re.Match]:
    return list(TOKEN_RE.finditer(text))


def normalize(phrase: str) -> str:
    """A phrase as a pattern key: lower case, single spaces, no punctuation at either end."""
    text = " ".join(phrase.lower().replace("’", "'").split())
    return re.sub(r"^[^\w]+|[^\w]+$", "", text)


def _span(toks: list[re.Match], i: int, j: int, text: str) -> tuple[int, int]:
    if i < j:
        return toks[i].start(), toks[j - 1].end()
    at = toks[i].start() if i < len(toks) else len(text.rstrip())
    return at, at


def edit_hunks(before: str, after: str, merge_gap: int = 0) -> list[Hunk]:
    """Each change between `before` (AI) and `after` (human), in order."""
    a, b = tokens(before), tokens(after)
    matcher = difflib.SequenceMatcher(None, [m.group().lower() for m in a], [m.group().lower() for m in b],
                                      autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    merged: list[list[int]] = []
    for _, i1, i2, j1, j2 in ops:
        if merged and i1 - merged[-1][1] <= merge_gap and j1 - merged[-1][3] <= merge_gap:
            merged[-1][1], merged[-1][3] = i2, j2
        else:
            merged.append([i1, i2, j1, j2])
    hunks = []
    for i1, i2, j1, j2 in merged:
        bs, asp = _span(a, i1, i2, before), _span(b, j1, j2, after)
        hunks.append(Hunk(before[bs[0]:bs[1]], after[asp[0]:asp[1]], bs, asp, at_end=j2 == len(b) and j2 > j1))
    return hunks

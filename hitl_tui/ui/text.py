"""Turning untrusted text (briefs, model output) into Rich Text safely: never markup, never raw escapes."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

# C0/C1 control characters except newline and tab; ESC among them, so ANSI sequences arrive inert.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: object) -> str:
    """Visible, inert text: escapes and other control characters shown as '�'."""
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(value))


def safe_text(value: object, style: str = "") -> Text:
    """A Text object built from the string itself (no markup parsing), with control characters neutralised.
    Replacing one character with one keeps character offsets, so gate evidence spans still line up."""
    return Text(plain(value), style=style)


_WORD = re.compile(r"\S+\s*|\s+")


def wrap_starts(line: str, width: int) -> list[int]:
    """Where each wrapped row of one line (no newlines) starts, greedy by words, folding words wider than a row.

    Greedy wrapping decides each break from the text before it and the word after it, so appending text can
    only change the last row: callers re-wrap from the last row's start (see DraftText)."""
    width = max(1, width)
    starts, col = [0], 0
    for match in _WORD.finditer(line):
        word = match.group()
        body = word.rstrip()
        need = cell_len(body)
        if col and col + need > width:
            starts.append(match.start())
            col = 0
        if need > width:  # longer than a row: fold it character by character
            for i, char in enumerate(body):
                w = cell_len(char)
                if col and col + w > width:
                    starts.append(match.start() + i)
                    col = 0
                col += w
            col += len(word) - len(body)
        else:
            col += cell_len(word)
    return starts

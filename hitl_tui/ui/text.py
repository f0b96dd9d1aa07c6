"""Turning untrusted text (briefs, model output) into Rich Text safely: never markup, never raw escapes."""

from __future__ import annotations

import re

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


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Text:
    rendered = safe_text(text)
    for start, end, style in spans:
        if 0 <= start < end <= len(text):
            rendered.stylize(style, start, end)
    return rendered

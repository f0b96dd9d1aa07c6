"""Untrusted text (briefs, model output, provider messages) made safe to show on a terminal, and JSON that
carries it intact.

Core module: imports neither textual nor litellm. A terminal acts on what it is sent: ESC[2J clears the screen,
OSC 52 writes the clipboard, OSC 0/2 set the window title, OSC 8 makes links, C1 CSI (U+009B) starts a sequence
like ESC [, ESC c resets the terminal. `inert` shows every such character as a visible, harmless picture.
"""

from __future__ import annotations

import json
import re

# C0 controls except tab and newline, DEL, and the C1 range (U+0080-U+009F), which some terminals obey as well.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What JSON leaves raw with ensure_ascii=False (it escapes U+0000-U+001F itself); line and paragraph separators
# too, as some readers take them for line ends.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␇ for BEL, ␍ for CR
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1 has no pictures: shown as Python writes it


def inert(text: str) -> str:
    """The text with every control character but newline and tab replaced by a visible picture of it, so
    escape sequences show as text (`␛[2J`) instead of acting. A Windows line end stays a line end."""
    text = str(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_picture, text.replace("\r\n", "\n"))


def json_dumps(value, **kwargs) -> str:
    """json.dumps keeping non-ASCII text readable, with DEL, C1 controls and U+2028/9 escaped as \\uXXXX:
    the same value once parsed, but nothing a terminal would act on when the JSON is printed."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

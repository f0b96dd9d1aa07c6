"""How the `hitl` command prints: untrusted text made inert on a terminal (kept byte for byte in files and pipes),
JSON, and a reader that goes away early (`hitl briefs | head -1`).

Every print of text that came from a brief, a model or a provider goes through `out`/`err` (or `for_terminal`
for tables), so no escape sequence from a model reaches the user's terminal.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from ..terminal import inert, json_dumps

# What a shell reports for a tool that SIGPIPE ended (128 + 13), e.g. `yes | head -1` under `set -o pipefail`.
EXIT_BROKEN_PIPE = 141


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def for_terminal(text: object, stream: TextIO | None = None) -> str:
    """The text as it may be written to `stream` (stdout by default): escape sequences shown inert when it is a
    terminal, the exact text otherwise (a file, a pipe: what the model wrote, byte for byte)."""
    stream = stream or sys.stdout
    return inert(str(text)) if is_terminal(stream) else str(text)


def out(text: object = "", end: str = "\n") -> None:
    sys.stdout.write(for_terminal(text, sys.stdout) + end)


def err(text: object) -> None:
    sys.stderr.write(for_terminal(text, sys.stderr) + "\n")


def print_json(value) -> None:
    sys.stdout.write(json_dumps(value, indent=2) + "\n")


def reader_went_away() -> int:
    """The reader of our output closed it (`| head`, a pager quit): stop quietly, like any Unix tool. Standard
    output now points at /dev/null, so the interpreter's last flush at exit has nowhere to fail (else it would
    print 'Exception ignored ... BrokenPipeError')."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
        try:
            sys.stderr.flush()
        except BrokenPipeError:  # `2>&1 | head`: the same closed pipe
            os.dup2(devnull, sys.stderr.fileno())
    except (OSError, ValueError):  # a stream without a descriptor (replaced by a caller): nothing to silence
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE

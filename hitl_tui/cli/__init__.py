"""The `hitl` command: parse the command line, run one sub-command, turn known failures into one line.

parser.py defines the options, commands.py (and draft.py for `hitl draft`) does the work, output.py and
tables.py print. Importing this package loads neither textual nor litellm.
"""

from __future__ import annotations

import gc
import sys

from ..errors import HitlError
from .common import UsageError
from .output import err, reader_went_away
from .parser import build_parser

__all__ = ["UsageError", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    from . import commands

    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", commands.cmd_review)
    if func not in (commands.cmd_review, commands.cmd_demo):
        gc.enable()  # off for a fast start (launch.py); the review station turns it on after its first frame
    try:
        code = func(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught, not at interpreter exit
        return code
    except BrokenPipeError:  # `hitl briefs | head -1`: the reader has all it wanted
        return reader_went_away()
    except HitlError as exc:  # usage, workspace, config or log (hitl.db) problems: one line each
        err(f"hitl: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        err("hitl: interrupted")
        return 130

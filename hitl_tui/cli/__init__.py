"""The `hitl` command: parse the command line, run one sub-command, turn known failures into one line.

parser.py defines the options, commands.py (and draft.py for `hitl draft`) does the work, output.py and
tables.py print. Importing this package loads neither textual nor litellm.
"""

from __future__ import annotations

import gc
import sys

from ..config import ConfigError
from ..workspace import WorkspaceError
from .common import UsageError
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
        return func(args)
    except (UsageError, WorkspaceError, ConfigError) as exc:
        print(f"hitl: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hitl: interrupted", file=sys.stderr)
        return 130

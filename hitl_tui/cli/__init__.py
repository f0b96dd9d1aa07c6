"""The `hitl` command: parse the command line, run one sub-command, turn known failures into one line.

parser.py defines the options, commands.py (and draft.py for `hitl draft`) does the work, output.py and
tables.py print. Importing this package loads neither textual nor litellm.
"""

from __future__ import annotations

import gc
import sys
from types import SimpleNamespace

from ..errors import HitlError
from .common import UsageError
from .output import err, reader_went_away

__all__ = ["UsageError", "build_parser", "main"]


GLOBAL_OPTIONS = {"-w": "workspace", "--workspace": "workspace", "--reviewer": "reviewer"}


def plain_review_args(argv: list[str]) -> SimpleNamespace | None:
    """A plain `hitl`, with at most the global options (`-w DIR`, `--workspace=DIR`, `--reviewer NAME`): what the
    full parser would make of it, without building every sub-command's parser first (~5 ms of the station's first
    frame, tests/bench: first_frame). None for anything else (a command, help, a flag it does not know, a missing
    value), which the full parser handles and reports."""
    values: dict[str, str] = {}
    rest = list(argv)
    while rest:
        option, has_value, value = rest.pop(0).partition("=")
        # `-w=DIR` is left to argparse, which reads a short option's "=" its own way
        if option not in GLOBAL_OPTIONS or (has_value and not option.startswith("--")):
            return None
        if not has_value:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        values[GLOBAL_OPTIONS[option]] = value
    return SimpleNamespace(workspace=values.get("workspace"), reviewer=values.get("reviewer"), command=None)


def build_parser():
    """The full command line (parser.py); argparse loads only when something but a plain `hitl` is typed."""
    from .parser import build_parser as build

    return build()


def main(argv: list[str] | None = None) -> int:
    from . import commands

    argv = sys.argv[1:] if argv is None else argv
    args = plain_review_args(argv)
    if args is None:
        args = build_parser().parse_args(argv)
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

"""The `hitl` command line: every sub-command, flag and help text. Builds the parser only; imports nothing heavy."""

from __future__ import annotations

import argparse

from .. import __version__


def add_global_options(parser: argparse.ArgumentParser, *, on_subcommand: bool) -> None:
    """Options every command takes, before or after the sub-command's name. On the sub-commands their default is
    SUPPRESS, so a value given before the sub-command is not reset to None by the sub-parser."""
    default = argparse.SUPPRESS if on_subcommand else None
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument("--workspace", "-w", metavar="DIR", default=default,
                       help="workspace folder (default: $HITL_WORKSPACE, else the nearest folder upwards with "
                            "hitl.toml)")
    group.add_argument("--reviewer", metavar="NAME", default=default,
                       help="record your actions under this name (default: $HITL_REVIEWER, else `reviewer` in "
                            "your own config file, else your login name)")


def build_parser() -> argparse.ArgumentParser:
    from . import commands as c
    from . import learned

    parser = argparse.ArgumentParser(prog="hitl", description="Terminal review station for AI-drafted marketing copy.")
    parser.add_argument("--version", action="version", version=f"hitl-tui {__version__}",
                        help="print the version and exit")
    add_global_options(parser, on_subcommand=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help="what to do (default: review)")

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".")
        p.set_defaults(func=func)
        add_global_options(p, on_subcommand=True)
        return p

    command("review", c.cmd_review, "open the review station (the default)")
    p = command("demo", c.cmd_demo, "open the station on a throwaway workspace with example briefs, offline")
    p.add_argument("dir", nargs="?", help="where to make the demo workspace (default: a new temp folder)")
    p = command("init", c.cmd_init, "create a workspace: hitl.toml, briefs/, outbox/ and example briefs")
    p.add_argument("dir", nargs="?", help="the workspace folder to create or complete (default: --workspace, else "
                                         "the current folder)")
    p.add_argument("--no-examples", action="store_true", help="do not copy the example briefs")
    p = command("briefs", c.cmd_briefs, "list the inbox with each brief's status")
    p.add_argument("--json", action="store_true", help="print one JSON array, for scripts")
    p = command("draft", c.cmd_draft, "stream drafts for one brief")
    p.add_argument("brief", help="file name in the inbox, or a path")
    p.add_argument("--model", "-m", help="litellm model string, e.g. openai/gpt-4o-mini, ollama/llama3")
    p.add_argument("--api-base", metavar="URL", help="base URL of the provider, e.g. http://127.0.0.1:11434")
    p.add_argument("--variants", "-n", type=int, metavar="N", help="variants per model (1-8)")
    p.add_argument("--json", action="store_true", help="print one JSON array of the results at the end")
    p = command("check", c.cmd_check, "run the quality gates on a text file, like a linter")
    p.add_argument("file", help="the text file to check")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--brief", help="check against this brief's contract (file name in the inbox, or a path)")
    group.add_argument("--channel", help="check against this channel's checklist and limits, e.g. sms")
    p.add_argument("--json", action="store_true", help="print one JSON object, for scripts")
    p = command("export", c.cmd_export, "export every draft with its scores and decision, or fine-tuning data")
    p.add_argument("--format", choices=["jsonl", "csv", "md", "dpo", "kto", "sft", "openai-preference"],
                   default="jsonl", help="jsonl (one JSON object a line, the default), csv or md: every draft; dpo, "
                   "kto, sft or openai-preference: fine-tuning rows with provenance under meta (see README)")
    p.add_argument("--out", metavar="PATH", help="write to this file instead of standard output")
    group = p.add_argument_group("fine-tuning formats only")
    group.add_argument("--judged-by", metavar="NAME", help="keep only the picks and decisions of this reviewer")
    group.add_argument("--since", metavar="YYYY-MM-DD", help="keep only judgments from this day on (UTC)")
    group.add_argument("--until", metavar="YYYY-MM-DD", help="keep only judgments up to this day, inclusive (UTC)")
    group.add_argument("--explicit-only", action="store_true",
                       help="dpo / openai-preference: only picks from the compare view, no implicit pairs")
    group.add_argument("--no-meta", action="store_true", help="leave out the provenance key meta")
    p = command("stats", c.cmd_stats, "approval, win rates, review analytics, feedback addressed and published "
                "results from the log")
    p.add_argument("--json", action="store_true", help="print one JSON object, for scripts (keys in README)")
    from . import team

    p = command("queue", team.cmd_queue, "briefs with what each waits on (stage and role, questions, audits, "
                                         "unsourced claims), most urgent first")
    p.add_argument("--mine", action="store_true", help="only what waits on you (your name, or a role you hold)")
    p.add_argument("--json", action="store_true", help="print one JSON array, for scripts")
    p = command("claims", team.cmd_claims, "each variant's claims with their source or status")
    p.add_argument("brief", help="the brief's file name in the inbox")
    p.add_argument("--json", action="store_true", help="print one JSON array, for scripts")
    p = command("history", learned.cmd_history, "a brief's revisions per variant: the feedback each was sent, how "
                "it was marked, and the examples each draft was given")
    p.add_argument("brief", help="the brief's file name in the inbox, e.g. launch.toml")
    p.add_argument("--json", action="store_true", help="print one JSON object, for scripts")
    p = command("rules", learned.cmd_rules, "rules learned from reviewers' edits: list the proposals, or accept, "
                "reject or ignore one")
    p.add_argument("--json", action="store_true", help="print the proposals as one JSON array, for scripts")
    decide = p.add_subparsers(dest="rules_action", metavar="ACTION", help="accept, reject or ignore (default: list)")
    for action, text in (("accept", "accept a proposal: it applies as a gate from the next draft on"),
                         ("reject", "reject a proposal: it is not proposed again (an accepted rule is removed)"),
                         ("ignore", "not now: it comes back once it recurs in more pieces")):
        q = decide.add_parser(action, help=text, description=text[:1].upper() + text[1:] + ".")
        q.add_argument("id", help="the proposal's id, as `hitl rules` lists it (lr-…)")
        add_global_options(q, on_subcommand=True)
        if action == "accept":
            q.add_argument("--as", dest="as_", choices=["banned", "regex", "voice"],
                           help="a banned word, a regex rule, or a line for the voice guide (default: banned, "
                                "regex for a sign-off)")
            q.add_argument("--text", help="the rule in your words instead of the proposal's: the banned phrase, the "
                                          "pattern, or the voice line")
    p = command("results", c.cmd_results, "published results: import your channels' figures per outbox piece")
    p.add_argument("action", choices=["import"], help="import: add or update the rows of a file")
    p.add_argument("file", help="a .csv or .jsonl file: piece (outbox file name or front-matter id), date and any "
                                "of impressions, opens, clicks, conversions, spend, revenue")
    return parser

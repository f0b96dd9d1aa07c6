"""The `hitl` command. Sub-commands stay light: litellm and textual load only in the commands that need them."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from pathlib import Path

from . import __version__
from .config import ConfigError
from .workspace import Workspace, WorkspaceError, find_workspace, init_workspace


class UsageError(Exception):
    pass


def _workspace(args) -> Workspace:
    return Workspace.load(find_workspace(args.workspace))


def cmd_init(args) -> int:
    root = Path(args.dir or ".").resolve()
    created = init_workspace(root, examples=not args.no_examples)
    print(f"Workspace: {root}")
    for item in created:
        print(f"  created {item}")
    if not created:
        print("  nothing to do: everything already exists (no file was overwritten)")
    print("Next: `hitl` to open the review station, or `hitl draft <brief>` to draft from the command line.")
    return 0


def cmd_briefs(args) -> int:
    from .inbox import sync_inbox
    from .store import Store

    ws = _workspace(args)

    async def run() -> list[dict]:
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            await sync_inbox(ws.inbox, store)
            return await store.list_briefs()

    rows = asyncio.run(run())
    if args.json:
        print(json.dumps([{"name": r["name"], "title": r["title"], "status": r["status"], "error": r["error"],
                           "channel": r["channel"], "drafts": r["drafts"]} for r in rows], ensure_ascii=False,
                         indent=2))
        return 0
    if not rows:
        print(f"The inbox {ws.inbox} is empty. Drop .toml, .md or .txt briefs into it.")
    for r in rows:
        line = f"{r['status']:<10} {r['name']:<32} {r['title']}"
        print(line + (f"\n           ↳ {r['error']}" if r["error"] else ""))
    return 0


def _resolve_brief_path(ws: Workspace | None, ref: str) -> Path:
    path = Path(ref)
    if path.is_file():
        return path
    if ws and (ws.inbox / ref).is_file():
        return ws.inbox / ref
    raise UsageError(f"brief {ref!r} not found (give a path, or a file name inside the inbox)")


def cmd_draft(args) -> int:
    from .drafting.printer import run_draft

    ws = _workspace(args)
    return run_draft(ws, _resolve_brief_path(ws, args.brief), args)


def cmd_check(args) -> int:
    from .briefs import parse_brief
    from .config import Config
    from .gates import gate_spec, run_gates

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        ws = _workspace(args)
        config = ws.config
    except WorkspaceError:
        ws, config = None, Config()
    brief = None
    if args.brief:
        brief = parse_brief(_resolve_brief_path(ws, args.brief))
        if brief.error:
            raise UsageError(f"the brief is invalid: {brief.error}")
    spec = gate_spec(config, brief, channel=args.channel)
    results = run_gates(text, spec)
    failed = [r for r in results if r.blocking]
    if args.json:
        print(json.dumps({"file": args.file, "passed": not failed, "gates": [r.to_dict() for r in results],
                          "manual": [{"id": i.id, "text": i.text, "required": i.required}
                                     for i in spec.manual_items]}, ensure_ascii=False, indent=2))
    else:
        marks = {"pass": "✓", "fail": "✗", "warn": "!"}
        for r in results:
            kind = "required" if r.required else "advisory"
            print(f"{marks[r.status]} {r.label:<22} {r.message}  [{r.source}, {kind}]")
            for start, end in r.evidence[:5]:
                line = text.count("\n", 0, start) + 1
                col = start - (text.rfind("\n", 0, start) + 1) + 1
                print(f"    {args.file}:{line}:{col}: {text[start:end][:60]!r}")
        for item in spec.manual_items:
            print(f"? {item.text:<22} manual check, not run here  [{spec.checklist_key}.items]")
        print(f"\n{'FAIL' if failed else 'PASS'}: {len(failed)} required gate(s) failing")
    return 1 if failed else 0


def cmd_export(args) -> int:
    from .exporting import export

    ws = _workspace(args)
    text = export(ws, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_stats(args) -> int:
    from .metrics import format_stats
    from .store import Store

    ws = _workspace(args)

    async def run() -> dict:
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            return await store.stats()

    stats = asyncio.run(run())
    print(json.dumps(stats, indent=2, ensure_ascii=False) if args.json else format_stats(stats))
    return 0


def cmd_review(args) -> int:
    from .ui.run import run_review

    return run_review(_workspace(args))


def cmd_demo(args) -> int:
    from .ui.run import run_demo

    return run_demo(args.dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hitl", description="Terminal review station for AI-drafted marketing copy.")
    parser.add_argument("--version", action="version", version=f"hitl-tui {__version__}")
    parser.add_argument("--workspace", "-w", metavar="DIR", help="workspace folder (default: $HITL_WORKSPACE, "
                                                                 "else the nearest folder upwards with hitl.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("review", help="open the review station (the default)").set_defaults(func=cmd_review)
    p = sub.add_parser("demo", help="open the station on a throwaway workspace with example briefs, offline")
    p.add_argument("dir", nargs="?", help="where to make the demo workspace (default: a new temp folder)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("init", help="create a workspace: hitl.toml, briefs/, outbox/ and example briefs")
    p.add_argument("dir", nargs="?")
    p.add_argument("--no-examples", action="store_true", help="do not copy the example briefs")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("briefs", help="list the inbox with each brief's status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_briefs)
    p = sub.add_parser("draft", help="stream drafts for one brief")
    p.add_argument("brief", help="file name in the inbox, or a path")
    p.add_argument("--model", "-m", help="litellm model string, e.g. openai/gpt-4o-mini, ollama/llama3")
    p.add_argument("--api-base", help="base URL of the provider, e.g. http://127.0.0.1:11434")
    p.add_argument("--variants", "-n", type=int, help="variants per model (1-8)")
    p.add_argument("--json", action="store_true", help="print one JSON array of the results at the end")
    p.set_defaults(func=cmd_draft)
    p = sub.add_parser("check", help="run the quality gates on a text file, like a linter")
    p.add_argument("file")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--brief", help="check against this brief's contract")
    group.add_argument("--channel", help="check against this channel's checklist and limits")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("export", help="export every draft with its scores and decision")
    p.add_argument("--format", choices=["jsonl", "csv", "md"], default="jsonl")
    p.add_argument("--out", metavar="PATH")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("stats", help="approval rate, scores and edit rates from the log")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_review)
    if func not in (cmd_review, cmd_demo):
        gc.enable()  # off for a fast start (launch.py); the review station turns it on after its first frame
    try:
        return func(args)
    except (UsageError, WorkspaceError, ConfigError) as exc:
        print(f"hitl: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hitl: interrupted", file=sys.stderr)
        return 130

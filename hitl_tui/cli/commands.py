"""What each `hitl` sub-command does. They stay light: litellm and textual load only in the commands that need them."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from ..workspace import WorkspaceError, init_workspace
from .common import UsageError, load_workspace, resolve_brief_path


def cmd_init(args) -> int:
    root = Path(args.dir or getattr(args, "workspace", None) or ".").resolve()
    created = init_workspace(root, examples=not args.no_examples)
    print(f"Workspace: {root}")
    for item in created:
        print(f"  created {item}")
    if not created:
        print("  nothing to do: everything already exists (no file was overwritten)")
    print("Next: `hitl` to open the review station, or `hitl draft <brief>` to draft from the command line.")
    return 0


def cmd_briefs(args) -> int:
    from ..inbox import sync_inbox
    from ..store import Store

    ws = load_workspace(args)

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


def cmd_draft(args) -> int:
    from .draft import run_draft

    ws = load_workspace(args)
    return run_draft(ws, resolve_brief_path(ws, args.brief), args)


def cmd_check(args) -> int:
    from ..briefs import parse_brief
    from ..config import Config
    from ..gates import gate_spec, run_gates

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        ws = load_workspace(args)
        config = ws.config
    except WorkspaceError:
        ws, config = None, Config()
    brief = None
    if args.brief:
        brief = parse_brief(resolve_brief_path(ws, args.brief))
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
    from ..exporting import export

    ws = load_workspace(args)
    text = export(ws, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_stats(args) -> int:
    from ..metrics import format_stats
    from ..store import Store

    ws = load_workspace(args)

    async def run() -> dict:
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            return await store.stats()

    stats = asyncio.run(run())
    print(json.dumps(stats, indent=2, ensure_ascii=False) if args.json else format_stats(stats))
    return 0


def cmd_review(args) -> int:
    from ..ui.run import run_review

    return run_review(load_workspace(args))


def cmd_demo(args) -> int:
    from ..ui.run import run_demo

    return run_demo(args.dir, getattr(args, "reviewer", None))

"""What each `hitl` sub-command does. They stay light: litellm and textual load only in the commands that need them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ..workspace import WorkspaceError, init_workspace
from .common import UsageError, load_workspace, resolve_brief_path
from .output import err, out, print_json


def cmd_init(args) -> int:
    root = Path(args.dir or getattr(args, "workspace", None) or ".").resolve()
    created = init_workspace(root, examples=not args.no_examples)
    out(f"Workspace: {root}")
    for item in created:
        out(f"  created {item}")
    if not created:
        out("  nothing to do: everything already exists (no file was overwritten)")
    out("Next: `hitl` to open the review station, or `hitl draft <brief>` to draft from the command line.")
    return 0


def cmd_briefs(args) -> int:
    from ..inbox import sync_inbox
    from ..store import Store

    ws = load_workspace(args)

    async def run() -> tuple[list[dict], dict, bool]:
        from ..team.queue import stage_waits

        # A read-only log still lists: the inbox is parsed into a private copy of the log, nothing is written.
        async with Store.opened(ws.db_path, ws.config.reviewer, read_only_ok=True) as store:
            await sync_inbox(ws.inbox, store)
            return await store.list_briefs(), await stage_waits(store, ws.config), store.read_only

    rows, waits, read_only = asyncio.run(run())
    if read_only:
        err(f"hitl: {ws.db_path} is read-only: showing the inbox as parsed and what the log knows; nothing was "
            "recorded")
    if args.json:
        print_json([{"name": r.name, "title": r.title, "status": r.status, "error": r.error,
                     "channel": r.channel, "drafts": r.drafts,
                     "waits_on": waits[r.name].to_dict() if r.name in waits else None} for r in rows])
    elif not rows:
        out(f"The inbox {ws.inbox} is empty. Drop .toml, .md or .txt briefs into it.")
    else:
        from .tables import print_briefs

        print_briefs(rows, {name: w.describe() for name, w in waits.items()})
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
        print_json({"file": args.file, "passed": not failed, "gates": [r.to_dict() for r in results],
                    "manual": [{"id": i.id, "text": i.text, "required": i.required} for i in spec.manual_items]})
    else:
        from .tables import print_gates

        print_gates(results, spec.manual_items, spec.checklist_key, text, args.file)
        out(f"\n{'FAIL' if failed else 'PASS'}: {len(failed)} required gate(s) failing")
    return 1 if failed else 0


def _export_filter(args):
    from ..analytics.finetune import ExportFilter, day_range
    from ..exporting import FINETUNE_FORMATS

    given = [flag for flag, value in (("--judged-by", args.judged_by), ("--since", args.since),
                                      ("--until", args.until), ("--explicit-only", args.explicit_only),
                                      ("--no-meta", args.no_meta)) if value]
    if args.format not in FINETUNE_FORMATS:
        if given:
            raise UsageError(f"{given[0]} applies to the fine-tuning formats ({', '.join(FINETUNE_FORMATS)})")
        return None
    if args.explicit_only and args.format not in ("dpo", "openai-preference"):
        raise UsageError(f"--explicit-only applies to dpo and openai-preference ({args.format} rows come from "
                         "decisions, not pairs)")
    for flag, day in (("--since", args.since), ("--until", args.until)):
        try:
            day_range(day, None)
        except ValueError:
            raise UsageError(f"{flag} {day!r} is not a date like 2025-03-31") from None
    return ExportFilter(args.judged_by, *day_range(args.since, args.until), args.explicit_only)


def cmd_export(args) -> int:
    from ..exporting import export, export_finetune

    filt = _export_filter(args)
    ws = load_workspace(args)
    if filt is None:
        text = export(ws, args.format)
    else:
        result = export_finetune(ws, args.format, filt, meta=not args.no_meta)
        text = result.text
        left_out = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
        err(f"{result.rows} {args.format} row{'s' * (result.rows != 1)}" + (f"; left out: {left_out}"
                                                                            if left_out else ""))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")  # the file gets the text exactly as it was written
        err(f"wrote {args.out}")
    else:
        out(text, end="")
    return 0


def cmd_stats(args) -> int:
    from ..store import Store

    ws = load_workspace(args)

    async def run() -> dict:
        from ..team.stats import team_stats

        async with Store.opened(ws.db_path, ws.config.reviewer, read_only_ok=True) as store:
            return {**await store.stats(), **await team_stats(store)}

    stats = asyncio.run(run())
    if args.json:
        print_json(stats)
    else:
        from .learned import print_feedback_share
        from .stats_tables import print_learning
        from .tables import print_stats
        from .team_tables import print_team_stats

        print_stats(stats)
        print_team_stats(stats)
        print_feedback_share(stats["feedback_addressed"])
        print_learning(stats)
    return 0


def cmd_results(args) -> int:
    from ..published import import_file

    ws = load_workspace(args)
    try:
        outcome = import_file(ws, Path(args.file))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    name = Path(args.file).name
    for problem in outcome.errors:
        err(f"{name}: {problem}")
    if outcome.errors:
        n = len(outcome.errors)
        err(f"hitl: nothing imported ({n} problem{'s' * (n != 1)} above); fix {'them' if n > 1 else 'it'} and "
            f"import the file again")
        return 1
    c = outcome.counts
    out(f"Imported {outcome.rows} row{'s' * (outcome.rows != 1)} from {name}: {c['new']} new, {c['updated']} "
        f"updated, {c['unchanged']} unchanged.")
    return 0


def cmd_review(args) -> int:
    from ..ui.run import run_review

    return run_review(load_workspace(args, warn=False))  # the station shows warnings on its own screen


def cmd_demo(args) -> int:
    from ..ui.run import run_demo

    return run_demo(args.dir, getattr(args, "reviewer", None))

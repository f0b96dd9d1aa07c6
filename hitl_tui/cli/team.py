"""`hitl queue` and `hitl claims`: what waits on whom, and each variant's claims with their sources (issue 13)."""

from __future__ import annotations

import asyncio

from .common import UsageError, load_workspace
from .output import err, out, print_json


def cmd_queue(args) -> int:
    from ..inbox import sync_inbox
    from ..store import Store
    from ..team.queue import build_queue

    ws = load_workspace(args)
    reviewer = ws.config.reviewer

    async def run():
        # A read-only log still answers: the inbox is parsed into a private copy of the log, nothing is written.
        async with Store.opened(ws.db_path, reviewer, read_only_ok=True) as store:
            await sync_inbox(ws.inbox, store)
            return await build_queue(store, ws.config, reviewer, mine=args.mine), store.read_only

    rows, read_only = asyncio.run(run())
    if read_only:
        err(f"hitl: {ws.db_path} is read-only: showing what the log knows and the inbox as parsed; nothing was "
            "recorded")
    if args.json:
        print_json([r.to_dict() for r in rows])
    elif not rows:
        out(f"Nothing waits on {reviewer}." if args.mine else f"The inbox {ws.inbox} is empty.")
    else:
        from .team_tables import print_queue

        print_queue(rows, reviewer)
    return 0


def cmd_claims(args) -> int:
    from ..store import Store, StoreError
    from ..team.claims import brief_claims

    ws = load_workspace(args)
    name = args.brief.rsplit("/", 1)[-1]

    async def run():
        async with Store.opened(ws.db_path, ws.config.reviewer, read_only_ok=True) as store:
            return await brief_claims(store, ws.config, name)

    try:
        variants = asyncio.run(run())
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json([v.to_dict() for v in variants])
    else:
        from .team_tables import print_claims

        print_claims(variants)
    return 0

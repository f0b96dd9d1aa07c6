"""`hitl draft`: stream a brief's variants to the terminal with progress, store them, report as text or JSON."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ..briefs import parse_brief
from ..config import ModelSpec
from ..drafting.engine import DraftEngine, StreamEvent
from ..workspace import Workspace
from .common import UsageError
from .output import err, for_terminal, out, print_json


class _Progress:
    """One status line on stderr (when it is a terminal); a single variant streams its tokens to stdout."""

    def __init__(self, labels: dict[int, str], stream_tokens: bool, show: bool) -> None:
        self.labels = labels
        self.stream_tokens = stream_tokens
        self.show = show
        self.state: dict[int, str] = {}
        self.order: list[int] = []

    def __call__(self, event: StreamEvent) -> None:
        if event.draft_id not in self.order:
            self.order.append(event.draft_id)
        if event.kind == "delta":
            self.state[event.draft_id] = f"{event.tokens} tok"
            if self.stream_tokens:  # only ever on a terminal: escape sequences from the model shown inert
                sys.stdout.write(for_terminal(event.delta))
                sys.stdout.flush()
                return
        elif event.kind == "retry":
            self.state[event.draft_id] = f"retry {event.attempt}"
        elif event.kind in ("done", "failed", "interrupted"):
            self.state[event.draft_id] = event.kind
        elif event.kind == "start":
            self.state[event.draft_id] = "waiting"
        if self.show and not self.stream_tokens:
            parts = [f"v{i + 1} {self.state.get(d, '…')}" for i, d in enumerate(self.order)]
            sys.stderr.write("\r\x1b[2K" + " · ".join(parts))
            sys.stderr.flush()

    def end(self) -> None:
        if self.show and not self.stream_tokens:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


def run_draft(ws: Workspace, path: Path, args) -> int:
    from ..inbox import sync_inbox
    from ..store import Store

    brief = parse_brief(path, path.parent)
    if brief.error:
        raise UsageError(f"the brief is invalid: {brief.error}")
    if args.variants is not None and not 1 <= args.variants <= 8:
        raise UsageError("--variants must be from 1 to 8")
    models = [ModelSpec(args.model, api_base=args.api_base)] if args.model else None
    if args.api_base and not args.model:
        models = [ModelSpec(m.model, api_base=args.api_base, api_key_env=m.api_key_env, label=m.label)
                  for m in ws.config.drafting.models]

    async def run():
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            if path.parent.resolve() == ws.inbox.resolve():
                await sync_inbox(ws.inbox, store)
            # (a brief from elsewhere is recorded under its file name)
            version_id = (await store.sync_brief(brief)).version_id
            engine = DraftEngine(store, ws.config, log_file=ws.log_file, writer="cli", outbox=ws.outbox,
                                 learned=ws.learned_rules)
            n = args.variants or brief.variants or ws.config.drafting.variants
            specs = engine.models_for(brief, models)
            single = n * len(specs) == 1 and not args.json and sys.stdout.isatty()
            progress = _Progress({}, stream_tokens=single, show=sys.stderr.isatty() and not args.json)
            engine.on_event = progress
            try:
                return await engine.draft_brief(brief, version_id, models=models, variants=args.variants)
            finally:
                progress.end()
                await engine.close("cli")  # ctrl+c: whatever had not ended is recorded as interrupted by it

    try:
        outcomes = asyncio.run(run())
    except KeyboardInterrupt:
        err("hitl: interrupted; partial drafts were saved")
        return 130
    failed = [o for o in outcomes if o.status != "done"]
    if args.json:
        print_json([{"variant": o.variant + 1, "model": o.model, "label": o.label, "status": o.status,
                     "text": o.text, "error": o.error, "tokens_in": o.tokens_in, "tokens_out": o.tokens_out,
                     "cost": o.cost, "latency_ms": o.latency_ms} for o in outcomes])
    else:
        for o in outcomes:
            cost = f" · ${o.cost:.4f}" if o.cost else ""  # unknown or free (offline): nothing, as in the app
            out(f"\n── v{o.variant + 1} · {o.label} · {o.status} · {o.tokens_out or 0} tokens{cost} ──")
            if o.text and not (len(outcomes) == 1 and sys.stdout.isatty()):
                out(o.text)
            if o.error:
                out(f"   ({o.error})")
    for o in failed:
        err(f"hitl: v{o.variant + 1} {o.model} {o.status}: {o.error}")
    return 1 if failed else 0

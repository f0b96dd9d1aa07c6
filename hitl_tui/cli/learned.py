"""`hitl history` and `hitl rules` (issue 12), and the feedback-addressed part of `hitl stats`.

`hitl history BRIEF [--json]`: each variant's revisions in order, the feedback items each revise was sent with their
marks, and the examples (approved pieces) and learned lines each draft was given.
`hitl rules [--json]`: rule proposals mined from approved edits (mined afresh each time), with id, kind, pattern,
examples and status; `hitl rules accept ID [--as banned|regex|voice]`, `reject ID`, `ignore ID` decide one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from .common import UsageError, load_workspace
from .output import out, print_json

if TYPE_CHECKING:
    from ..store.report_rows import RevisionHistory, RuleProposalRow, VariantHistory
    from ..store.rows import BriefRow

MARK_SIGNS = {"addressed": "✓ addressed", "not_addressed": "✗ not addressed", "unclear": "? unclear",
              None: "· not marked"}


def cmd_history(args) -> int:
    from ..store import Store

    ws = load_workspace(args)
    name = Path(args.brief).name

    async def run() -> tuple[BriefRow, list[VariantHistory]]:
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            brief = await store.brief_by_name(name)
            if brief is None:
                raise UsageError(f"no brief named {name!r} in the log (`hitl briefs` lists the inbox)")
            return brief, await store.brief_history(brief.id)

    brief, variants = asyncio.run(run())
    if args.json:
        print_json({"brief": brief.name, "title": brief.title, "variants": [v.to_dict() for v in variants]})
        return 0
    out(f"{brief.name} — {brief.title}")
    if not variants:
        out("  no drafts yet")
    for v in variants:
        out(f"\nv{v.brief_version} {v.label} ({v.model}), variant {v.variant + 1}")
        for r in v.revisions:
            _print_revision(r)
    return 0


def _print_revision(r: RevisionHistory) -> None:
    from ..learning.feedback import FeedbackItem, render_line

    status = "" if r.kind == "human" else f"  {r.status}"
    out(f"  r{r.number} {r.request:<10}{status}  (revision {r.revision_id})")
    if r.examples is not None:
        shown = ", ".join(f"{e.get('brief', '?')} (revision {e['revision_id']})" for e in r.examples) or "none"
        lines = len(r.learned_lines or [])
        out(f"      examples: {shown}; {lines} learned line{'s' if lines != 1 else ''}")
    for data in r.items:
        item = FeedbackItem.from_dict(data)
        sign = "– dropped" if item.dropped else MARK_SIGNS.get(item.mark, item.mark)
        why = f"  ({item.why})" if item.why and not item.dropped else ""
        out(f"      {sign:<16} {render_line(item)}{why}")


def cmd_rules(args) -> int:
    from ..feedback_loop import rules
    from ..store import Store, StoreError

    ws = load_workspace(args)
    action = getattr(args, "rules_action", None)

    async def run():
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            if action is None:
                return await rules.refresh_proposals(ws, store)
            await rules.refresh_proposals(ws, store)  # an id seen in `hitl rules` is known even to a fresh log
            if action == "accept":
                return await rules.accept(ws, store, args.id, args.as_, text=args.text)
            return await (rules.reject if action == "reject" else rules.ignore)(ws, store, args.id)

    try:
        result = asyncio.run(run())
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if action is None:
        if args.json:
            print_json([_proposal_json(r) for r in result])
        else:
            _print_proposals(result, ws.config.learning.min_pieces)
    elif action == "accept":
        out(f"Accepted {args.id} as {result['kind']}: {result['say']}")
        out(f"  written to {ws.rules_file.name}; it applies as a gate from the next draft and check on")
    else:
        out(f"{'Rejected' if action == 'reject' else 'Ignored'} {args.id}: {result.summary}")
    return 0


def _proposal_json(row: RuleProposalRow) -> dict:
    p = row.proposal
    return {"id": row.id, "kind": row.kind, "pattern": row.pattern, "replacement": row.replacement,
            "summary": row.summary, "status": row.status, "pieces": row.pieces, "options": p["options"],
            "accepted_as": row.accepted_as, "decided_by": row.decided_by, "decided_at": row.decided_at,
            "reviewers": p["reviewers"], "channels": p["channels"], "examples": p["examples"]}


def _print_proposals(rows: list[RuleProposalRow], min_pieces: int) -> None:
    if not rows:
        out(f"No rule proposals yet: a fix reviewers make before approving is proposed once it recurs in "
            f"{min_pieces} pieces.")
        return
    for row in rows:
        p = row.proposal
        status = row.status + (f" as {row.accepted_as}" if row.accepted_as else "")
        out(f"{row.id}  {status:<18} {row.kind:<9} {row.summary}")
        out(f"    {row.pieces} pieces by {', '.join(p['reviewers']) or 'unknown'}"
            + (f"; accept as {' | '.join(p['options'])}" if row.status != "accepted" else ""))
        for ex in p["examples"][:3]:
            before, after = (" ".join(ex[k].split()) for k in ("before", "after"))  # a sign-off spans lines
            out(f"    {ex['brief']} ({ex['reviewer']}): “{before}” → “{after}”")
    out("\n`hitl rules accept ID [--as KIND]`, `hitl rules reject ID` or `hitl rules ignore ID` decides one.")


def print_feedback_share(stats: list[dict]) -> None:
    """The share of feedback addressed per model and prompt version, under `hitl stats`."""
    from ..learning.marking import format_feedback_share

    out()
    for line in format_feedback_share(stats):
        out(line)

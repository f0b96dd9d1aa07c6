"""Rules learned from edits, as a reviewer works with them: mining the log's approved edits into proposals, and
accepting (as a banned word, a regex rule or a voice line), rejecting or ignoring one.

An accepted proposal becomes a rule in the workspace's learned-rules.toml (written first: a decision is logged only
for a rule that is really in force) and applies as a gate from then on wherever the config loads; rejecting or
ignoring a proposal that was accepted takes its rule out again. Every decision is an event in the log.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..learning.mining import Proposal, mine_proposals
from ..learning.rules_file import LearnedRule, add_learned, remove_learned, rule_from_proposal
from ..store import StoreError

if TYPE_CHECKING:
    from ..store import Store
    from ..store.report_rows import RuleProposalRow
    from ..workspace import Workspace


async def refresh_proposals(ws: Workspace, store: Store) -> list[RuleProposalRow]:
    """Mine every approved edit (threshold: `[learning] min_pieces`), record what is new, and return all proposals
    (`Store.rule_proposals`: open first)."""
    skip, held = await store.proposal_filters()
    found = mine_proposals(await store.approved_edits(), ws.config.learning.min_pieces, skip=skip, held=held)
    await store.sync_proposals(found)
    return await store.rule_proposals()


async def _proposal(store: Store, proposal_id: str) -> tuple[RuleProposalRow, Proposal]:
    row = await store.rule_proposal(proposal_id)
    if row is None:
        raise StoreError(f"no rule proposal {proposal_id!r} (`hitl rules` lists them)")
    return row, Proposal.from_dict(row.proposal)


async def accept(ws: Workspace, store: Store, proposal_id: str, as_: str | None = None,
                 text: str | None = None) -> dict:
    """Accept a proposal as `as_` (default: the first of its options — banned for a word, regex for a sign-off),
    with `text` in place of the rule's own words when the reviewer edited them (the banned phrase, the pattern, or
    the voice line). Returns the rule written, as a dict."""
    from dataclasses import asdict

    row, proposal = await _proposal(store, proposal_id)
    as_ = as_ or proposal.options[0]
    if as_ not in proposal.options:
        raise StoreError(f"{proposal.summary} can be accepted as {' or '.join(proposal.options)}, not {as_}")
    rule = rule_from_proposal(proposal, as_, ws.config.reviewer)
    if text is not None and text.strip() != rule.text:
        rule = edited_rule(rule, proposal, text)
    if row.status == "accepted":
        remove_learned(ws.rules_file, proposal_id)  # accepted again (another kind, other words): the new rule wins
    add_learned(ws.rules_file, rule)
    await store.decide_proposal(proposal_id, "accepted", as_, text=rule.text if text is not None else None)
    ws.learned_rules()
    return asdict(rule)


def edited_rule(rule: LearnedRule, proposal: Proposal, text: str) -> LearnedRule:
    """The rule with the reviewer's words: a banned phrase (the prompt line names it), a pattern (checked here: a
    broken one is refused, not written), or a voice line (the prompt line itself)."""
    text = " ".join(text.split()) if rule.kind != "regex" else text.strip()
    if not text:
        raise StoreError("an empty rule cannot be accepted; reject or ignore the proposal instead")
    if rule.kind == "regex":
        try:
            re.compile(text)
        except re.error as exc:
            raise StoreError(f"not a valid regular expression ({exc}): {text}") from None
        return replace(rule, text=text)
    if rule.kind == "voice":
        return replace(rule, text=text, say=text)
    say = f"Never write “{text}”; write “{proposal.after}”." if proposal.kind == "replace" else \
        f"Never write “{text}”."
    return replace(rule, text=text, say=say, summary=f"no “{text}”")


async def reject(ws: Workspace, store: Store, proposal_id: str) -> RuleProposalRow:
    return await _decline(ws, store, proposal_id, "rejected")


async def ignore(ws: Workspace, store: Store, proposal_id: str) -> RuleProposalRow:
    """Not now: the proposal comes back once it has spread to more pieces."""
    return await _decline(ws, store, proposal_id, "ignored")


async def _decline(ws: Workspace, store: Store, proposal_id: str, status: str) -> RuleProposalRow:
    row, _ = await _proposal(store, proposal_id)
    if row.status == "accepted":
        remove_learned(ws.rules_file, proposal_id)
        ws.learned_rules()
    return await store.decide_proposal(proposal_id, status)

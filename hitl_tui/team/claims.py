"""The claims register of a variant, as the station's claim keys and `hitl claims` use it.

- `variant_claims(store, config, draft_id)` → `ClaimStatus` per claim (sourced, brief, unsourced, marked_removed,
  and removed ones no longer in the text).
- `attach(store, config, draft_id, claim_id, ref, quote)` → the source made from what was typed (a URL, a document
  path or "brief", plus the supporting quote); a ValueError with one line when something is missing.
- `mark_removed(store, config, draft_id, claim_id)` → the claim is to be cut (it still needs a source while it is
  in the text).
- `send_to_legal(store, config, draft_id, claim_id, question)` → `experts.ask` of the `legal` role about it.
- `brief_claims(store, config, brief_name)` → every variant of the brief's current version with its claims.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..approval.claims import Claim, ClaimStatus, find_claims, make_source
from ..config import Config
from ..store import Store, StoreError
from .experts import Asked, ask
from .variant import load_variant

LEGAL_ROLE = "legal"


@dataclass(frozen=True, slots=True)
class VariantClaims:
    """A finished variant of a brief's current version and its claims (`brief_claims`)."""

    variant: int  # 1-based, as the station shows it
    draft_id: int
    model: str
    label: str
    decision: str | None  # the standing decision's kind
    claims: tuple[ClaimStatus, ...]

    def to_dict(self) -> dict:
        """What `hitl claims --json` prints: each claim's id, kind, text, status, source {kind, ref, quote, by}."""
        return {"variant": self.variant, "draft_id": self.draft_id, "model": self.model, "label": self.label,
                "decision": self.decision,
                "claims": [{"id": s.id, "kind": s.kind, "text": s.text, "status": s.status,
                            "source": None if s.source is None else
                            {"kind": s.source.kind, "ref": s.source.ref, "quote": s.source.quote,
                             "by": s.source.by}} for s in self.claims]}


async def variant_claims(store: Store, config: Config, draft_id: int) -> list[ClaimStatus]:
    return (await load_variant(store, config, draft_id)).claims()


async def _claim(store: Store, config: Config, draft_id: int, claim_id: str) -> Claim:
    v = await load_variant(store, config, draft_id)
    found = next((c for c in find_claims(v.text) if c.id == claim_id), None)
    if found is None:
        raise StoreError(f"no claim {claim_id!r} in the current text of this variant")
    return found


async def attach(store: Store, config: Config, draft_id: int, claim_id: str, ref: str, quote: str) -> None:
    claim = await _claim(store, config, draft_id, claim_id)
    await store.attach_source(draft_id, claim, make_source(ref, quote, by=store.reviewer, at=time.time()))


async def mark_removed(store: Store, config: Config, draft_id: int, claim_id: str) -> None:
    await store.mark_claim_removed(draft_id, await _claim(store, config, draft_id, claim_id))


async def send_to_legal(store: Store, config: Config, draft_id: int, claim_id: str, question: str = "") -> Asked:
    claim = await _claim(store, config, draft_id, claim_id)
    return await ask(store, config, draft_id, LEGAL_ROLE, question or f"Can we say “{claim.text}”? "
                     f"({claim.sentence})", claim_id=claim.id)


async def brief_claims(store: Store, config: Config, brief_name: str) -> list[VariantClaims]:
    """Each finished variant of the brief's current version with its standing decision and its claims."""
    row = await store.brief_by_name(brief_name)
    if row is None or row.current_version_id is None:
        raise StoreError(f"no brief {brief_name!r} with drafts in this workspace")
    out = []
    for d in await store.drafts_for_version(row.current_version_id):
        if not d.revisions or d.latest.status in ("pending", "streaming"):
            continue
        decisions = await store.decisions(d.id)
        statuses = await variant_claims(store, config, d.id)
        out.append(VariantClaims(d.variant + 1, d.id, d.model, d.label, decisions[-1].kind if decisions else None,
                                 tuple(statuses)))
    return out

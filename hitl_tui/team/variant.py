"""One variant with what the team's rules need: brief version, gate spec, current text, sign-offs, claims register."""

from __future__ import annotations

from dataclasses import dataclass

from ..approval.claims import ClaimRecord, ClaimStatus, gates_with_register, review_claims
from ..approval.signoff import SignOff, StageStatus, Waiting, stage_status, waiting_on
from ..briefs import Brief
from ..config import Config
from ..gates import GateResult, GateSpec, gate_spec
from ..store import Draft, Revision, Store, StoreError


@dataclass
class Variant:
    draft: Draft  # with brief_id and its revisions
    brief: Brief  # the brief version it was drafted from
    spec: GateSpec
    signoffs: list[SignOff]
    records: dict[str, ClaimRecord]
    roles: dict[str, list[str]]

    @property
    def draft_id(self) -> int:
        return self.draft.id

    @property
    def revisions(self) -> list[Revision]:
        return self.draft.revisions

    @property
    def latest(self) -> Revision:
        """The revision whose text is current (a person's edit or the AI's)."""
        return self.draft.latest

    @property
    def ai(self) -> Revision:
        return self.draft.latest_ai

    @property
    def text(self) -> str:
        return self.latest.text or ""

    @property
    def stages(self) -> list[str]:
        return list(self.spec.checklist.stages or [])

    def stage_status(self) -> list[StageStatus]:
        return stage_status(self.stages, self.signoffs, self.text, self.roles)

    def waiting(self) -> Waiting | None:
        return waiting_on(self.stages, self.signoffs, self.text, self.roles)

    def gates(self) -> list[GateResult]:
        return gates_with_register(self.text, self.spec, self.records)

    def claims(self) -> list[ClaimStatus]:
        return review_claims(self.text, self.records, self.spec.brief_text)


async def load_variant(store: Store, config: Config, draft_id: int) -> Variant:
    draft = await store.draft(draft_id, with_revisions=True)
    brief = await store.brief_for_draft(draft_id) if draft else None
    if draft is None or brief is None or not draft.revisions:
        raise StoreError(f"there is no variant {draft_id}")
    return Variant(draft, brief, gate_spec(config, brief), await store.sign_offs(draft_id),
                   await store.claim_records(draft_id), config.roles)


def roles_of(reviewer: str, roles: dict[str, list[str]]) -> list[str]:
    """The roles a person holds."""
    return [role for role, names in roles.items() if reviewer in names]

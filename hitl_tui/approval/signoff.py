"""Sign-off stages: who may sign which stage, sign-offs bound to the exact text, and what a piece waits on.

Core module (pure). What it takes and gives:

- `parse_roles(table, file)` — `[roles]` (e.g. `legal = ["dana"]`) → {role: [names]}, one-line ConfigError on a
  wrong shape; `parse_stages(value, file, key)` — a checklist's `stages = ["editor", "legal"]` → list;
  `check_stages(stages, roles, key)` → one-line problems (a stage nobody can sign, a stage listed twice).
- `text_hash(text)` — sha256 of the text as it would go out (line endings unified, trailing whitespace of the
  whole text ignored: the outbox writes `text.rstrip()`); every other change, one space or one comma, changes it.
- `SignOff(stage, reviewer, text_hash, at)` — one sign-off as the store keeps it (append-only is fine: the
  latest valid one per stage counts).
- `stage_status(stages, signoffs, text, roles)` → a `StageStatus` per stage, in order: signed (by whom, when) or
  not, and if a sign-off exists for other text, that it was voided.
- `waiting_on(...)` → the first stage not validly signed, with its role holders (`Waiting`), or None when every
  stage is signed (then the piece may go to the outbox). No stages: never waits.
- `can_sign(reviewer, stage, stages, signoffs, text, roles)` → (ok, reason): the reviewer must hold the stage's
  role, the stage must be one of the checklist's, the stages before it must be signed for this same text, and
  they must not have signed it already. `sign(...)` returns the `SignOff` or raises `SignOffError` with the reason.
- `voided_by_edit(signoffs, old_text, new_text)` → the sign-offs an edit voids: every sign-off valid for the old
  text — all stages signed so far, earlier and later alike, because each vouched for exact words. Undoing the
  edit (back to the same text) makes them valid again: validity is computed from the hash, never stored.
- `front_matter(stages, signoffs, text)` → the outbox's `stages` list: stage, reviewer, signed_at (ISO, UTC).
- `waits_on_me(reviewer, waiting)` — for `hitl queue --mine`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from .settings import check_stages, parse_roles, parse_stages  # noqa: F401 (re-exported; parsed with hitl.toml)


class SignOffError(ValueError):
    """Why this reviewer cannot sign this stage now, in one line."""


@dataclass(frozen=True)
class SignOff:
    """One stage signed by one person for the exact text they read (its hash)."""
    stage: str
    reviewer: str
    text_hash: str
    at: float


@dataclass(frozen=True)
class StageStatus:
    """One stage of a piece: who holds its role, who signed it for this text, and sign-offs the text has since
    voided."""
    stage: str
    holders: tuple[str, ...]  # who holds the stage's role
    signed_by: str = ""  # "" when not validly signed
    at: float | None = None
    voided: tuple[SignOff, ...] = ()  # sign-offs of this stage given for other text

    @property
    def signed(self) -> bool:
        return bool(self.signed_by)


@dataclass(frozen=True)
class Waiting:
    """The stage a piece waits on next, and who may sign it."""
    stage: str  # the stage (= the role) the piece waits on
    holders: tuple[str, ...]  # who may sign it

    def describe(self) -> str:
        who = ", ".join(self.holders) if self.holders else "nobody holds this role"
        return f"{self.stage} ({who})"


def text_hash(text: str) -> str:
    import hashlib  # here: loading OpenSSL is ~3 ms that the station's start-up (config -> this module) need not pay

    canonical = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- settings

# ---------------------------------------------------------------- state

def _valid(stage: str, signoffs: Iterable[SignOff], digest: str) -> SignOff | None:
    """The latest sign-off of the stage for this exact text."""
    matching = [s for s in signoffs if s.stage == stage and s.text_hash == digest]
    return max(matching, key=lambda s: s.at) if matching else None


def stage_status(stages: list[str], signoffs: Iterable[SignOff], text: str,
                 roles: dict[str, list[str]]) -> list[StageStatus]:
    signoffs, digest = list(signoffs), text_hash(text)
    out = []
    for stage in stages:
        holders = tuple(roles.get(stage, ()))
        valid = _valid(stage, signoffs, digest)
        voided = tuple(s for s in signoffs if s.stage == stage and s.text_hash != digest)
        out.append(StageStatus(stage, holders, valid.reviewer if valid else "", valid.at if valid else None,
                               voided if not valid else ()))
    return out


def waiting_on(stages: list[str], signoffs: Iterable[SignOff], text: str,
               roles: dict[str, list[str]]) -> Waiting | None:
    for status in stage_status(stages, signoffs, text, roles):
        if not status.signed:
            return Waiting(status.stage, status.holders)
    return None


def waits_on_me(reviewer: str, waiting: Waiting | None) -> bool:
    return waiting is not None and reviewer in waiting.holders


def can_sign(reviewer: str, stage: str, stages: list[str], signoffs: Iterable[SignOff], text: str,
             roles: dict[str, list[str]]) -> tuple[bool, str]:
    if stage not in stages:
        return False, f"'{stage}' is not a sign-off stage here (stages: {', '.join(stages) or 'none'})"
    if reviewer not in roles.get(stage, ()):
        holders = ", ".join(roles.get(stage, ())) or "nobody"
        return False, f"{reviewer} does not hold the {stage} role (it is held by {holders})"
    statuses = stage_status(stages, signoffs, text, roles)
    for status in statuses[:stages.index(stage)]:
        if not status.signed:
            who = ", ".join(status.holders) or "nobody"
            return False, f"{stage} comes after {status.stage}: {who} must sign this text first"
    if statuses[stages.index(stage)].signed:
        return False, f"{stage} is already signed for this text by {statuses[stages.index(stage)].signed_by}"
    return True, ""


def sign(reviewer: str, stage: str, stages: list[str], signoffs: Iterable[SignOff], text: str,
         roles: dict[str, list[str]], at: float) -> SignOff:
    signoffs = list(signoffs)
    ok, why = can_sign(reviewer, stage, stages, signoffs, text, roles)
    if not ok:
        raise SignOffError(why)
    return SignOff(stage, reviewer, text_hash(text), at)


def voided_by_edit(signoffs: Iterable[SignOff], old_text: str, new_text: str) -> list[SignOff]:
    """Sign-offs valid for the old text that the new text no longer carries (latest per stage)."""
    old, new = text_hash(old_text), text_hash(new_text)
    if old == new:
        return []
    signoffs = list(signoffs)
    stages = dict.fromkeys(s.stage for s in signoffs if s.text_hash == old)
    return [v for stage in stages if (v := _valid(stage, signoffs, old)) is not None]


def describe_voided(voided: list[SignOff]) -> str:
    """'This edit voids the sign-offs of editor (ana) and legal (dana).' or ''."""
    if not voided:
        return ""
    parts = [f"{s.stage} ({s.reviewer})" for s in voided]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"This edit voids the sign-off{'s' if len(parts) > 1 else ''} of {listed}."


def front_matter(stages: list[str], signoffs: Iterable[SignOff], text: str,
                 roles: dict[str, list[str]] | None = None) -> list[dict]:
    out = []
    for s in stage_status(stages, signoffs, text, roles or {}):
        if s.signed:
            when = datetime.fromtimestamp(s.at or 0, timezone.utc).isoformat(timespec="seconds")
            out.append({"stage": s.stage, "reviewer": s.signed_by, "signed_at": when})
    return out

"""Writing approved copy to outbox/<slug>.md with TOML front matter, atomically and inside the outbox."""

from __future__ import annotations

import hashlib
import os
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import tomli_w

from .slugs import slugify


def _iso(ts: float | None) -> str:
    return datetime.fromtimestamp(ts or 0, timezone.utc).isoformat(timespec="seconds")


def front_matter(path: Path) -> dict | None:
    """An outbox file's TOML front matter, or None when it has none that parses."""
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text.split("+++", 2)[1])
    except (OSError, IndexError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None


def _owner(path: Path) -> str | None:
    """The brief file an existing outbox file was written for."""
    return (front_matter(path) or {}).get("brief")


def piece_id(brief_name: str, drafted_at: float | None) -> str:
    """The stable id of an approved piece, for keying published results (`hitl results import`): the brief file's
    slug and a short hash of the brief and the creation time of the AI revision the text came from. Approving the
    same variant again gives the same id; the store recomputes it from the log to find the draft behind a piece."""
    digest = hashlib.sha256(f"{brief_name}\0{drafted_at!r}".encode()).hexdigest()[:8]
    return f"{slugify(Path(brief_name).stem, fallback='piece')}-{digest}"


def outbox_path(outbox: Path, title: str, brief_name: str) -> Path:
    """outbox/<slug>.md; a file of another brief with the same slug is never overwritten (-2, -3, … instead)."""
    base = slugify(title, fallback=slugify(Path(brief_name).stem))
    for n in range(1, 1000):
        path = outbox / (f"{base}.md" if n == 1 else f"{base}-{n}.md")
        if not path.exists() or _owner(path) == brief_name:
            resolved = path.resolve()
            if not resolved.is_relative_to(outbox.resolve()):
                raise ValueError(f"refusing to write outside the outbox: {path}")
            return path
    raise ValueError("too many outbox files with the same title")


def write_approved(outbox: Path, *, brief_name: str, title: str, text: str, model: str, label: str,
                   prompt_version: str | None, reviewer: str, decision: str, reason: str, scores: dict[str, int],
                   gates: list[dict], edit_rate: float, revision: int, drafted_at: float | None,
                   approved_at: float, checklist: dict[str, bool] | None = None, stages: list[dict] | None = None,
                   claims: list[dict] | None = None, auto_approved: dict | None = None) -> Path:
    """Write the approved text with its front matter. Issue 13's keys: `stages` (stage, reviewer, signed_at per
    sign-off, from approval.signoff.front_matter), `claims` (approval.claims.front_matter) and `auto_approved`
    (`reasons` and whether it was drawn for `audit`; absent when a person approved it)."""
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox_path(outbox, title, brief_name)
    front = {
        "id": piece_id(brief_name, drafted_at), "title": title, "brief": brief_name, "model": model, "label": label,
        "prompt_version": prompt_version or "", "reviewer": reviewer, "decision": decision,
        "revision": revision, "human_edit_rate": round(edit_rate, 4), "drafted_at": _iso(drafted_at),
        "approved_at": _iso(approved_at), "scores": scores,
        "gates": [{k: g[k] for k in ("id", "status", "required", "message", "source")} for g in gates],
    }
    if checklist:
        front["checklist"] = checklist  # the manual items, ticked or not, as the reviewer left them
    if reason:
        front["override_reason"] = reason
    if stages:
        front["stages"] = stages
    if claims:
        front["claims"] = claims
    if auto_approved is not None:
        front["auto_approved"] = auto_approved
    body = f"+++\n{tomli_w.dumps(front)}+++\n\n{text.rstrip()}\n"
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path

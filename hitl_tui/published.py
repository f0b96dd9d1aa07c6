"""`hitl results import`: published results (impressions, clicks, …) keyed by outbox piece, all or nothing.

A results file names each piece by its outbox file name (`spring-sale.md`, with or without `outbox/` or `.md`) or by
the `id` in its front matter (`spring-sale-email-3f2a91bc`, written since results import exists; an id stays valid
after the outbox file is overwritten by a later approval). The rows are checked by `analytics/results.py` (per-line
messages, nothing imported on any error) and written by `store/results.py` (one transaction; a (piece, day) imported
again replaces its figures, so the same file imported twice counts once).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .outbox import front_matter, piece_id
from .store import Store
from .workspace import Workspace

if TYPE_CHECKING:
    from .store.report_rows import PieceOrigin

SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass
class ImportOutcome:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows: int = 0


def known_pieces(outbox: Path, approved: list[PieceOrigin]) -> tuple[dict[str, str], dict[str, int | None]]:
    """(every key a results file may use → the piece's canonical key; canonical key → the draft it came from).

    The canonical key is the front-matter id, or the file name for a piece written before ids. approved: rows of
    `Store.pieces_ever_approved` (draft, brief, model, AI revision time, whether the approval stands)."""
    drafts: dict[str, int | None] = {}
    standing: dict[tuple[str, str], int] = {}
    for row in approved:
        drafts[piece_id(row.brief, row.drafted_at)] = row.draft_id
        if row.active:
            standing[(row.brief, row.model)] = row.draft_id  # rows come in draft order: the latest wins
    known = {key: key for key in drafts}
    for path in sorted(outbox.glob("*.md")):
        front = front_matter(path) or {}
        canonical = str(front.get("id") or path.name)
        if canonical not in drafts:  # written before ids, or elsewhere: the brief's standing approval of that model
            drafts[canonical] = standing.get((front.get("brief"), front.get("model")))
        known[path.name] = known[path.stem] = known[canonical] = canonical
    return known, drafts


def read_results(path: Path) -> tuple[str, str]:
    """(text, format) of a results file; ValueError with a one-line reason when it cannot be used."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path.name}: a results file is .csv or .jsonl")
    try:
        return path.read_text(encoding="utf-8"), fmt
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text (save the export as UTF-8 CSV)") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None


async def import_results(store: Store, outbox: Path, path: Path) -> ImportOutcome:
    from .analytics.results import parse_results

    text, fmt = read_results(path)
    known, drafts = known_pieces(outbox, await store.pieces_ever_approved())
    parsed = parse_results(text, fmt, known)
    if not parsed.ok:
        return ImportOutcome(errors=parsed.errors)
    counts = await store.import_results(parsed.rows, drafts, source=path.name,
                                        digest=hashlib.sha256(text.encode()).hexdigest())
    return ImportOutcome(counts=counts, rows=len(parsed.rows))


def import_file(ws: Workspace, path: Path) -> ImportOutcome:
    async def run() -> ImportOutcome:
        async with Store.opened(ws.db_path, ws.config.reviewer) as store:
            return await import_results(store, ws.outbox, path)

    return asyncio.run(run())

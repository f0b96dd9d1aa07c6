"""Edits hitl.db refused (a full disk: SQLITE_FULL), kept until a retry gets them in, and the recovery file.

A refused save keeps the text in memory — in the editor, or in the pane once the editor closes — the pane says it
is not saved, and the screen retries every RETRY_SECONDS until the write goes through. Nothing here ever ends the
station. Quitting tries once more and writes what still cannot be saved to a recovery file (`rescue`), named in a
line printed after the screen closes. A refused score is kept the same way (UnsavedScore: shown, retried, and
listed in a line on quitting).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ...records import record

RETRY_SECONDS = 2.0


@record
class UnsavedScore:
    """A score hitl.db refused, kept (and shown) until a retry gets it in, like an edit."""

    draft_id: int
    dimension: str
    value: int
    where: str
    problem: str


def unsaved_scores_line(scores: list[UnsavedScore], db_path: Path) -> str:
    """The line printed on quitting for scores still refused: a few numbers, so the line itself carries them."""
    problems = ", ".join(sorted({s.problem for s in scores}))
    listed = "; ".join(f"{s.where}: {s.dimension} = {s.value}" for s in scores)
    count = f"{len(scores)} score{'s' if len(scores) > 1 else ''}"
    return f"hitl: {count} could not be saved to {db_path} ({problems}): {listed}"


@record
class UnsavedEdit:
    """An edit hitl.db refused, kept until a retry gets it in."""

    draft_id: int
    text: str
    session: str
    where: str  # the brief and variant, for messages and the recovery file
    problem: str


def rescue(edits: list[UnsavedEdit], workspace: Path, db_path: Path) -> str:
    """Write edits the log refused to a file beside the log (else the home or temp folder) and return the line
    that says so. If no file can be written either, the line carries the text itself: nothing typed is lost."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    problems = ", ".join(sorted({e.problem for e in edits}))
    body = (f"# Edits hitl could not save to {db_path} ({problems}), {time.strftime('%Y-%m-%d %H:%M:%S')}\n\n"
            "Paste each back into its variant (e) once hitl.db can be written.\n")
    for e in edits:
        body += f"\n## {e.where} (draft {e.draft_id})\n\n{e.text}\n"
    count = f"{len(edits)} edit{'s' if len(edits) > 1 else ''}"
    for folder in (workspace, Path.home(), Path(os.environ.get("TMPDIR", "/tmp"))):
        for n in range(1, 100):
            path = folder / (f"unsaved-edits-{stamp}.md" if n == 1 else f"unsaved-edits-{stamp}-{n}.md")
            try:
                with open(path, "x", encoding="utf-8") as f:
                    f.write(body)
                    f.flush()
                    os.fsync(f.fileno())
            except FileExistsError:
                continue
            except OSError:
                try:
                    path.unlink(missing_ok=True)  # a half-written file must not look like a copy
                except OSError:
                    pass
                break
            return f"hitl: {count} could not be saved to {db_path} ({problems}); the text is in {path}"
    return f"hitl: {count} could not be saved to {db_path} ({problems}) nor to a file; here is the text:\n{body}"

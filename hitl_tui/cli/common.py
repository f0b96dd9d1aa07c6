"""What the commands share: the one-line usage error, finding the workspace, finding a brief."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError  # noqa: F401 (re-exported: bad input on the command line, one line, exit 2)
from ..workspace import Workspace, find_workspace


def load_workspace(args) -> Workspace:
    ws = Workspace.load(find_workspace(getattr(args, "workspace", None)))
    if getattr(args, "reviewer", None):
        ws.config.reviewer = args.reviewer
    return ws


def resolve_brief_path(ws: Workspace | None, ref: str) -> Path:
    path = Path(ref)
    if path.is_file():
        return path
    if ws and (ws.inbox / ref).is_file():
        return ws.inbox / ref
    raise UsageError(f"brief {ref!r} not found (give a path, or a file name inside the inbox)")

"""What the commands share: the one-line usage error, finding the workspace, finding a brief."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError  # noqa: F401 (re-exported: bad input on the command line, one line, exit 2)
from ..workspace import Workspace, find_workspace


def load_workspace(args, warn: bool = True) -> Workspace:
    """The workspace as the person running this sees it (--reviewer, HITL_REVIEWER, their own config file);
    its warnings go to stderr, unless the station is about to show them on its own screen (warn=False)."""
    from .output import err

    ws = Workspace.load(find_workspace(getattr(args, "workspace", None)), reviewer=getattr(args, "reviewer", None))
    for warning in ws.warnings if warn else ():
        err(f"hitl: warning: {warning}")
    return ws


def resolve_brief_path(ws: Workspace | None, ref: str) -> Path:
    path = Path(ref)
    if path.is_file():
        return path
    if ws and (ws.inbox / ref).is_file():
        return ws.inbox / ref
    raise UsageError(f"brief {ref!r} not found (give a path, or a file name inside the inbox)")

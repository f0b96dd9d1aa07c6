"""The workspace's SQLite log (aiosqlite). `Store` is the one object services and the UI write through."""

from .base import StoreError, check_log
from .drafts import BriefDraftOps, SyncResult, brief_status
from .reports import ReportOps
from .review import ReviewOps
from .schema import LATEST
from .undo import Undone, UndoOps
from .writers import WriterOps


class Store(ReportOps, UndoOps, ReviewOps, BriefDraftOps, WriterOps):
    """Briefs, drafts, review actions, reports and draft writers over one connection; see the mixins for each part."""


__all__ = ["Store", "StoreError", "check_log", "SyncResult", "Undone", "brief_status", "LATEST"]

"""The workspace's SQLite log (aiosqlite). `Store` is the one object services and the UI write through."""

from .base import StoreError, check_log
from .drafts import BriefDraftOps, SyncResult, brief_status
from .reports import ReportOps
from .review import ReviewOps
from .schema import LATEST
from .undo import Undone, UndoOps


class Store(ReportOps, UndoOps, ReviewOps, BriefDraftOps):
    """Briefs, drafts, review actions and reports over one connection; see the mixins for each part."""


__all__ = ["Store", "StoreError", "check_log", "SyncResult", "Undone", "brief_status", "LATEST"]

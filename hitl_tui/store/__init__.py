"""The workspace's SQLite log (aiosqlite). `Store` is the one object services and the UI write through."""

from .approved import ApprovedOps
from .base import StoreError, check_log
from .calibration import AUTO_REVIEWER, CalibrationOps
from .drafts import BriefDraftOps, SyncResult, brief_status
from .experts import ExpertOps
from .feedback import FeedbackOps
from .learning import LearningOps
from .picks import PickOps
from .reports import ReportOps
from .results import ResultOps
from .rows import BriefRow, Decision, Draft, Revision
from .review import ReviewOps
from .rules import RuleProposalOps
from .schema import LATEST
from .undo import UndoOps
from .waiting import WaitingOps
from .writers import WriterOps


class Store(ReportOps, UndoOps, ExpertOps, CalibrationOps, WaitingOps, ReviewOps, BriefDraftOps, WriterOps,
            FeedbackOps, ApprovedOps, RuleProposalOps, PickOps, LearningOps, ResultOps):
    """Briefs, drafts, review actions (and their undo), the team's questions, sign-offs, claims register, routings,
    audits and re-shows, reports, draft writers, tracked feedback, rule proposals, compare picks and published
    results over one connection; see the mixins for each part."""


FEATURE_ROWS = {"AuditItem", "ComparePair", "CompareSide", "EditSaved", "ExpertAnswer", "Question", "RoutingRecorded",
                "Undone"}


def __getattr__(name: str):
    """The feature views' row types (feature_rows.py) are defined when first asked for, not while the station
    starts."""
    if name in FEATURE_ROWS:
        from . import feature_rows

        return getattr(feature_rows, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Store", "StoreError", "check_log", "SyncResult", "Undone", "brief_status", "LATEST", "AUTO_REVIEWER",
           "BriefRow", "Decision", "Draft", "Revision",
           "AuditItem", "EditSaved", "ExpertAnswer", "Question", "RoutingRecorded", "ComparePair", "CompareSide"]

"""The workspace's SQLite log (aiosqlite). `Store` is the one object services and the UI write through."""

from .approved import ApprovedOps
from .base import StoreError, check_log
from .calibration import AUTO_REVIEWER, AuditItem, CalibrationOps, RoutingRecorded
from .drafts import BriefDraftOps, SyncResult, brief_status
from .experts import ExpertAnswer, ExpertOps, Question
from .feedback import FeedbackOps
from .learning import LearningOps
from .picks import ComparePair, CompareSide, PickOps
from .reports import ReportOps
from .results import ResultOps
from .rows import BriefRow, Decision, Draft, Revision
from .review import ReviewOps
from .rules import RuleProposalOps
from .schema import LATEST
from .signing import EditSaved
from .undo import Undone, UndoOps
from .waiting import WaitingOps
from .writers import WriterOps


class Store(ReportOps, UndoOps, ExpertOps, CalibrationOps, WaitingOps, ReviewOps, BriefDraftOps, WriterOps,
            FeedbackOps, ApprovedOps, RuleProposalOps, PickOps, LearningOps, ResultOps):
    """Briefs, drafts, review actions (and their undo), the team's questions, sign-offs, claims register, routings,
    audits and re-shows, reports, draft writers, tracked feedback, rule proposals, compare picks and published
    results over one connection; see the mixins for each part."""


__all__ = ["Store", "StoreError", "check_log", "SyncResult", "Undone", "brief_status", "LATEST", "AUTO_REVIEWER",
           "BriefRow", "Decision", "Draft", "Revision",
           "AuditItem", "EditSaved", "ExpertAnswer", "Question", "RoutingRecorded", "ComparePair", "CompareSide"]

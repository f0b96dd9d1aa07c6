"""What the drafting engine reports: one event per change of a stream, one outcome per variant.

Kept apart from the engine so the review station can use them without importing the engine (or litellm).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StreamEvent:
    """One event of a draft's stream, as the drafting worker reports it."""
    kind: str  # created, start, delta, retry, done, failed, interrupted
    revision_id: int
    draft_id: int
    text: str = ""
    delta: str = ""
    tokens: int = 0
    error: str | None = None
    cost: float | None = None
    latency_ms: int | None = None
    attempt: int = 0


@dataclass
class Outcome:
    """How one variant's drafting ended: its text, status, tokens and cost."""
    draft_id: int
    revision_id: int
    variant: int
    model: str
    label: str
    status: str
    text: str
    error: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost: float | None = None
    latency_ms: int | None = None
    finish_reason: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# Why a stream was cut short, as recorded with the revision and shown in its pane. Quitting carries its cause
# from the station to the worker ({"op": "shutdown", "reason": "quit"}); nobody is said to have cancelled
# something unless a reviewer did.
CANCELLED_BY_REVIEWER = "cancelled by the reviewer"
STOPPED = {
    "quit": "the station quit while this was streaming",
    "SIGTERM": "the station was stopped (SIGTERM) while this was streaming",
    "SIGHUP": "the terminal closed (SIGHUP) while this was streaming",
    "closed": "the station closed while this was streaming",
    "gone": "the station went away while this was streaming",  # the worker's pipe closed without a word
    "cli": "`hitl draft` was interrupted while this was streaming",  # ctrl+c
    "worker": "the drafting worker stopped while this was streaming",
}


def stopped_because(cause: str) -> str:
    """The recorded reason for a cause (a key of STOPPED); any other text is taken as the reason itself."""
    return STOPPED.get(cause, cause)

"""What the drafting engine reports: one event per change of a stream, one outcome per variant.

Kept apart from the engine so the review station can use them without importing the engine (or litellm).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StreamEvent:
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

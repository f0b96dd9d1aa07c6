"""Messages from services (inbox, drafting) to the UI. Workers post these; `@on` handlers change widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from ..drafting.events import StreamEvent

if TYPE_CHECKING:
    from ..inbox import BriefUpdate


class BriefsChanged(Message):
    """The inbox or the store changed; the queue should refresh."""

    def __init__(self, updates: list[BriefUpdate] | None = None) -> None:
        super().__init__()
        self.updates = updates or []


class DraftEvent(Message):
    """A draft started, retried, ended or failed (deltas are buffered, not posted one by one)."""

    def __init__(self, event: StreamEvent) -> None:
        super().__init__()
        self.event = event


class Notice(Message):
    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity

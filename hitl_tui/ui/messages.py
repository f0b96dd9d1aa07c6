"""Messages from services (inbox, drafting) to the review screen. The App posts these to it (workers and engine
callbacks never touch widgets); the screen's `@on` handlers change state and widgets."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from textual.message import Message

from ..records import record

if TYPE_CHECKING:  # the drafting modules and the inbox load after the first frame
    from ..drafting.events import StreamEvent
    from ..inbox import BriefUpdate


@record
class BriefsChanged(Message):
    """The inbox or the store changed: the queue should refresh (and a brief with a new version re-open)."""

    updates: list[BriefUpdate] = field(default_factory=list)


@record
class DraftEvent(Message):
    """A draft started, retried, ended or failed (deltas are buffered, not posted one by one)."""

    event: StreamEvent

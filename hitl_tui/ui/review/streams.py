"""Streamed text on its way to the panes: the engine's deltas are buffered here and applied ~10 times a second.

The engine calls `ReviewScreen.engine_event` for every chunk; nothing on that path touches a widget or awaits the
database. `due()` says which buffered texts to show now: the focused pane at every flush, the others once a second,
and gates only as a text grows (see STREAM_GATE_GROWTH).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:  # the drafting modules load with the drafting client, after the first frame
    from ...drafting.events import StreamEvent


FLUSH_SECONDS = 0.1  # streamed tokens are applied to panes ~10 times a second, never per token
SIDE_FLUSH_SECONDS = 1.0  # panes other than the focused one: once a second is enough to watch them grow
STREAM_GATE_GROWTH = 1.25  # gates re-run on streaming text when it has grown by this factor...
STREAM_GATE_CHARS = 200  # ... and by at least this many characters (they always run at the end)


class StreamBuffer:
    def __init__(self) -> None:
        self.texts: dict[int, tuple[int, str, int]] = {}  # draft_id -> (revision_id, text, tokens)
        self._dirty: set[int] = set()
        self._gated_at: dict[int, int] = {}  # draft_id -> text length when its gates last ran
        self._flushed_at: dict[int, float] = {}

    def __bool__(self) -> bool:
        return bool(self.texts)

    def add(self, event: StreamEvent) -> None:
        """A delta: the text so far replaces what was buffered (it is applied by the next flush)."""
        self.texts[event.draft_id] = (event.revision_id, event.text, event.tokens)
        self._dirty.add(event.draft_id)

    def restart(self, draft_id: int) -> None:
        """A new revision of this variant starts: its gates start over."""
        self._gated_at.pop(draft_id, None)

    def end(self, draft_id: int) -> None:
        self.texts.pop(draft_id, None)
        self._dirty.discard(draft_id)

    def due(self, current: int | None, showable: Callable[[int], bool]) -> Iterator[tuple[int, str, int, bool]]:
        """(draft_id, text, tokens, re-check gates?) for each buffered text to show now. A draft that cannot be
        shown (no pane, an open editor) is dropped until its next delta; one not due yet waits for a later flush."""
        if not self._dirty:
            return
        now = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        for draft_id in dirty:
            if draft_id not in self.texts or not showable(draft_id):
                continue
            if draft_id != current and now - self._flushed_at.get(draft_id, 0.0) < SIDE_FLUSH_SECONDS:
                self._dirty.add(draft_id)
                continue
            self._flushed_at[draft_id] = now
            _rid, text, tokens = self.texts[draft_id]
            # Gates cost time in proportion to the text; at 8 panes x 10 flushes a second re-running them every
            # flush would starve the loop. Streaming text only grows, so they re-run as it grows by a quarter (and
            # by at least STREAM_GATE_CHARS): about five passes over the final text in all, however long it gets.
            # They always run once more when the stream ends.
            last_len = self._gated_at.get(draft_id, 0)
            gate = len(text) >= max(last_len * STREAM_GATE_GROWTH, last_len + STREAM_GATE_CHARS)
            if gate:
                self._gated_at[draft_id] = len(text)
            yield draft_id, text, tokens, gate

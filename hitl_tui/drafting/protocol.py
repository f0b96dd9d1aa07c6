"""The drafting worker's wire format, defined once: what the station asks (requests and commands) and what the
worker says (events, replies, that litellm is loaded). Both sides encode and decode with these classes.

One JSON object per line. The station sends `{"op": ...}` objects: `draft`, `revise`, `regenerate` (each with an
`id` its reply carries), `cancel`, `cancel_draft` and `shutdown` (with the reason: quit, SIGTERM, SIGHUP, ...).
The worker sends `{"event": {...}}` (an engine StreamEvent; a delta carries only the new text, coalesced ~20 times
a second), `{"reply": id, "outcomes": [...]}` or `{"reply": id, "error": "..."}`, and `{"warm": true}`.

A line that does not decode is a bug on the other side: it is logged with its content to hitl.log (`log_bad_line`)
and skipped, never silently. A new message: a dataclass here with `OP` (or a key in `_worker_message`), encoded
by `to_wire` and decoded in `decode_request` / `decode_from_worker`; a test in tests/test_protocol.py.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar, Union

from ..briefs import Brief
from ..config import ModelSpec
from ..learning.feedback import FeedbackItem
from ..store.rows import Draft
from .events import Outcome, StreamEvent

log = logging.getLogger("hitl.drafting.protocol")
SHOWN_OF_A_BAD_LINE = 2000  # characters of a bad line kept in the log


# ---------------------------------------------------------------- the station to the worker


@dataclass
class DraftRequest:
    """Draft a brief version; `claim`: only if nobody has drafted it yet (decided atomically in the log)."""

    OP: ClassVar[str] = "draft"
    brief: Brief
    version_id: int
    models: list[ModelSpec] = field(default_factory=list)
    claim: bool = False
    id: int = 0

    def body(self) -> dict:
        return {"brief": asdict(self.brief), "version_id": self.version_id,
                "models": [asdict(m) for m in self.models], "claim": self.claim}

    @classmethod
    def from_body(cls, msg: dict) -> DraftRequest:
        return cls(Brief(**msg["brief"]), msg["version_id"], [ModelSpec(**m) for m in msg.get("models") or []],
                   bool(msg.get("claim")), msg["id"])


@dataclass
class ReviseRequest:
    """The next AI revision of a variant, from its text and the feedback items sent with it."""

    OP: ClassVar[str] = "revise"
    draft: Draft
    brief: Brief
    previous: str
    items: list[FeedbackItem]
    id: int = 0

    def body(self) -> dict:
        return {"draft": self.draft.to_dict(), "brief": asdict(self.brief), "previous": self.previous,
                "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_body(cls, msg: dict) -> ReviseRequest:
        return cls(Draft.from_row(msg["draft"]), Brief(**msg["brief"]), msg["previous"],
                   [FeedbackItem.from_dict(i) for i in msg["items"]], msg["id"])


@dataclass
class RegenerateRequest:
    """A fresh AI revision of a variant from the brief alone."""

    OP: ClassVar[str] = "regenerate"
    draft: Draft
    brief: Brief
    id: int = 0

    def body(self) -> dict:
        return {"draft": self.draft.to_dict(), "brief": asdict(self.brief)}

    @classmethod
    def from_body(cls, msg: dict) -> RegenerateRequest:
        return cls(Draft.from_row(msg["draft"]), Brief(**msg["brief"]), msg["id"])


@dataclass
class Cancel:
    """Stop streaming one revision (recorded as cancelled by the reviewer)."""

    OP: ClassVar[str] = "cancel"
    revision_id: int

    def body(self) -> dict:
        return {"revision_id": self.revision_id}

    @classmethod
    def from_body(cls, msg: dict) -> Cancel:
        return cls(msg["revision_id"])


@dataclass
class CancelDraft:
    """Stop whatever revision of this variant is streaming."""

    OP: ClassVar[str] = "cancel_draft"
    draft_id: int

    def body(self) -> dict:
        return {"draft_id": self.draft_id}

    @classmethod
    def from_body(cls, msg: dict) -> CancelDraft:
        return cls(msg["draft_id"])


@dataclass
class Shutdown:
    """Stop for good: record every stream as interrupted with this reason (a key of events.STOPPED) and exit."""

    OP: ClassVar[str] = "shutdown"
    reason: str = "closed"

    def body(self) -> dict:
        return {"reason": self.reason}

    @classmethod
    def from_body(cls, msg: dict) -> Shutdown:
        return cls(msg.get("reason") or "closed")


Request = Union[DraftRequest, ReviseRequest, RegenerateRequest]
ToWorker = Union[DraftRequest, ReviseRequest, RegenerateRequest, Cancel, CancelDraft, Shutdown]
_BY_OP = {c.OP: c for c in (DraftRequest, ReviseRequest, RegenerateRequest, Cancel, CancelDraft, Shutdown)}


# ---------------------------------------------------------------- the worker to the station


@dataclass
class Event:
    """An engine event. A delta's `delta` is the text since the last one (its `text` is not sent)."""

    event: StreamEvent

    def to_dict(self) -> dict:
        e = self.event
        if e.kind == "delta":
            return {"event": {"kind": "delta", "revision_id": e.revision_id, "draft_id": e.draft_id,
                              "delta": e.delta, "tokens": e.tokens}}
        body = asdict(e)
        if e.kind in ("start", "created", "retry"):
            body["text"] = ""  # no text yet: nothing to send
        return {"event": body}


@dataclass
class Reply:
    """The end of a request: its outcomes, or why it failed."""

    id: int
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        if self.error is not None:
            return {"reply": self.id, "error": self.error}
        return {"reply": self.id, "outcomes": [o.to_dict() for o in self.outcomes]}


@dataclass
class Warm:
    """litellm is loaded: the first draft will not wait for it."""

    def to_dict(self) -> dict:
        return {"warm": True}


FromWorker = Union[Event, Reply, Warm]


# ---------------------------------------------------------------- encoding and decoding


def to_wire(msg: ToWorker | FromWorker) -> bytes:
    """One line of the protocol."""
    body = {"op": msg.OP, **msg.body()} if hasattr(msg, "OP") else msg.to_dict()
    if isinstance(msg, (DraftRequest, ReviseRequest, RegenerateRequest)):
        body["id"] = msg.id
    return json.dumps(body, ensure_ascii=False).encode() + b"\n"


class BadLine(ValueError):
    """A line that is not a message of this protocol."""


def decode_request(line: bytes | str) -> ToWorker:
    msg = _json(line)
    cls = _BY_OP.get(msg.get("op"))
    if cls is None:
        raise BadLine(f"unknown op {msg.get('op')!r}")
    try:
        return cls.from_body(msg)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadLine(f"{msg.get('op')}: {exc!r}") from None


def decode_from_worker(line: bytes | str) -> FromWorker:
    msg = _json(line)
    try:
        if "event" in msg:
            return Event(StreamEvent(**msg["event"]))
        if "reply" in msg:
            return Reply(msg["reply"], [Outcome(**o) for o in msg.get("outcomes") or []], msg.get("error"))
        if msg.get("warm"):
            return Warm()
    except (KeyError, TypeError, ValueError) as exc:
        raise BadLine(repr(exc)) from None
    raise BadLine("neither an event, a reply nor warm")


def _json(line: bytes | str) -> dict:
    try:
        msg = json.loads(line)
    except ValueError as exc:
        raise BadLine(f"not JSON: {exc}") from None
    if not isinstance(msg, dict):
        raise BadLine("not a JSON object")
    return msg


def log_bad_line(side: str, line: bytes | str, why: Exception, log_file: Path | None = None) -> None:
    """A line that did not decode, with its content (cut to SHOWN_OF_A_BAD_LINE), to hitl.log. In the station's
    process the 'hitl' loggers may have no handler yet (litellm is not loaded there): one is added for this
    logger, to the file, never to the terminal."""
    if log_file is not None and not log.handlers:
        from ..redaction import RedactingFormatter

        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    log.error("%s sent a line that is not protocol (%s), skipped: %r", side, why, text[:SHOWN_OF_A_BAD_LINE])

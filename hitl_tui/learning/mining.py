"""Rules learned from edits: recurring human fixes across approved pieces become rule proposals.

Core module (pure). What it takes and gives:

- `ApprovedEdit` — one approved piece's edit: `piece` (what counts as one piece: pass the brief id, so a brief's
  re-approved versions count once), the brief's name, the reviewer, the AI text (`before`) and the approved text
  (`after`), the channel and voice.
- `mine_proposals(edits, min_pieces=3, skip=(), held={})` — patterns found in at least `min_pieces` distinct
  pieces (any reviewers), most widespread first, each a `Proposal`:
  `replace` — the same words replaced by the same words (“utilize” → “use”);
  `delete` — the same words deleted (or replaced by varying words) and no single replacement recurs enough;
  `sign_off` — the same closing lines added at the end.
  `skip`: ids never to propose (accepted or rejected before); `held`: {id: pieces when ignored} — an ignored
  proposal comes back only once it has spread to more pieces than it had then.
- `Proposal.to_dict()` / `Proposal.from_dict()` — a proposal as JSON (the store keeps it with its status).
- `proposal_id(kind, before, after)` — the stable id: the same pattern always gets the same id ("lr-" + 10 hex),
  whatever its examples, so a rejected proposal is recognised when it recurs.

Noise filters: numbers and dates are facts, not style (a hunk with a digit is ignored); replacements longer than
`MAX_WORDS` words are rewrites, deletions may be a sentence (`MAX_DELETE_WORDS`); punctuation-only changes and
case-only changes are ignored.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from .edits import Hunk, edit_hunks, normalize

MAX_WORDS = 6
MAX_DELETE_WORDS = 16
SIGN_OFF_WORDS = 12
EXAMPLES = 5  # examples kept per proposal
CONTEXT = 30  # characters of context either side of an example


@dataclass
class ApprovedEdit:
    piece: int | str
    before: str  # the AI's text
    after: str  # the text as approved
    brief: str = ""
    reviewer: str = ""
    channel: str = ""
    voice: str = ""


@dataclass
class Example:
    brief: str
    reviewer: str
    before: str  # the AI's words with a little context
    after: str  # the approved words with the same context


@dataclass
class Proposal:
    id: str
    kind: str  # replace | delete | sign_off
    before: str  # normalized pattern ("" for a sign-off)
    after: str  # normalized replacement / the sign-off as written ("" for a deletion)
    pieces: int  # distinct pieces it was found in
    reviewers: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # distinct channels of those pieces ("" = none given)
    voices: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def options(self) -> tuple[str, ...]:
        """What it can be accepted as (see `rules_file.rule_from_proposal`)."""
        return ("regex", "voice") if self.kind == "sign_off" else ("banned", "regex", "voice")

    @property
    def summary(self) -> str:
        if self.kind == "replace":
            return f"“{self.before}” → “{self.after}”"
        if self.kind == "delete":
            return f"delete “{self.before}”"
        return f"sign off with “{' '.join(self.after.split())}”"

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "before": self.before, "after": self.after,
                "pieces": self.pieces, "reviewers": self.reviewers, "channels": self.channels,
                "voices": self.voices, "summary": self.summary, "options": list(self.options),
                "examples": [vars(e) for e in self.examples]}

    @classmethod
    def from_dict(cls, data: dict) -> Proposal:
        """A proposal as stored by `to_dict` (its summary and options are worked out again)."""
        return cls(data["id"], data["kind"], data["before"], data["after"], data["pieces"],
                   list(data.get("reviewers", [])), list(data.get("channels", [])), list(data.get("voices", [])),
                   [Example(**e) for e in data.get("examples", [])])


def proposal_id(kind: str, before: str, after: str) -> str:
    key = "\x1f".join((kind, normalize(before), normalize(after)))
    return "lr-" + hashlib.sha1(key.encode()).hexdigest()[:10]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _usable(h: Hunk) -> bool:
    if re.search(r"\d", h.before + h.after):
        return False
    if not re.search(r"\w", h.before + h.after) or normalize(h.before) == normalize(h.after):
        return False
    if h.kind == "replace":
        return _words(h.before) <= MAX_WORDS and _words(h.after) <= MAX_WORDS and bool(normalize(h.after))
    return h.kind == "delete" and _words(h.before) <= MAX_DELETE_WORDS


def _example(edit: ApprovedEdit, h: Hunk) -> Example:
    b0, b1 = h.before_span
    a0, a1 = h.after_span
    return Example(edit.brief, edit.reviewer, _in_context(edit.before, b0, b1), _in_context(edit.after, a0, a1))


def _in_context(text: str, start: int, end: int) -> str:
    """text[start:end] with up to CONTEXT characters either side, cut at whole words ("…" where it was cut), on
    one line: the evidence a reviewer reads."""
    left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    if left > 0 and not text[left - 1].isspace():
        left = next((i + 1 for i in range(left, start) if text[i].isspace()), start)  # a half word is dropped
    if right < len(text) and not text[right].isspace():
        right = next((i for i in range(right - 1, end - 1, -1) if text[i].isspace()), end)
    snippet = " ".join(text[left:right].split())
    return ("…" if text[:left].strip() else "") + snippet + ("…" if text[right:].strip() else "")


def _closing(text: str) -> str:
    """The last paragraph (after the last blank line), or the last two lines of a text of three lines or more
    without one; "" for a one-paragraph text (there is no closing apart from the body)."""
    body = text.strip()
    parts = re.split(r"\n\s*\n", body)
    if len(parts) > 1:
        return parts[-1].strip()
    lines = body.splitlines()
    return "\n".join(lines[-2:]).strip() if len(lines) >= 3 else ""


def _sign_off(edit: ApprovedEdit) -> str | None:
    closing = _closing(edit.after)
    if not closing or _words(closing) > SIGN_OFF_WORDS or re.search(r"\d", closing):
        return None
    if normalize(closing) in normalize(" ".join(edit.before.split())):
        return None  # the AI already closed this way
    return closing


class _Tally:
    def __init__(self) -> None:
        self.pieces: dict[tuple, set] = defaultdict(set)
        self.meta: dict[tuple, list[tuple[ApprovedEdit, Example]]] = defaultdict(list)

    def add(self, key: tuple, edit: ApprovedEdit, example: Example) -> None:
        if edit.piece not in self.pieces[key]:
            self.meta[key].append((edit, example))
        self.pieces[key].add(edit.piece)

    def proposal(self, key: tuple, display_after: str = "") -> Proposal:
        kind, before, after = key
        found = self.meta[key]
        return Proposal(proposal_id(kind, before, after), kind, before, display_after or after,
                        len(self.pieces[key]), sorted({e.reviewer for e, _ in found if e.reviewer}),
                        sorted({e.channel for e, _ in found}), sorted({e.voice for e, _ in found}),
                        [ex for _, ex in found[:EXAMPLES]])


def mine_proposals(edits: Iterable[ApprovedEdit], min_pieces: int = 3, skip: Iterable[str] = (),
                   held: dict[str, int] | None = None) -> list[Proposal]:
    tally = _Tally()
    removed = _Tally()  # words taken out, whatever replaced them
    sign_offs: dict[str, str] = {}
    for edit in edits:
        if not edit.before.strip() or not edit.after.strip() or edit.before == edit.after:
            continue
        closing = _sign_off(edit)
        # Word changes inside an added sign-off belong to the sign-off, not to replacement patterns.
        closing_at = edit.after.rstrip().rfind(closing) if closing else len(edit.after)
        for h in edit_hunks(edit.before, edit.after):
            if not _usable(h) or (h.after and h.after_span[0] >= closing_at):
                continue
            example = _example(edit, h)
            if h.kind == "replace":
                tally.add(("replace", normalize(h.before), normalize(h.after)), edit, example)
            removed.add(("delete", normalize(h.before), ""), edit, example)
        if closing:
            key = ("sign_off", "", normalize(closing))
            sign_offs.setdefault(key[2], closing)
            tally.add(key, edit, Example(edit.brief, edit.reviewer, _closing(edit.before), closing))
    proposals = [tally.proposal(k, sign_offs.get(k[2], "")) for k in tally.pieces
                 if len(tally.pieces[k]) >= min_pieces]
    replaced = {p.before for p in proposals if p.kind == "replace"}
    proposals += [removed.proposal(k) for k in removed.pieces
                  if len(removed.pieces[k]) >= min_pieces and k[1] not in replaced]
    skip, held = set(skip), held or {}
    proposals = [p for p in proposals if p.id not in skip and p.pieces > held.get(p.id, -1)]
    return sorted(proposals, key=lambda p: (-p.pieces, p.kind, p.before, p.after))

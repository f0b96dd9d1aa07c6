"""Accepted rule proposals: learned rules, the workspace's `learned-rules.toml`, and learned rules as gates.

Core module: no UI, no store; the only I/O is the rules file. Why a file of its own rather than hitl.toml: hitl.toml
is written by people (comments, multi-line voice guides, their own order) and tomli-w would rewrite all of it on
every accept, dropping the comments; a machine-owned file keeps each rule's provenance (id, who accepted it, when,
from how many pieces), can be rewritten freely, and is still plain TOML a person may edit or prune. hitl.toml is
never touched.

What it takes and gives:

- `rule_from_proposal(proposal, as_, reviewer, at=)` — a `LearnedRule` of kind `banned` (a phrase no piece may
  use), `regex` (must_not for a replacement or deletion; must for a sign-off) or `voice` (a line for the prompt
  only). Scope: the proposal's channel / voice when all its pieces share one, else everywhere.
- `load_learned(path)` → rules (a missing file is none; a broken one a `LearnedRulesError`, one line);
  `add_learned(path, rule)` → False when that id is already there; `remove_learned(path, id)`. Writes are atomic
  (temp file, fsync, `os.replace`, the old file's mode kept for a shared workspace) under an exclusive lock on
  `.learned-rules.lock`, so two reviewers accepting at once both land.
- `apply_learned(config, rules)` → a copy of the `Config` whose checklists carry the learned banned/regex rules
  as `RuleSpec`s (gate id `rule:learned: …`, source `learned-rules.toml lr-…`), so `gates.gate_spec` and
  `run_gates` enforce them.
- `prompt_lines(rules, channel=, voice=)` → the lines for the prompt's "## Learned rules" section.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import tomllib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator


from ..config import Checklist, Config, ConfigError, RuleSpec
from ..workspace import RULES_FILE  # noqa: F401 (re-exported)
from ..gates import phrase_re
from .edits import TOKEN_RE

if TYPE_CHECKING:  # mining (and hashlib) load only where proposals are made, not with every workspace
    from .mining import Proposal

LOCK_FILE = ".learned-rules.lock"
RULE_KINDS = ("banned", "regex", "voice")
HEADER = ("# Rules learned from reviewers' edits, written by hitl when a proposal is accepted\n"
          "# (`hitl rules accept ID`). Edit or delete entries freely; hitl.toml is never rewritten.\n\n")


class LearnedRulesError(ConfigError):
    """learned-rules.toml is broken, as one line naming the file, the entry and what was expected."""


@dataclass
class LearnedRule:
    """An accepted proposal as learned-rules.toml keeps it: the rule, its scope and its provenance."""
    id: str  # the proposal's id
    kind: str  # banned | regex | voice
    text: str  # banned: the phrase; regex: the pattern; voice: the line
    say: str  # what the prompt tells the model
    must: bool = False  # regex: the text must match (a sign-off) instead of must not
    channel: str = ""  # "" = every channel
    voice: str = ""  # "" = every voice
    required: bool = True  # a failing learned gate blocks approval (false: a warning)
    summary: str = ""  # the proposal as shown in the review list
    pieces: int = 0  # pieces it was found in when accepted
    accepted_by: str = ""
    accepted_at: str = ""  # ISO 8601, UTC

    @property
    def label(self) -> str:
        """The gate's label (its id is `rule:` + this)."""
        if self.summary:
            return f"learned: {self.summary}"
        if self.kind == "banned":
            return f"learned: no “{self.text}”"
        return f"learned: {'must' if self.must else 'no'} /{self.text}/"


def words_pattern(phrase: str, gap: str = r"\s+") -> str:
    """A regex for a phrase's words in order, however spaced or wrapped, as whole words."""
    toks = [m.group() for m in TOKEN_RE.finditer(phrase)]
    body = ""
    for prev, tok in zip([""] + toks, toks):
        if prev:
            body += gap if re.match(r"\w", tok) and re.match(r"\w", prev[-1]) else r"\s*"
        body += re.escape(tok)
    return r"(?<!\w)" + body + r"(?!\w)"


def _only(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ""


def rule_from_proposal(proposal: Proposal, as_: str, reviewer: str, at: float | None = None,
                       channel: str | None = None, voice: str | None = None, required: bool = True) -> LearnedRule:
    if as_ not in proposal.options:
        raise ValueError(f"a {proposal.kind} proposal can be accepted as {' or '.join(proposal.options)}, "
                         f"not {as_}")
    if proposal.kind == "sign_off":
        shown = " ".join(proposal.after.split())
        say = f"Sign off with “{shown}”."
    elif proposal.kind == "replace":
        say = f"Never write “{proposal.before}”; write “{proposal.after}”."
    else:
        say = f"Never write “{proposal.before}”."
    if as_ == "banned":
        text = proposal.before
    elif as_ == "regex":
        text = words_pattern(proposal.after if proposal.kind == "sign_off" else proposal.before)
    else:
        text = say
    when = datetime.fromtimestamp(at, timezone.utc) if at is not None else datetime.now(timezone.utc)
    return LearnedRule(proposal.id, as_, text, say, must=proposal.kind == "sign_off", required=required,
                       channel=_only(proposal.channels) if channel is None else channel,
                       voice=_only(proposal.voices) if voice is None else voice, summary=proposal.summary,
                       pieces=proposal.pieces, accepted_by=reviewer, accepted_at=when.isoformat(timespec="seconds"))


# ---------------------------------------------------------------- the file

def _parse(data: dict, file: str) -> list[LearnedRule]:
    unknown = set(data) - {"rule"}
    if unknown:
        raise LearnedRulesError(f"{file}: unknown key '{sorted(unknown)[0]}' (expected [[rule]] entries)")
    raw = data.get("rule", [])
    if not isinstance(raw, list):
        raise LearnedRulesError(f"{file}: rule: expected [[rule]] entries")
    types = {f.name: f.type for f in fields(LearnedRule)}
    rules = []
    for i, entry in enumerate(raw):
        where = f"{file}: rule[{i}]"
        if not isinstance(entry, dict):
            raise LearnedRulesError(f"{where}: expected a table")
        for key, value in entry.items():
            if key not in types:
                raise LearnedRulesError(f"{where}: unknown key '{key}'")
            want = {"str": str, "bool": bool, "int": int}[types[key]]
            if not isinstance(value, want) or (want is int and isinstance(value, bool)):
                raise LearnedRulesError(f"{where}.{key}: expected {want.__name__}, got {value!r}")
        missing = [k for k in ("id", "kind", "text", "say") if not entry.get(k)]
        if missing:
            raise LearnedRulesError(f"{where}: '{missing[0]}' is missing")
        if entry["kind"] not in RULE_KINDS:
            raise LearnedRulesError(f"{where}.kind: expected one of {', '.join(RULE_KINDS)}, got {entry['kind']!r}")
        if entry["kind"] == "regex":
            try:
                re.compile(entry["text"])
            except re.error as exc:
                raise LearnedRulesError(f"{where}.text: expected a regular expression, {exc}") from None
        rules.append(LearnedRule(**entry))
    return rules


def load_learned(path: Path) -> list[LearnedRule]:
    if not path.exists():
        return []
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LearnedRulesError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise LearnedRulesError(f"{path}: not UTF-8 text") from None
    return _parse(data, str(path))


def save_learned(path: Path, rules: Iterable[LearnedRule]) -> None:
    """Replace the file atomically: a reader sees the old file or the new one, never half of one."""
    import tomli_w  # writing only: the station reads this file at every start

    body = HEADER + tomli_w.dumps({"rule": [asdict(r) for r in rules]})
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))  # teammates who could write it still can
    except FileNotFoundError:
        pass
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with (path.parent / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def add_learned(path: Path, rule: LearnedRule) -> bool:
    """Append a rule (read, add, write under the lock). False if a rule with that id is already there."""
    with _locked(path):
        rules = load_learned(path)
        if any(r.id == rule.id for r in rules):
            return False
        save_learned(path, rules + [rule])
        return True


def remove_learned(path: Path, rule_id: str) -> bool:
    with _locked(path):
        rules = load_learned(path)
        kept = [r for r in rules if r.id != rule_id]
        if len(kept) == len(rules):
            return False
        save_learned(path, kept)
        return True


# ---------------------------------------------------------------- using the rules

def _applies(rule: LearnedRule, channel: str, voice: str) -> bool:
    return (not rule.channel or rule.channel.lower() == (channel or "").lower()) and \
        (not rule.voice or rule.voice.lower() == (voice or "default").lower())


def apply_learned(config: Config, rules: Iterable[LearnedRule]) -> Config:
    """The config with learned banned words and regex rules added to the checklists they apply to (the default
    checklist for rules that apply everywhere). Voice lines are prompt-only. The given config is not changed."""
    out = config.with_own_checklists()
    for rule in rules:
        if rule.kind == "voice":
            continue
        key = rule.channel or "default"
        base = out.checklists.get(key) or Checklist()
        checklist = copy.copy(base)
        pattern = phrase_re(rule.text).pattern if rule.kind == "banned" else rule.text
        checklist.rules = list(base.rules) + [RuleSpec(rule.label, pattern, "must" if rule.must else "must_not",
                                                       rule.required, f"{RULES_FILE} {rule.id}", worded=True)]
        out.checklists[key] = checklist
    return out


def prompt_lines(rules: Iterable[LearnedRule], channel: str = "", voice: str = "") -> list[str]:
    """What the prompt's "## Learned rules" section says for a piece of this channel and voice, in file order."""
    return [r.say for r in rules if _applies(r, channel, voice)]

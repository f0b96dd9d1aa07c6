"""Brief files: which files are briefs, how they parse, and why a broken one is broken.

Core module: imports neither textual nor litellm. Parsing never raises; a broken brief carries its reason.
"""

from __future__ import annotations

import errno
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .slugs import slugify  # noqa: F401 (re-exported)

MAX_BRIEF_BYTES = 1_000_000
EXTENSIONS = {".toml", ".md", ".txt"}
_TEMP_SUFFIXES = ("~", ".part", ".crdownload", ".tmp", ".swp", ".swx", ".partial", ".download")

STR_FIELDS = ("title", "brief", "channel", "audience", "goal", "voice", "cta", "checklist", "notes")
LIST_FIELDS = ("must_include", "banned", "models")
INT_FIELDS = ("min_words", "max_words", "max_chars", "variants")
FLOAT_FIELDS = ("reading_grade_max",)
# Gold items for calibration (issue 13): the scores a variant of this brief should get, rubric dimension -> 1..5.
SCORE_FIELDS = ("expected_scores",)
ALL_FIELDS = STR_FIELDS + LIST_FIELDS + INT_FIELDS + FLOAT_FIELDS + SCORE_FIELDS

# Limits that no real brief comes near: a brief past them is a mistake (a pasted file, a generated list) and is
# listed as invalid with the limit it broke, instead of being drafted from, stored and printed whole.
MAX_CHARS = {"title": 200, "brief": 20_000, "channel": 40, "voice": 40, "checklist": 40, "cta": 200,
             "audience": 1_000, "goal": 1_000, "notes": 5_000}
MAX_ITEMS = {"must_include": 100, "banned": 100, "models": 20}
MAX_ITEM_CHARS = 200
MAX_NUMBER = {"min_words": 20_000, "max_words": 20_000, "max_chars": 200_000}


@dataclass
class Brief:
    """A brief as its file says it: what to write, for whom, where, and the contract its drafts are checked against."""
    name: str  # file name inside the inbox: the brief's identity
    title: str = ""
    brief: str = ""
    channel: str = ""
    audience: str = ""
    goal: str = ""
    voice: str = ""
    cta: str = ""
    checklist: str = ""
    notes: str = ""
    must_include: list[str] = field(default_factory=list)
    banned: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    min_words: int | None = None
    max_words: int | None = None
    max_chars: int | None = None
    variants: int | None = None
    reading_grade_max: float | None = None
    expected_scores: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    content_hash: str = ""

    @property
    def valid(self) -> bool:
        return self.error is None

    def fields(self) -> dict[str, Any]:
        """The brief's own fields (what a version stores), without identity and error."""
        data = asdict(self)
        for key in ("name", "error", "content_hash"):
            data.pop(key)
        return data

    @classmethod
    def from_fields(cls, name: str, data: dict[str, Any], error: str | None = None, content_hash: str = "") -> Brief:
        known = {k: v for k, v in data.items() if k in ALL_FIELDS}
        return cls(name=name, error=error, content_hash=content_hash, **known)


def is_brief_candidate(path: Path) -> bool:
    """False for what is not a brief at all: hidden files, editor/download temporaries, folders, other types."""
    name = path.name
    if name.startswith((".", "~$", "#")) or name.endswith(_TEMP_SUFFIXES):
        return False
    if path.suffix.lower() not in EXTENSIONS:
        return False
    try:
        if path.is_dir():
            return False
    except OSError:
        return False
    return True


def _err(name: str, what: str) -> str:
    return f"{name}: {what}"


def _read_text(path: Path, inbox: Path) -> tuple[str | None, str | None]:
    """The file's text, or an error saying why it cannot be read as a brief."""
    name = path.name
    try:
        if path.is_symlink():
            try:
                target = path.resolve()
            except (RuntimeError, OSError) as exc:  # a loop: RuntimeError up to Python 3.12, ELOOP from 3.13
                if isinstance(exc, OSError) and exc.errno != errno.ELOOP:
                    raise
                return None, _err(name, "a link that leads back to itself (a symlink loop); fix or remove the link")
            if not target.is_relative_to(inbox.resolve()):
                return None, _err(name, "symlink points outside the inbox; copy the file in instead")
            if not target.exists():
                return None, _err(name, f"a link to {os.readlink(path)}, which does not exist (a dangling link); "
                                        "fix or remove the link")
        size = path.stat().st_size
        if size == 0:
            return None, _err(name, "the file is empty")
        if size > MAX_BRIEF_BYTES:
            return None, _err(name, f"the file is {size:,} bytes; briefs may be at most {MAX_BRIEF_BYTES:,}")
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, _err(name, "the file disappeared while being read")
    except OSError as exc:
        return None, _err(name, f"cannot be read: {exc.strerror or exc}")
    if b"\x00" in raw:
        return None, _err(name, "contains NUL bytes; is it a binary file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, _err(name, f"not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8")
    if not text.strip():
        return None, _err(name, "the file has only blank space")
    return text, None


def _split_front_matter(text: str) -> tuple[str | None, str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            return "".join(lines[1:i]), "".join(lines[i + 1:])
    return "", "\x00unterminated"


def _title_from_name(path: Path) -> str:
    stem = re.sub(r"[-_]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:]


def _type_name(value: Any) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true/false", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _size_problem(key: str, value: Any) -> str | None:
    """Why a text or list field is too big (or a title not one line), if it is."""
    if isinstance(value, str):
        if key == "title" and "\n" in value:
            return "must be one line"
        limit = MAX_CHARS.get(key)
        if limit and len(value) > limit:
            return f"{len(value):,} characters; at most {limit:,}"
    elif isinstance(value, list):
        limit = MAX_ITEMS.get(key)
        if limit and len(value) > limit:
            return f"{len(value):,} items; at most {limit:,}"
        for i, item in enumerate(value, 1):
            if len(item) > MAX_ITEM_CHARS:
                return f"item {i} has {len(item):,} characters; at most {MAX_ITEM_CHARS}"
    return None


def _scores_problem(value: Any) -> str | None:
    """Why expected scores are not a table of rubric dimension = score 1 to 5, if they are not."""
    if not isinstance(value, dict):
        return f"expected a table like {{ clarity = 4 }}, got {_type_name(value)}"
    if len(value) > MAX_ITEMS["must_include"]:
        return f"{len(value):,} dimensions; at most {MAX_ITEMS['must_include']}"
    for dim, score in value.items():
        if not dim.strip() or len(dim) > MAX_CHARS["channel"]:
            return f"{_clip(dim, 40)!r} is not a rubric dimension name"
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            return f"'{dim}' must be a whole score from 1 to 5, got {score!r}"
    return None


def validate_fields(name: str, data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Check field names, types, sizes and numbers; returns cleaned fields and the first problem found. An
    invalid brief's fields are cut to their limits too, so nothing huge is stored or shown."""
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key not in ALL_FIELDS:
            import difflib  # only for a typo in a brief

            near = difflib.get_close_matches(key, ALL_FIELDS, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            return clean, _err(name, f"field '{key}': unknown field{hint}")
        if key in STR_FIELDS:
            if not isinstance(value, str):
                return clean, _err(name, f"field '{key}': expected text, got {_type_name(value)}")
            clean[key] = value.strip()
            problem = _size_problem(key, clean[key])
            if problem:
                clean[key] = _clip(clean[key].replace("\n", " "), MAX_CHARS[key])
                return clean, _err(name, f"field '{key}': {problem}")
        elif key in LIST_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return clean, _err(name, f"field '{key}': expected a list of text, got {_type_name(value)}")
            clean[key] = [v.strip() for v in value if v.strip()]
            problem = _size_problem(key, clean[key])
            if problem:
                clean[key] = [_clip(v, MAX_ITEM_CHARS) for v in clean[key][:MAX_ITEMS[key]]]
                return clean, _err(name, f"field '{key}': {problem}")
        elif key in INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                return clean, _err(name, f"field '{key}': expected a whole number, got {_type_name(value)} {value!r}")
            clean[key] = value
        elif key in FLOAT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return clean, _err(name, f"field '{key}': expected a number, got {_type_name(value)} {value!r}")
            clean[key] = float(value)
        elif key in SCORE_FIELDS:
            problem = _scores_problem(value)
            if problem:
                return clean, _err(name, f"field '{key}': {problem}")
            clean[key] = {dim.strip(): v for dim, v in value.items()}
    for key in ("title", "brief"):
        if not clean.get(key):
            return clean, _err(name, f"field '{key}': missing; every brief needs a {key}")
    for key in ("min_words", "max_words", "max_chars"):
        if key in clean and clean[key] <= 0:
            return clean, _err(name, f"field '{key}': must be above 0, got {clean[key]}")
        if key in clean and clean[key] > MAX_NUMBER[key]:
            return clean, _err(name, f"field '{key}': must be at most {MAX_NUMBER[key]:,}, got {clean[key]:,}")
    if clean.get("min_words") and clean.get("max_words") and clean["min_words"] > clean["max_words"]:
        return clean, _err(name, f"field 'min_words': {clean['min_words']} is more than max_words "
                                 f"({clean['max_words']}); no draft could pass")
    if "variants" in clean and not 1 <= clean["variants"] <= 8:
        return clean, _err(name, f"field 'variants': must be from 1 to 8, got {clean['variants']}")
    grade = clean.get("reading_grade_max")
    if grade is not None and not 1 <= grade <= 20:
        return clean, _err(name, f"field 'reading_grade_max': must be from 1 to 20, got {grade:g}")
    if clean.get("max_chars") and clean.get("min_words") and clean["min_words"] * 2 > clean["max_chars"]:
        return clean, _err(name, f"field 'min_words': {clean['min_words']} words cannot fit in max_chars "
                                 f"({clean['max_chars']})")
    return clean, None


def parse_brief(path: Path, inbox: Path | None = None) -> Brief:
    """Parse one brief file. Never raises: problems come back in `Brief.error`."""
    inbox = inbox or path.parent
    name = path.name
    text, error = _read_text(path, inbox)
    if error:
        return Brief(name=name, title=_title_from_name(path), error=error)
    import hashlib  # parsing happens after the first frame; the app's start-up does not need it

    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    suffix = path.suffix.lower()
    data: dict[str, Any]
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".md":
            front, body = _split_front_matter(text)
            if body == "\x00unterminated":
                return Brief(name=name, title=_title_from_name(path), content_hash=digest,
                             error=_err(name, "front matter opened with +++ but never closed with +++"))
            data = tomllib.loads(front) if front is not None else {}
            if body.strip():
                if "brief" in data:
                    return Brief(name=name, title=_title_from_name(path), content_hash=digest,
                                 error=_err(name, "field 'brief': given both in front matter and as the body"))
                data["brief"] = body.strip()
            data.setdefault("title", _title_from_name(path))
        else:  # .txt: the whole text is the brief
            data = {"title": _title_from_name(path), "brief": text.strip()}
    except tomllib.TOMLDecodeError as exc:
        return Brief(name=name, title=_title_from_name(path), content_hash=digest,
                     error=_err(name, f"not valid TOML: {exc}"))
    clean, error = validate_fields(name, data)
    brief = Brief.from_fields(name, clean, error=error, content_hash=digest)
    if error and not brief.title:
        brief.title = _title_from_name(path)
    return brief


def scan_inbox(inbox: Path) -> list[Brief]:
    """Every brief candidate in the inbox (top level only), parsed, sorted by file name."""
    if not inbox.is_dir():
        return []
    paths = [inbox / e.name for e in os.scandir(inbox) if is_brief_candidate(inbox / e.name)]
    return [parse_brief(p, inbox) for p in sorted(paths)]

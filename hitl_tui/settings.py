"""Each team setting declared once: a dataclass field with its default, a one-line doc and its check.

`parse_section` reads a `[section]` of hitl.toml into its dataclass (unknown keys, wrong types and values out of
range are one-line ConfigErrors naming the file and key); `starter_section` gives the defaults the starter
hitl.toml is written with; `declared` lists (key, default, doc) for the README's configuration reference, which
tests/test_settings.py checks against these declarations. A value that is more than a plain one (a checklist's
rules, its sign-off stages, the auto-approval policy, `[roles]`) is declared the same way with a `parse=`
function; a table whose keys are the team's own names (`[checklists.<name>]`) is parsed entry by entry with
`parse_section` (its dataclass's other fields, without `setting`, are not keys).

A new setting: one `setting(...)` field in its section's dataclass (config.py, or the feature's own settings
module, its class registered in `config.SETTING_SECTIONS`), read where it is used as `config.<section>.<name>`;
add its line to the README's `hitl.toml` block (the test says so if you forget). Core module: imports neither
textual nor litellm.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, field, fields
from typing import Any, Callable

from .errors import ConfigError

Check = Callable[[Any], "str | None"]  # a value -> what was expected (it is wrong), or None (it is fine)

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list",
               dict: "a table"}


Parse = Callable[[Any, str, str], Any]  # (value, file, key) -> the setting, or a one-line ConfigError


def setting(default: Any = MISSING, doc: str = "", *, factory: Callable[[], Any] | None = None,
            low: float | None = None, high: float | None = None, check: Check | None = None,
            choices: tuple | None = None, starter: bool = True, kind: type | None = None,
            parse: Parse | None = None) -> Any:
    """A settings field. `low`/`high`: an allowed range (a wrong type is then also told the range); `check`: any
    other rule; `choices`: the allowed values; `starter`: written into a new workspace's hitl.toml; `kind`: the
    type when the default does not say it (None: unset); `parse`: reads a value that is more than a plain one (a
    list of role names, a table of rules) and raises the one-line ConfigError itself."""
    meta = {"doc": doc, "low": low, "high": high, "check": check, "choices": choices, "starter": starter,
            "kind": kind, "parse": parse}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def positive(value: Any) -> str | None:
    return "a number above 0" if value <= 0 else None


def share(value: Any) -> str | None:
    return "a share between 0 and 1" if not 0 <= value <= 1 else None


def strings(value: Any) -> str | None:
    return "a list of strings" if not all(isinstance(v, str) for v in value) else None


def is_setting(f: Field) -> bool:
    """A field declared with `setting(...)` (a section's dataclass may hold other state beside its settings)."""
    return "doc" in f.metadata


def _default(f: Field) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default


def _kind(value: Any) -> type:
    return float if isinstance(value, float) else type(value)


def _shown(value: Any) -> str:
    return repr(value) if not isinstance(value, dict) else "a table"


def only(table: dict, allowed, file: str, prefix: str) -> None:
    """An unknown key is an error that names the nearest known one."""
    for key in table:
        if key not in allowed:
            import difflib  # only for a typo: a valid hitl.toml does not load it on the way to the first frame

            near = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else f" (expected one of: {', '.join(sorted(allowed))})"
            raise ConfigError(f"{file}: unknown key '{prefix}{key}'{hint}")


def parse_section(cls: type, table: dict, file: str, section: str, skip: tuple[str, ...] = ()):
    """`[section]` of hitl.toml as a `cls` (a dataclass of `setting` fields); keys in `skip` are the caller's."""
    prefix = f"{section}."
    declared_fields = [f for f in fields(cls) if is_setting(f) and f.name not in skip]
    only(table, {f.name for f in declared_fields} | set(skip), file, prefix)
    values = {}
    for f in declared_fields:
        if f.name in table:
            values[f.name] = _value(f, table[f.name], file, f"{prefix}{f.name}")
    return cls(**values)


def parse_field(cls: type, name: str, value: Any, file: str, key: str) -> Any:
    """One declared setting of `cls` read from `value` (a table of its own, such as `[roles]`), checked as
    `parse_section` checks a section's keys."""
    return _value(next(f for f in fields(cls) if f.name == name), value, file, key)


def _value(f: Field, value: Any, file: str, key: str) -> Any:
    meta, default = f.metadata, _default(f)
    if meta.get("parse"):
        return meta["parse"](value, file, key)
    want = meta.get("kind") or (_kind(default) if default is not None else str)
    low, high = meta.get("low"), meta.get("high")
    choices = meta.get("choices")
    if choices and value not in choices:  # the choices say more than the type would
        expected = " or ".join(f'"{c}"' for c in choices)
        raise ConfigError(f"{file}: {key}: expected {expected}, got {_shown(value)}")
    ok = isinstance(value, (int, float) if want is float else want) and not (
        want in (int, float) and isinstance(value, bool))
    if low is not None and high is not None:
        if not ok or not low <= value <= high:
            raise ConfigError(f"{file}: {key}: expected {_TYPE_NAMES[want]} from {low:g} to {high:g}, "
                              f"got {_shown(value)}")
    elif not ok:
        raise ConfigError(f"{file}: {key}: expected {_TYPE_NAMES[want]}, got {_shown(value)}")
    check = meta.get("check")
    problem = check(value) if check else None
    if problem:  # said with the value as written (2, not 2.0)
        raise ConfigError(f"{file}: {key}: expected {problem}, got {_shown(value)}")
    return want(value) if want is float else value


def starter_section(cls: type) -> dict[str, Any]:
    """The defaults a new workspace's hitl.toml gets for this section (unset ones, None or "", are left out:
    TOML has no None, and an empty prompt template means the built-in one)."""
    out = {}
    for f in filter(is_setting, fields(cls)):
        value = _default(f)
        if f.metadata.get("starter", True) and value is not None and value != "":
            out[f.name] = value
    return out


def declared(cls: type) -> list[tuple[str, Any, str]]:
    """(key, default, doc) of each setting of a section, in declaration order."""
    return [(f.name, _default(f), f.metadata["doc"]) for f in fields(cls) if is_setting(f)]

"""Each person's own settings: who they are, their theme and their keys, in `<user config dir>/hitl/config.toml`.

A workspace is shared (several people on one server, one `hitl.toml`); a name is not. Who is acting is, first
found: `--reviewer NAME`, `$HITL_REVIEWER`, `reviewer` in the per-user file, a `reviewer` left in `hitl.toml` by
an older hitl (honoured, with a warning: everyone on the workspace would act under it), else the login name.
A person's theme and keys override the team's.

Core module: imports neither textual nor litellm.
"""

from __future__ import annotations

import os
import tempfile
import threading
import tomllib
from dataclasses import field
from pathlib import Path
from typing import Any

from .config import DEFAULT_KEYS, Config, _get, _only
from .defaults import default_reviewer
from .errors import ConfigError, UsageError
from .records import record

USER_KEYS = {"reviewer", "theme", "keys"}
MAX_NAME = 64


def user_config_path() -> Path:
    """<user config dir>/hitl/config.toml; on Linux $XDG_CONFIG_HOME/hitl, else ~/.config/hitl."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("hitl", appauthor=False)) / "config.toml"


@record
class UserConfig:
    """One person's own settings file: their name, theme and remapped keys."""
    path: Path
    reviewer: str = ""
    theme: str = ""
    keys: dict[str, str] = field(default_factory=dict)  # only the ones this person remapped


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None


def load_user_config(path: Path | None = None) -> UserConfig:
    """The per-user file; a missing one is empty, a broken one a one-line ConfigError naming it."""
    path = path or user_config_path()
    data = _read(path)
    file = str(path)
    _only(data, USER_KEYS, file, "")
    keys = _get(data, "keys", dict, file, "", {})
    _only(keys, set(DEFAULT_KEYS), file, "keys.")
    reviewer = _get(data, "reviewer", str, file, "", "")
    return UserConfig(path, reviewer=check_name(reviewer, f"{file}: reviewer") if reviewer else "",
                      theme=_get(data, "theme", str, file, "", ""),
                      keys={action: _get(keys, action, str, file, "keys.", "") for action in keys})


def check_name(name: str, where: str) -> str:
    """A reviewer's name as the log will carry it: trimmed, not empty, one short line of printable text."""
    error = UsageError if where.startswith(("--", "HITL_")) else ConfigError
    name = name.strip()
    if not name:
        raise error(f"{where}: expected a name, got an empty one")
    if len(name) > MAX_NAME:
        raise error(f"{where}: expected a name of at most {MAX_NAME} characters, got {len(name)}")
    if any(not ch.isprintable() for ch in name):
        raise error(f"{where}: expected a name of printable characters, got {name!r}")
    return name


@record
class Identity:
    """Who is acting, and what to warn about how that was found."""
    name: str
    warnings: list[str] = field(default_factory=list)


def resolve_identity(flag: str | None, team_reviewer: str, team_file: str, user: UserConfig) -> Identity:
    if flag is not None:
        return Identity(check_name(flag, "--reviewer"))
    env = os.environ.get("HITL_REVIEWER", "")
    if env.strip():
        return Identity(check_name(env, "HITL_REVIEWER"))
    if user.reviewer:
        return Identity(user.reviewer)
    if team_reviewer:
        return Identity(check_name(team_reviewer, f"{team_file}: reviewer"), [
            f"{team_file} names the reviewer ({team_reviewer!r}), and it is shared by everyone on this workspace: "
            f"each person should set their own name in {user.path} (reviewer = \"…\"), with HITL_REVIEWER or "
            "with --reviewer, and the line be removed from hitl.toml"])
    return Identity(default_reviewer())


def apply_user_config(config: Config, flag: str | None = None, user: UserConfig | None = None) -> Identity:
    """Layer a person over the team's config: their name, theme and keys. Returns who they are and any warning."""
    user = user or load_user_config()
    identity = resolve_identity(flag, config.team_reviewer, str(config.path or "hitl.toml"), user)
    config.reviewer = identity.name
    if user.theme:
        config.ui.theme = user.theme
    config.keys.update(user.keys)
    return identity


_save_lock = threading.Lock()


def save_user_setting(key: str, value: str, path: Path | None = None) -> Path:
    """Set one setting in the per-user file, keeping the rest: written to a temp file, fsynced, then renamed over
    the old one, so a crash never leaves half a file. tomli-w drops comments (there are none we wrote)."""
    import tomli_w

    path = path or user_config_path()
    with _save_lock:  # two saves from one process must not interleave their read-modify-write
        data = _read(path)
        data[key] = value
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".config.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                tomli_w.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path

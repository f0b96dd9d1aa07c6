"""Workspaces: finding one, creating one, and where the package's own files (styles, example briefs) live.

A workspace's config is hitl.toml with the accepted learned rules (`learned-rules.toml`, see
`learning/rules_file.py`) layered on as gates; `learned_rules()` re-reads that file when it changed, so a rule
accepted in another process applies to the next draft and check.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, load_config, starter_config
from .errors import WorkspaceError  # noqa: F401 (re-exported)
from .records import record

if TYPE_CHECKING:
    from .learning.rules_file import LearnedRule

CONFIG_NAME = "hitl.toml"
RULES_FILE = "learned-rules.toml"  # accepted learned rules (learning/rules_file.py)
log = logging.getLogger("hitl.learning")


def package_dir(name: str) -> Path:
    """styles/ or example_briefs/ inside an installed wheel, else the source checkout's top-level folder."""
    here = Path(__file__).resolve().parent
    installed = here / name
    if installed.is_dir():
        return installed
    top = {"styles": "styles", "example_briefs": "briefs"}[name]
    source = here.parent / top
    if (here.parent / "pyproject.toml").exists() and source.is_dir():
        return source
    raise WorkspaceError(f"hitl-tui is installed without its {top}/ folder; reinstall the package")


@record
class Workspace:
    """A workspace folder (hitl.toml, briefs/, outbox/, hitl.db) as the person running hitl sees it."""
    root: Path
    # The team's hitl.toml with the person's own name, theme and keys over it, and the learned rules applied; the
    # same object for the workspace's lifetime (learned_rules() updates its checklists in place).
    config: Config
    warnings: list[str] = field(default_factory=list)  # shown once: by the CLI on stderr, by the station as a toast
    base_config: Config | None = None  # the same without the learned rules
    learned: list[LearnedRule] = field(default_factory=list)
    _learned_sig: tuple | None = ()  # learned-rules.toml's (inode, size, mtime) when last read; None: no file

    @property
    def inbox(self) -> Path:
        return self.root / "briefs"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def db_path(self) -> Path:
        return self.root / "hitl.db"

    @property
    def log_file(self) -> Path:
        return self.root / "hitl.log"

    @property
    def rules_file(self) -> Path:
        return self.root / RULES_FILE

    @classmethod
    def load(cls, root: Path, reviewer: str | None = None) -> Workspace:
        """The workspace at `root` as the person running hitl sees it; `reviewer` is --reviewer, if given.
        hitl.toml and learned-rules.toml: a broken one of either is a one-line ConfigError."""
        from .userconfig import apply_user_config

        root = root.resolve()
        config = load_config(root / CONFIG_NAME)
        identity = apply_user_config(config, reviewer)
        ws = cls(root, config, identity.warnings, base_config=config)
        ws.learned_rules(strict=True)
        for folder in (ws.inbox, ws.outbox):
            try:
                folder.mkdir(exist_ok=True)
            except OSError:  # a read-only workspace: the commands that need the folder say so themselves
                pass
        return ws

    def learned_rules(self, strict: bool = False) -> list[LearnedRule]:
        """The accepted learned rules, re-read if learned-rules.toml changed since the last look; `config`'s
        checklists follow them (changed in place, so whoever holds `config` sees the new gates). A file broken
        since the last good read keeps the last good rules (logged) unless `strict`."""
        try:
            st = self.rules_file.stat()
            sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            sig = None
        if sig == self._learned_sig:
            return self.learned
        if self.base_config is None:
            self.base_config = self.config
        if sig is None and not self.learned:
            # No file and nothing learned before (every workspace until its first accept): nothing to layer on, and
            # the rules module need not load on the way to the first frame. `config` is still a copy of hitl.toml's.
            if self.config is self.base_config:
                self.config = self.base_config.with_own_checklists()
            self._learned_sig = sig
            return self.learned
        from .learning.rules_file import LearnedRulesError, apply_learned, load_learned

        try:
            rules = load_learned(self.rules_file)
        except LearnedRulesError as exc:
            if strict:
                raise
            log.warning("keeping the learned rules read before: %s", exc)
            self._learned_sig = sig  # said once per change of the file, not on every draft
            return self.learned
        applied = apply_learned(self.base_config, rules)
        if self.config is self.base_config:  # the first read: from now on `config` is hitl.toml + learned rules
            self.config = applied
        else:
            self.config.checklists = applied.checklists
        self.learned, self._learned_sig = rules, sig
        return rules


def find_workspace(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """--workspace, else $HITL_WORKSPACE, else the nearest folder upwards holding hitl.toml."""
    if explicit:
        root = Path(explicit).expanduser()
        if not root.is_dir():
            raise WorkspaceError(f"workspace {root} does not exist; create it with `hitl init {root}`")
        return root
    env = os.environ.get("HITL_WORKSPACE")
    if env:
        root = Path(env).expanduser()
        if not root.is_dir():
            raise WorkspaceError(f"HITL_WORKSPACE={env} is not a folder")
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(f"no {CONFIG_NAME} in {here} or any folder above it; run `hitl init` to create a "
                         "workspace, or pass --workspace DIR")


def init_workspace(root: Path, examples: bool = True) -> list[str]:
    """Create hitl.toml, briefs/, outbox/ and example briefs; never overwrites a file. Returns what it created."""
    created = []
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if not config.exists():
        tmp = config.with_name(f".{CONFIG_NAME}.tmp")
        with tmp.open("wb") as fh:
            import tomli_w  # writing only: not on the way to the first frame

            tomli_w.dump(starter_config(), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, config)  # atomic: a crash never leaves half a config
        created.append(CONFIG_NAME)
    for sub in ("briefs", "outbox"):
        if not (root / sub).is_dir():
            (root / sub).mkdir()
            created.append(f"{sub}/")
    if examples:
        for src in sorted(package_dir("example_briefs").iterdir()):
            dest = root / "briefs" / src.name
            if src.is_file() and not dest.exists():
                shutil.copyfile(src, dest)
                created.append(f"briefs/{src.name}")
    return created

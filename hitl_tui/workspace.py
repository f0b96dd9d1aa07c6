"""Workspaces: finding one, creating one, and where the package's own files (styles, example briefs) live."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from .config import Config, load_config, starter_config
from .errors import WorkspaceError  # noqa: F401 (re-exported)

CONFIG_NAME = "hitl.toml"


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


@dataclass
class Workspace:
    root: Path
    config: Config  # the team's hitl.toml with the person's own name, theme and keys over it
    warnings: list[str] = field(default_factory=list)  # shown once: by the CLI on stderr, by the station as a toast

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

    @classmethod
    def load(cls, root: Path, reviewer: str | None = None) -> Workspace:
        """The workspace at `root` as the person running hitl sees it; `reviewer` is --reviewer, if given."""
        from .userconfig import apply_user_config

        root = root.resolve()
        config = load_config(root / CONFIG_NAME)
        identity = apply_user_config(config, reviewer)
        ws = cls(root, config, identity.warnings)
        for folder in (ws.inbox, ws.outbox):
            try:
                folder.mkdir(exist_ok=True)
            except OSError:  # a read-only workspace: the commands that need the folder say so themselves
                pass
        return ws


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

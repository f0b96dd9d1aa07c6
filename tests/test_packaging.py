"""What a new user or CI meets first: the lock matches pyproject's ranges, the licence and the README's picture."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def locked_versions() -> dict[str, list[str]]:
    """Package -> pinned versions in requirements-dev.lock (one per Python-version fork)."""
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "requirements-dev.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if m:
            pins.setdefault(canonicalize_name(m.group(1)), []).append(m.group(2))
    return pins


def test_the_lock_pins_every_dependency_inside_its_declared_range():
    # Adding a dependency or moving a range in pyproject.toml without re-running `uv pip compile` (README,
    # "Dependencies") would leave CI installing something else than what pyproject promises.
    pins = locked_versions()
    project = PYPROJECT["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements-dev.lock"
        assert all(req.specifier.contains(v, prereleases=True) for v in pins[name]), \
            f"requirements-dev.lock pins {req.name}=={pins[name]}, outside {req.specifier}"
    assert "textstat" not in pins  # words and sentences are counted by gates.text_counts


def lock_entries() -> dict[str, str]:
    """Package -> its whole entry in requirements-dev.lock (pin, hashes and uv's '# via' lines)."""
    text = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", entry)
        if m:
            name = canonicalize_name(m.group(1))
            entries[name] = entries.get(name, "") + entry
    return entries


def test_the_lock_was_made_from_this_pyproject():
    # uv marks each package it locked because pyproject.toml asks for it with "via hitl-tui (pyproject.toml)".
    # Those must be exactly the packages pyproject declares: a dependency added (or dropped) without
    # regenerating the lock shows up here, even when the package happens to be in the lock through another one.
    project = PYPROJECT["project"]
    declared = {canonicalize_name(Requirement(spec).name)
                for spec in project["dependencies"] + project["optional-dependencies"]["test"]}
    direct = {name for name, entry in lock_entries().items() if "hitl-tui (pyproject.toml)" in entry}
    regenerate = "regenerate it with the command in README.md, 'Dependencies'"
    assert declared - direct == set(), \
        f"pyproject declares {sorted(declared - direct)}, the lock does not: {regenerate}"
    assert direct - declared == set(), f"the lock still asks for {sorted(direct - declared)}: {regenerate}"


def test_every_lock_entry_has_hashes():
    text = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert entries and all("--hash=sha256:" in e for e in entries if "==" in e)


def test_license_file_matches_the_metadata():
    assert PYPROJECT["project"]["license"] == "MIT" and PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_readme_pictures_are_files_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    assert images, "README has no screenshot"
    for path in images:
        assert not re.match(r"\w+://", path) and (ROOT / path).is_file(), path

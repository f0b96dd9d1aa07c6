"""Each setting is declared once (hitl_tui/settings.py fields): the starter hitl.toml, the allowed keys and the README's
configuration reference follow from the declarations or are checked against them here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import tomli_w

from hitl_tui.config import SETTING_SECTIONS, ConfigError, parse_config
from hitl_tui.defaults import starter_config
from hitl_tui.settings import declared, starter_section

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_toml() -> dict[str, dict[str, str]]:
    """The README's hitl.toml reference: section -> key -> the value as written (before its comment)."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("## Configuration (`hitl.toml`)"):]
    block = block[block.index("```toml") + len("```toml"):]
    block = block[:block.index("```")]
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in block.splitlines():
        if m := re.match(r"\[([a-z_.]+)\]", line):
            current = sections.setdefault(m.group(1), {})
        elif (m := re.match(r"([a-z_]+) = (.+?)\s*(#.*)?$", line)) and current is not None:
            current[m.group(1)] = m.group(2)
    return sections


@pytest.mark.parametrize("section", sorted(SETTING_SECTIONS))
def test_the_readme_documents_every_setting_with_its_default(section):
    documented = readme_toml().get(section, {})
    for key, default, doc in declared(SETTING_SECTIONS[section]):
        assert doc, f"{section}.{key} has no one-line doc in its declaration"
        if key not in starter_section(SETTING_SECTIONS[section]):
            continue  # not in the starter file (a template left empty, the model list): documented by hand
        assert key in documented, f"README's hitl.toml reference lacks {section}.{key}"
        written = tomllib.loads(f"v = {documented[key]}")["v"]
        assert written == default, f"README says {section}.{key} = {written!r}, its declaration {default!r}"


def test_the_starter_file_is_the_declared_defaults_and_reads_back_as_them():
    starter = starter_config()
    config = parse_config(tomllib.loads(tomli_w.dumps(starter)))
    defaults = parse_config({})
    for section, cls in SETTING_SECTIONS.items():
        assert starter[section].items() >= starter_section(cls).items()
        assert getattr(config, section) == getattr(defaults, section) == cls()


def test_a_misspelt_setting_names_the_one_meant():
    with pytest.raises(ConfigError, match=r"unknown key 'inbox.setle_ms' \(did you mean 'settle_ms'\?\)"):
        parse_config({"inbox": {"setle_ms": 10}})
    with pytest.raises(ConfigError, match="expected a number above 0, got -1"):
        parse_config({"drafting": {"timeout": -1}})

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


# The sections declared with `setting(...)` since [calibration], [compare] and the team's tables were parsed by hand:
# a wrong value in each is one line naming the file and the key, and what was expected.
@pytest.mark.parametrize("toml, message", [
    ('[calibration]\nreshow = "often"', "calibration.reshow: expected a number, got 'often'"),
    ("[calibration]\nreshow = 2", "calibration.reshow: expected a share between 0 and 1, got 2"),
    ("[calibration]\ndelay_hours = -1", "calibration.delay_hours: expected a number of hours, 0 or more, got -1"),
    ("[calibration]\nto = 3", 'calibration.to: expected "same" or "other", got 3'),
    ("[calibration]\nseed = 1.5", "calibration.seed: expected an integer, got 1.5"),
    ("[calibration]\ndelay = 2", "unknown key 'calibration.delay' (did you mean 'delay_hours'?)"),
    ('[compare]\npairs = "some"', "compare.pairs: expected \"all\" or \"ring\", got 'some'"),
    ('[compare]\npair = "ring"', "unknown key 'compare.pair' (did you mean 'pairs'?)"),
    ("compare = 1", "compare: expected a table, got 1"),
    ("[roles]\neditor = 3", "roles.editor: expected a list of reviewer names, got 3"),
    ("[checklists.email]\nstages = 3", "checklists.email.stages: expected a list of role names in sign-off order"),
    ("[checklists.email]\nauto_approve = 3", "checklists.email.auto_approve must be a table"),
    ("[checklists.email]\nstage = []", "unknown key 'checklists.email.stage' (did you mean 'stages'?)"),
    ('[checklists.sms]\nmax_chars = "160"', "checklists.sms.max_chars: expected an integer, got '160'"),
    ("[checklists.sms]\nmax_chars = 0", "checklists.sms.max_chars: expected a number above 0, got 0"),
    ("[checklists.sms]\nadvisory = [1]", "checklists.sms.advisory: expected a list of strings, got [1]"),
    ("[checklists.sms]\nrules = 1", "checklists.sms.rules: expected a list, got 1"),
    ("[checklists.sms]\nitems = [{ id = \"x\" }]", "checklists.sms.items[0].text: expected the item's text"),
])
def test_a_wrong_team_setting_is_one_line_naming_file_and_key(tmp_path, toml, message):
    from hitl_tui.config import load_config

    (tmp_path / "hitl.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "hitl.toml")
    assert str(err.value).startswith(f"{tmp_path / 'hitl.toml'}: {message}"), str(err.value)
    assert "\n" not in str(err.value)


def readme_tables() -> dict[str, set[str]]:
    """Every ```toml block of the README: table header (with its name, e.g. checklists.email) -> keys shown."""
    text = README.read_text(encoding="utf-8")
    tables: dict[str, set[str]] = {}
    for block in re.findall(r"```toml\n(.*?)```", text, flags=re.S):
        current = None
        for line in block.splitlines():
            if m := re.match(r"\[([a-z_.]+)\]", line):
                current = tables.setdefault(m.group(1), set())
            elif (m := re.match(r"([a-z_]+) = ", line)) and current is not None:
                current.add(m.group(1))
    return tables


def test_the_readme_shows_every_checklist_setting_and_the_roles_table():
    from hitl_tui.config import Checklist, Config

    tables = readme_tables()
    shown = set().union(*(keys for name, keys in tables.items() if name.startswith("checklists.")))
    for key, _default, doc in declared(Checklist):
        assert doc, f"checklists.<name>.{key} has no one-line doc in its declaration"
        assert key in shown, f"no [checklists.<name>] table in README's hitl.toml examples shows {key}"
    assert [key for key, _d, _doc in declared(Config)] == ["roles"]
    assert tables.get("roles"), "README shows no [roles] table"

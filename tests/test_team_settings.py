"""The team's settings (issue 13): [roles], a checklist's stages and auto_approve, [calibration], gold briefs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hitl_tui.analytics.policy import AutoApprovePolicy
from hitl_tui.briefs import parse_brief
from hitl_tui.config import ConfigError, load_config, parse_config

TEAM = """
[roles]
editor = ["ana", "ben"]
legal = "dana"

[checklists.default]
stages = ["editor"]

[checklists.email]
stages = ["editor", "legal"]

[checklists.social]
auto_approve = { when = "all-gates-pass", audit = 0.25, seed = 7, audit_by = "editor" }

[checklists.sms]
stages = []

[calibration]
reshow = 0.2
to = "other"
delay_hours = 0
"""


def test_roles_stages_auto_approval_and_calibration_from_hitl_toml(tmp_path):
    (tmp_path / "hitl.toml").write_text(TEAM)
    config = load_config(tmp_path / "hitl.toml")
    assert config.roles == {"editor": ["ana", "ben"], "legal": ["dana"]}
    assert config.checklist_for("email")[0].stages == ["editor", "legal"]
    assert config.checklist_for("blog")[0].stages == ["editor"]  # no checklist of its own: the default's
    assert config.checklist_for("social")[0].stages == ["editor"]  # inherits the default's stages
    assert config.checklist_for("sms")[0].stages == []  # its own (none) replaces the default's
    assert config.checklist_for("social")[0].auto_approve == AutoApprovePolicy("all-gates-pass", 0.25, None, 7,
                                                                               "editor")
    assert config.checklist_for("email")[0].auto_approve is None  # off by default
    assert (config.calibration.reshow, config.calibration.to, config.calibration.delay_hours) == (0.2, "other", 0)


def test_a_fresh_workspace_has_no_stages_no_auto_approval_and_no_reshows():
    config = parse_config({})
    assert config.roles == {} and config.calibration.reshow == 0
    assert not config.checklist_for("email")[0].stages and config.checklist_for("email")[0].auto_approve is None


@pytest.mark.parametrize("toml, message", [
    ('[checklists.email]\nstages = ["editor", "legal"]\n[roles]\neditor = ["ana"]',
     "checklists.email.stages: stage 'legal' has nobody to sign it"),
    ('[roles]\neditor = ["ana"]\n[checklists.email]\nstages = ["editor", "editor"]', "listed twice"),
    ('[checklists.email]\nstages = "editor"', "checklists.email.stages: expected a list of role names"),
    ("[roles]\nlegal = [1]", "roles.legal: expected a list of reviewer names"),
    ("roles = 3", "roles: expected a table"),
    ('[checklists.x]\nauto_approve = { when = "sometimes" }', "checklists.x.auto_approve.when must be one of"),
    ('[checklists.x]\nauto_approve = { audit = 2 }', "checklists.x.auto_approve.audit must be a share"),
    ('[checklists.x]\nauto_approve = { audit_by = "qa" }', "audit_by: no one holds the role 'qa'"),
    ('[checklists.x]\nauto_approve = { seed = "s" }', "seed must be a whole number"),
    ("[calibration]\nreshow = 1.5", "calibration.reshow: expected a share between 0 and 1"),
    ('[calibration]\nto = "anyone"', 'calibration.to: expected "same" or "other"'),
    ("[calibration]\ndelay_hours = -1", "calibration.delay_hours"),
    ("[calibration]\nshare = 0.1", "unknown key 'calibration.share'"),
])
def test_team_settings_errors_are_one_line_naming_the_key(tmp_path, toml, message):
    (tmp_path / "hitl.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "hitl.toml")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(str(tmp_path / "hitl.toml"))


def test_a_channel_can_turn_the_defaults_auto_approval_off():
    config = parse_config({"checklists": {"default": {"auto_approve": {"audit": 0.1}},
                                          "email": {"auto_approve": False}}})
    assert config.checklist_for("sms")[0].auto_approve is not None
    assert config.checklist_for("email")[0].auto_approve is None


def test_a_gold_brief_carries_expected_scores_validated_like_other_fields(tmp_path):
    good = tmp_path / "gold.toml"
    good.write_text('title = "Gold"\nbrief = "A calibration item."\nexpected_scores = { clarity = 4, brand_voice = 2 }\n')
    assert parse_brief(good).expected_scores == {"clarity": 4, "brand_voice": 2}
    assert "expected_scores" in parse_brief(good).fields()
    for value, message in [("{ clarity = 6 }", "'clarity' must be a whole score from 1 to 5, got 6"),
                           ('{ clarity = "4" }', "must be a whole score from 1 to 5"),
                           ("[4]", "expected a table like { clarity = 4 }, got a list")]:
        bad = tmp_path / "bad.toml"
        bad.write_text(f'title = "Gold"\nbrief = "x"\nexpected_scores = {value}\n')
        brief = parse_brief(bad)
        assert brief.error.startswith("bad.toml: field 'expected_scores': ") and message in brief.error


def test_team_services_import_neither_textual_nor_litellm():
    mods = ["hitl_tui.team." + m for m in ("approve", "experts", "claims", "routing", "queue", "stats", "mine")]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in mods) +
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'litellm'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

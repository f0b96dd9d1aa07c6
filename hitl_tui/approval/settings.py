"""The team's settings in hitl.toml (issue 13): roles, sign-off stages, auto-approval and calibration.

Core module (pure). Declared once like every setting (settings.py): `CalibrationConfig`'s fields, and the
checklist's `stages` / `auto_approve` and `[roles]` in config.py with their parsers (`parse_auto_approve` here,
`parse_stages`, `parse_roles`); `check_team` then checks what they need of each other. Each
problem is a one-line `ConfigError` naming the file and key.

    [roles]
    editor = ["ana", "ben"]
    legal = ["dana"]

    [checklists.email]
    stages = ["editor", "legal"]                                   # sign-off order; each stage is a role
    auto_approve = { when = "all-gates-pass", audit = 0.1 }        # off unless set; `false` turns a default's off

    [calibration]
    reshow = 0.1        # share of judged variants shown again, blind (0 = off, the default)
    to = "same"         # to the "same" reviewer (self-consistency) or an "other" one (agreement)
    delay_hours = 24    # shown again no sooner than this after it was decided
    seed = 0            # the draw is seeded per variant: the same variants are picked every time

A checklist's `stages` and `auto_approve` replace the default checklist's when given (they are not added to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..records import record
from ..settings import parse_section, setting, share

if TYPE_CHECKING:
    from ..analytics.policy import AutoApprovePolicy
    from ..config import Config

RESHOW_TO = ("same", "other")


@record
class CalibrationConfig:
    """[calibration]: the share of judged variants re-shown, blind, to whom and how long after the decision."""
    reshow: float = setting(0.0, "share of judged variants shown again, blind (0 = off)", check=share)
    to: str = setting("same", 'to the "same" reviewer (self-consistency) or an "other" one (agreement)',
                      choices=RESHOW_TO)
    delay_hours: float = setting(24.0, "shown again no sooner than this after the decision",
                                 check=lambda v: "a number of hours, 0 or more" if v < 0 else None)
    seed: int = setting(0, "the draw is seeded per variant: the same variants are picked every time")


# ---------------------------------------------------------------- parsers of team settings (`setting(parse=...)`)

def parse_auto_approve(value: Any, file: str, key: str) -> AutoApprovePolicy | None:
    """A checklist's `auto_approve` table as a policy; `false` turns a default checklist's policy off (None)."""
    from ..analytics.policy import AutoApprovePolicy, PolicyError

    if value is False:
        return None
    try:
        return AutoApprovePolicy.from_config(value, key)
    except PolicyError as exc:
        raise ConfigError(f"{file}: {exc}") from None


def parse_team(config: Config, calibration: dict, file: str) -> None:
    """[calibration] onto the config, then check what the checklists' stages and auto_approve need."""
    config.calibration = parse_section(CalibrationConfig, calibration, file, "calibration")
    check_team(config, file)


def check_team(config: Config, file: str) -> None:
    """Every checklist's stages can be signed (each stage's role has someone, none twice) and an audit role
    exists: the first problem as a one-line ConfigError."""

    for name, checklist in config.checklists.items():
        if checklist.stages:
            problems = check_stages(checklist.stages, config.roles, f"checklists.{name}.stages")
            if problems:
                raise ConfigError(f"{file}: {problems[0]}")
        policy = checklist.auto_approve
        if policy is not None and policy.audit_by and not config.roles.get(policy.audit_by):
            raise ConfigError(f"{file}: checklists.{name}.auto_approve.audit_by: no one holds the role "
                              f"'{policy.audit_by}': add roles.{policy.audit_by} = [\"name\", …]")


def parse_roles(table: object, file: str = "hitl.toml", key: str = "roles") -> dict[str, list[str]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: {key}: expected a table like roles.legal = [\"dana\"], got {table!r}")
    roles = {}
    for role, names in table.items():
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise ConfigError(f"{file}: {key}.{role}: expected a list of reviewer names, got {names!r}")
        roles[role] = [n.strip() for n in names]
    return roles


def parse_stages(value: object, file: str = "hitl.toml", key: str = "checklists.default.stages") -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise ConfigError(f"{file}: {key}: expected a list of role names in sign-off order, got {value!r}")
    return [s.strip() for s in value]


def check_stages(stages: list[str], roles: dict[str, list[str]], key: str = "stages") -> list[str]:
    problems = []
    for stage in stages:
        if not roles.get(stage):
            problems.append(f"{key}: stage '{stage}' has nobody to sign it: add roles.{stage} = [\"name\", …]")
        if stages.count(stage) > 1 and f"{key}: stage '{stage}' is listed twice" not in problems:
            problems.append(f"{key}: stage '{stage}' is listed twice")
    return problems

"""The team's settings in hitl.toml (issue 13): roles, sign-off stages, auto-approval and calibration.

Core module (pure). `config.parse_config` calls these; each problem is a one-line `ConfigError` naming the key.

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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..analytics.policy import AutoApprovePolicy
    from ..config import Config

RESHOW_TO = ("same", "other")


@dataclass
class CalibrationConfig:
    """[calibration]: the share of judged variants re-shown, blind, to whom and how long after the decision."""
    reshow: float = 0.0
    to: str = "same"
    delay_hours: float = 24.0
    seed: int = 0


def _error(message: str):
    from ..config import ConfigError

    return ConfigError(message)


def parse_checklist_team(table: dict, file: str, prefix: str) -> tuple[list[str] | None, AutoApprovePolicy | None]:
    """A checklist's `stages` (None when not given) and `auto_approve` policy (None when off or not given)."""
    stages = None
    if "stages" in table:
        from .signoff import parse_stages

        stages = parse_stages(table["stages"], file, f"{prefix}stages")
    raw = table.get("auto_approve")
    if raw is None or raw is False:
        return stages, None  # off: the policy module (and statistics) is not loaded by every start-up
    from ..analytics.policy import AutoApprovePolicy, PolicyError

    try:
        return stages, AutoApprovePolicy.from_config(raw, f"{prefix}auto_approve")
    except PolicyError as exc:
        raise _error(f"{file}: {exc}") from None


def parse_team(config: Config, roles: Any, calibration: Any, file: str) -> None:
    """[roles] and [calibration] onto the config, then check what the checklists' stages and auto_approve need."""
    from .signoff import parse_roles

    config.roles = parse_roles(roles, file)
    config.calibration = parse_calibration(calibration, file)
    check_team(config, file)


def parse_calibration(table: Any, file: str) -> CalibrationConfig:
    if not isinstance(table, dict):
        raise _error(f"{file}: calibration: expected a table, got {table!r}")
    allowed = {"reshow", "to", "delay_hours", "seed"}
    for key in table:
        if key not in allowed:
            raise _error(f"{file}: unknown key 'calibration.{key}' (expected one of: {', '.join(sorted(allowed))})")
    c = CalibrationConfig()
    reshow = table.get("reshow", c.reshow)
    if isinstance(reshow, bool) or not isinstance(reshow, (int, float)) or not 0 <= reshow <= 1:
        raise _error(f"{file}: calibration.reshow: expected a share between 0 and 1, got {reshow!r}")
    to = table.get("to", c.to)
    if to not in RESHOW_TO:
        raise _error(f"{file}: calibration.to: expected \"same\" or \"other\", got {to!r}")
    delay = table.get("delay_hours", c.delay_hours)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise _error(f"{file}: calibration.delay_hours: expected a number of hours, 0 or more, got {delay!r}")
    seed = table.get("seed", c.seed)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _error(f"{file}: calibration.seed: expected a whole number, got {seed!r}")
    return CalibrationConfig(float(reshow), to, float(delay), seed)


def check_team(config: Config, file: str) -> None:
    """Every checklist's stages can be signed (each stage's role has someone, none twice) and an audit role
    exists: the first problem as a one-line ConfigError."""
    from .signoff import check_stages

    for name, checklist in config.checklists.items():
        if checklist.stages:
            problems = check_stages(checklist.stages, config.roles, f"checklists.{name}.stages")
            if problems:
                raise _error(f"{file}: {problems[0]}")
        policy = checklist.auto_approve
        if policy is not None and policy.audit_by and not config.roles.get(policy.audit_by):
            raise _error(f"{file}: checklists.{name}.auto_approve.audit_by: no one holds the role "
                         f"'{policy.audit_by}': add roles.{policy.audit_by} = [\"name\", …]")

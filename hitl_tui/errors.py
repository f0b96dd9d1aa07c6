"""The one exception family of hitl: a problem the user can fix, told in one line.

`cli.main` prints any `HitlError` as `hitl: <message>` on stderr and exits with code 2; the review station checks
what it can before it takes over the terminal, so the same line reaches the user there too. Core module: imports
nothing of ours, neither textual nor litellm.
"""

from __future__ import annotations


class HitlError(Exception):
    """A problem the user can act on; its message is one line naming what is wrong and what to do."""

    exit_code = 2


class UsageError(HitlError):
    """A command used wrongly: a missing brief, a bad flag value."""


class WorkspaceError(HitlError):
    """No workspace where one is expected, or one hitl cannot use."""


class ConfigError(HitlError, ValueError):
    """A hitl.toml or per-user config problem, naming the file, the key and what was expected."""


class StoreError(HitlError):
    """The log (hitl.db) cannot be used as asked: damaged, from a newer hitl, read-only, busy or closed."""

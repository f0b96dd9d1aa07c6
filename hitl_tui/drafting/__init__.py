"""Drafting service: litellm streaming (lazily loaded), retries, timeouts, cancellation, the offline drafter.

Names are loaded on first use: the review station imports `drafting.client` before its first frame and must not
pay for the engine's imports there.
"""

from importlib import import_module

_EXPORTS = {"DraftEngine": "engine", "describe_failure": "errors", "Outcome": "events", "StreamEvent": "events"}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)

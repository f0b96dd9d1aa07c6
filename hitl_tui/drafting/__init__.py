"""Drafting service: litellm streaming (lazily loaded), retries, timeouts, cancellation, the offline drafter."""

from .engine import DraftEngine, Outcome, StreamEvent, describe_error

__all__ = ["DraftEngine", "Outcome", "StreamEvent", "describe_error"]

"""hitl-tui: a terminal review station for human-in-the-loop marketing copy."""

__version__ = "0.1.0"

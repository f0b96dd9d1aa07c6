"""The one slug function: outbox file names and checklist item ids, in the title's own script.

Core module, and on the way to the first frame (hitl.toml's checklist items get their ids from it): it imports
only unicodedata.
"""

from __future__ import annotations

import unicodedata


def slugify(title: str, fallback: str = "brief", max_length: int = 60) -> str:
    """A file-name-safe slug in the title's own script: letters, digits and combining marks (Unicode categories L,
    N, M) kept and lower-cased, every other run of characters one hyphen. Never empty, never a path. NFKC first,
    so a decomposed ü (as macOS file names have it) and full-width Ｓ give the same slug as ü and S."""
    text = unicodedata.normalize("NFKC", title).lower()
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    slug = "-".join(kept.split())[:max_length].strip("-")
    return slug or fallback

"""`[learning]` in hitl.toml: voice memory, rule mining and low scores. Declared here, apart from voice_memory.py,
so that reading hitl.toml does not load the voice memory itself (tests/test_startup_lean.py).

Core module: imports neither textual nor litellm.
"""

from __future__ import annotations

from ..records import record
from ..settings import parse_section, setting


@record
class LearningSettings:
    """`[learning]` in hitl.toml."""
    examples: int = setting(3, "approved examples per prompt (voice memory); 0 turns them off", low=0, high=20)
    example_tokens: int = setting(1200, "token budget for the examples", low=0, high=100_000)
    performance_weight: float = setting(0.5, "how much published results count against scores once they exist, 0-1",
                                        low=0, high=1)
    min_pieces: int = setting(3, "an edit pattern is proposed as a rule once it recurs in this many briefs",
                              low=2, high=1000)
    low_score: int = setting(2, "a score at or below this is sent back with a revise", low=1, high=4)


def parse_learning(table: dict, file: str = "hitl.toml") -> LearningSettings:
    """Validate a `[learning]` table; a wrong key or value is a ConfigError naming the file and key."""
    return parse_section(LearningSettings, table, file, "learning")

"""The three statuses of a gate result. Apart from gates.py so that the station's widgets can name them without
loading the gates (their patterns and counters) on the way to the first frame (tests/test_startup_lean.py).

Core module: imports neither textual nor litellm.
"""

PASS, FAIL, WARN = "pass", "fail", "warn"

"""The station's start-up stays lean: what `hitl` loads before it draws the queue leaves out the feature views,
the team's approval rules, rule mining, the analytics and the heavy libraries. They load on first use, after the
first frame (tests/bench: first_frame). A new top-level import that drags one of them back in fails here."""

from __future__ import annotations

import subprocess
import sys

from hitl_tui.workspace import init_workspace

# Loaded on first use, never before the first frame.
NOT_AT_START = [
    # feature views and the dialogs
    *(f"hitl_tui.ui.screens.{m}" for m in ("compare", "stats", "claims", "waiting", "ask_expert", "reshow",
                                           "revise", "feedback", "rules", "diff", "modals")),
    # the team's rules, learning, the analytics beyond what the store's queries need
    "hitl_tui.team.approve", "hitl_tui.team.variant", "hitl_tui.approval.claims", "hitl_tui.learning.mining",
    "hitl_tui.analytics.policy", "hitl_tui.analytics.results", "hitl_tui.analytics.summary",
    "hitl_tui.analytics.activity", "hitl_tui.store.feature_rows", "hitl_tui.approval.signoff",
    "hitl_tui.learning.voice_memory", "hitl_tui.learning.rules_file",  # (a workspace without learned rules)
    "hitl_tui.gates", "hitl_tui.briefs",  # the first brief is read, and its gates worked out, after the first frame
    # drafting: the engine and litellm run in the worker process only; the inbox starts after the first frame
    "hitl_tui.drafting.engine", "hitl_tui.drafting.events", "hitl_tui.inbox", "litellm",
    # heavy libraries
    "numpy", "krippendorff", "rich.markdown", "textual.widgets._markdown", "statistics", "csv", "hashlib",
    # what only writing needs: saving settings, the starter file, learned rules
    "tomli_w", "argparse",
]

START_UP = """
import sys
from pathlib import Path
from hitl_tui.cli import plain_review_args
from hitl_tui.workspace import Workspace
assert plain_review_args(["-w", sys.argv[1]]) is not None  # a plain `hitl`: the full parser is not built
ws = Workspace.load(Path(sys.argv[1]))
import hitl_tui.ui.run, hitl_tui.ui.app
hitl_tui.ui.app.HitlApp(ws)
print(" ".join(sorted(set(sys.argv[2:]) & set(sys.modules))))
"""


def test_station_start_up_loads_no_feature_module(tmp_path):
    init_workspace(tmp_path)  # the starter hitl.toml: checklists, rubric, voices as a new team has them
    result = subprocess.run([sys.executable, "-c", START_UP, str(tmp_path), *NOT_AT_START],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


DATACLASSES_WHERE = START_UP.replace('print(" ".join(sorted(set(sys.argv[2:]) & set(sys.modules))))', """
import dataclasses
for name, module in sorted(sys.modules.items()):
    if name.startswith("hitl_tui"):
        for cls in [v for v in vars(module).values() if isinstance(v, type)]:
            for c in (cls, *(v for v in vars(cls).values() if isinstance(v, type))):  # and nested messages
                if dataclasses.is_dataclass(c) and c.__module__ == name and (CONDITION):
                    print(f"{name}.{c.__qualname__}")
""")


def start_up_dataclasses_where(tmp_path, condition: str) -> list[str]:
    """The dataclasses (`c`) that `hitl` defines before its first frame and that meet `condition`."""
    init_workspace(tmp_path)
    result = subprocess.run([sys.executable, "-c", DATACLASSES_WHERE.replace("CONDITION", condition), str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_every_mutable_dataclass_loaded_at_start_up_is_a_record(tmp_path):
    """A `@dataclass` compiles its __init__, __repr__ and __eq__ when it is defined (~0.44 ms); a `@record`
    (records.py) compiles only __init__. The ~30 defined before the first frame cost ~6 ms of it as dataclasses."""
    condition = 'not c.__dataclass_params__.frozen and "__record_compared__" not in vars(c)'
    assert start_up_dataclasses_where(tmp_path, condition) == []


def test_every_dataclass_loaded_at_start_up_says_what_it_is(tmp_path):
    """A dataclass without a docstring gets one made from its signature when it is defined (inspect.signature,
    ~0.2 ms each); at start-up, 27 of them cost ~5 ms of the first frame. A docstring saves that and the reader."""
    assert start_up_dataclasses_where(tmp_path, 'c.__doc__.startswith(c.__name__ + "(")') == []


async def test_the_first_frame_goes_out_with_a_short_switch_interval_then_the_usual_one(tmp_path):
    """Textual's writer thread takes the first frame to the terminal; with Python's usual 5 ms switch interval it
    waited that long for the GIL while start-up went on (tests/bench: first_frame). The station shortens the
    interval only until its start-up work after the first frame is done: a whole session with it would spend the
    main thread's time on switching."""
    import asyncio

    from waiting import wait_until

    from hitl_tui.ui.app import FRAME_SWITCH_INTERVAL, HitlApp
    from hitl_tui.workspace import Workspace

    init_workspace(tmp_path, examples=True)
    ws = Workspace.load(tmp_path, reviewer="tester")
    ws.config.drafting.auto_draft = False
    usual = sys.getswitchinterval()
    at_first_frame: list[float] = []

    class Station(HitlApp):
        async def _start_services(self):
            at_first_frame.append(sys.getswitchinterval())
            await super()._start_services()

    app = Station(ws)
    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: app.review.current_name is not None)  # the first brief opened after the frame
        await wait_until(lambda: sys.getswitchinterval() == usual, what="the usual switch interval is back")
        await asyncio.sleep(0)
    assert at_first_frame == [FRAME_SWITCH_INTERVAL]
    assert sys.getswitchinterval() == usual

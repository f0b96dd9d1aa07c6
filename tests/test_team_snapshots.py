"""Snapshots of the team's views (issue 13): a variant with its sign-off stages and a question under the gates, the
ask dialog, the claims register, and what waits on an expert. Deterministic like test_snapshots.py: the offline
drafter, a fixed reviewer; the question is asked through the log as a colleague's station would.
Update after an intended visual change with `pytest tests/test_team_snapshots.py --snapshot-update`."""

from __future__ import annotations

import pytest
from test_snapshots import drafted, station

from hitl_tui.store import Store
from hitl_tui.ui.app import HitlApp
from hitl_tui.workspace import Workspace

TEAM = """
[roles]
editor = ["tester", "ana"]
legal = ["dana"]
"""


def team_station(tmp_path, reviewer: str = "tester") -> HitlApp:
    app = station(tmp_path)
    root = app.ws.root
    toml = (root / "hitl.toml").read_text().replace('[checklists.email]\n', '[checklists.email]\nstages = ["editor", "legal"]\n')
    (root / "hitl.toml").write_text(toml + TEAM)
    return HitlApp(Workspace.load(root, reviewer=reviewer))


async def ask(app: HitlApp, asked_of: str, text: str, of_role: bool) -> None:
    async with Store.opened(app.ws.db_path, "ana") as store:
        await store.ask(app.review.current_state.draft_id, asked_of, text, of_role=of_role)


async def settled(pilot, predicate) -> None:
    from waiting import wait_until

    await wait_until(predicate)
    pilot.app.clear_notifications()  # a toast's lifetime is timing, not the look
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_signed_stage_and_question_under_the_gates(snap_compare, tmp_path, size):
    async def signed(pilot):
        await drafted(pilot)
        await ask(pilot.app, "legal", "Is 20% off for every plan?", of_role=True)
        await pilot.press("c", "space", "escape", "a")  # the required checklist item, then sign
        await settled(pilot, lambda: "editor ✓ tester" in pilot.app.review.team_text.plain
                      and "open" in pilot.app.review.team_text.plain)

    assert snap_compare(team_station(tmp_path), terminal_size=size, run_before=signed)


def test_ask_dialog(snap_compare, tmp_path):
    async def asking(pilot):
        await drafted(pilot)
        await pilot.press("k", "down")
        await pilot.press(*"Can we say 20% off?")
        await pilot.pause(0.3)

    assert snap_compare(team_station(tmp_path), terminal_size=(120, 40), run_before=asking)


def test_claims_register(snap_compare, tmp_path):
    async def claims(pilot):
        await drafted(pilot)
        await pilot.press("l")
        await settled(pilot, lambda: getattr(pilot.app.screen, "claims", None))

    assert snap_compare(team_station(tmp_path), terminal_size=(120, 40), run_before=claims)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_what_waits_on_legal(snap_compare, tmp_path, size):
    async def waiting(pilot):
        await drafted(pilot)
        await ask(pilot.app, "legal", "Is 20% off for every plan?", of_role=True)
        await settled(pilot, lambda: pilot.app.review.questions_seen)  # told (and the toast cleared) first
        await pilot.press("w")
        await settled(pilot, lambda: getattr(pilot.app.screen, "items", None))

    assert snap_compare(team_station(tmp_path, reviewer="dana"), terminal_size=size, run_before=waiting)

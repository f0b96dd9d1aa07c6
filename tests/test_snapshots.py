"""Snapshots of the station's main states at 80×24 and 120×40 (pytest-textual-snapshot).

Deterministic on purpose: the offline drafter (fast), one valid and one broken brief, a fixed reviewer name.
Update after an intended visual change with `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import tomllib

import pytest
import tomli_w
from waiting import wait_until

from hitl_tui.ui.app import HitlApp
from hitl_tui.workspace import Workspace, init_workspace

SALE = {"title": "Spring sale: 20% off", "brief": "Paid plans add unlimited projects and brand kits.",
        "channel": "email", "audience": "design studios", "cta": "Upgrade now", "must_include": ["20% off"],
        "banned": ["unlimited"], "max_words": 120, "variants": 3}


def station(tmp_path, models: int = 1) -> HitlApp:
    root = tmp_path / "ws"
    init_workspace(root, examples=False)
    config = tomllib.loads((root / "hitl.toml").read_text())
    config["drafting"]["models"] = ["hitl-offline/fast"] if models == 1 else \
        [{"model": "hitl-offline/fast", "label": f"model {chr(97 + m)}"} for m in range(models)]
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    (root / "briefs" / "a-spring-sale.toml").write_text(tomli_w.dumps(SALE))
    (root / "briefs" / "b-broken.toml").write_text('title = "Broken brief"\nmax_words = "many"\n')
    return HitlApp(Workspace.load(root, reviewer="tester"))


async def drafted(pilot, variants: int = 3) -> None:
    """Wait until every variant is done and shown, and nothing is left to load, then show each from the top."""
    app = pilot.app

    def settled() -> bool:
        busy = any(not w.is_finished for w in app.workers if w.group in ("details", "reload", "queue-refresh"))
        return len(app.review.states) == variants and all(s.status == "done" for s in app.review.states.values()) and not busy \
            and not app.review.streams

    try:
        await wait_until(settled)  # it used to go on after 20 s whatever the state: a wrong snapshot under load
    except AssertionError as exc:  # say where it stuck: which variants, which workers, which streams
        busy = [(w.group, w.name, w.state.name) for w in app.workers if not w.is_finished]
        states = {k: (s.status, len(s.text)) for k, s in app.review.states.items()}
        raise AssertionError(f"{exc}\nstates {states}; busy workers {busy}; streams {list(app.review.streams)}; "
                             f"engine {app.engine!r}") from None
    await pilot.pause(0.3)
    for body in app.query(".pane-body"):  # streamed panes follow the end; whether they streamed is timing
        body.scroll_home(animate=False, immediate=True)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_station_with_drafts(snap_compare, tmp_path, size):
    assert snap_compare(station(tmp_path), terminal_size=size, run_before=drafted)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_invalid_brief_selected(snap_compare, tmp_path, size):
    async def select_broken(pilot):
        await drafted(pilot)
        await pilot.press("n")
        await pilot.pause(0.2)

    assert snap_compare(station(tmp_path), terminal_size=size, run_before=select_broken)


def test_scored_and_second_variant(snap_compare, tmp_path):
    async def score(pilot):
        await drafted(pilot)
        await pilot.press("4", "3", "5", "tab")
        await pilot.pause(0.2)

    assert snap_compare(station(tmp_path), terminal_size=(120, 40), run_before=score)


def test_help_screen(snap_compare, tmp_path):
    async def help_screen(pilot):
        await drafted(pilot)
        await pilot.press("f1")
        await pilot.pause(0.2)

    assert snap_compare(station(tmp_path), terminal_size=(120, 40), run_before=help_screen)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_twelve_variants_page_like_tabs(snap_compare, tmp_path, size):
    """3 variants × 4 models: two readable panes at 120 columns (one at 80), the sixth current, the rest counted."""
    async def sixth(pilot):
        await drafted(pilot, variants=12)
        await pilot.press(*["tab"] * 5)
        await pilot.pause(0.2)

    assert snap_compare(station(tmp_path, models=4), terminal_size=size, run_before=sixth)

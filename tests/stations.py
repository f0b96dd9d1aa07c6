"""A station open on a workspace for the review tests, waiting on state with a generous hang guard: on a busy 2-core
machine the drafting worker alone can take many seconds to import litellm."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from test_ui import drop, make_workspace, panes_done, wait_until

from hitl_tui.ui.app import HitlApp

HANG_GUARD = 60.0  # seconds; only a guard against hanging, never what a test measures


async def settle(predicate):
    return await wait_until(predicate, timeout=HANG_GUARD)


def toasts(app: HitlApp) -> list[str]:
    """Notifications so far (headless runs keep them without mounting toasts)."""
    return [n.message for n in app._notifications]


@asynccontextmanager
async def station(tmp_path: Path, server, size: tuple[int, int] = (120, 40), briefs: dict | None = None,
                  variants: int = 2, **workspace):
    """A workspace with `briefs` ({file name: fields}; the sale brief by default) dropped in, the station open on
    the first with all its variants done."""
    ws = make_workspace(tmp_path / "ws", server, **workspace)
    for name, fields in (briefs or {"sale.toml": {}}).items():
        drop(ws, name, **fields)
    app = HitlApp(ws)
    async with app.run_test(size=size) as pilot:
        await settle(lambda: app.review.shown_name is not None and panes_done(app, variants))
        yield ws, app, pilot

"""Faults a user trial of issues 8/9 found in the station: what the queue says of drafts that all failed, the
gates panel from the keyboard, a score typed while the disk is full."""

from __future__ import annotations

from waiting import wait_until

from hitl_tui.ui.app import HitlApp
from hitl_tui.ui.widgets.queue import BriefQueue, row_label


def queue_line(app: HitlApp, name: str) -> str:
    """The queue's row for a brief as it is drawn (its title line and its status line)."""
    return " ".join(t.plain for t in row_label(app.review.query_one(BriefQueue).row(name), app.instance))


async def _end_all_drafts(app: HitlApp, name: str, statuses: list[str]) -> None:
    """The drafter created a brief's variants and each ended as given (a provider down, a worker killed)."""
    row = await app.store.brief_by_name(name)
    created = await app.store.create_drafts(row.current_version_id, [(v, "m", "m", 0.7) for v in
                                                                        range(len(statuses))], "v1")
    for (_draft, revision), status in zip(created, statuses):
        if status == "interrupted":
            await app.store.interrupt_revision(revision, "", "the app went away")
        else:
            await app.store.finish_revision(revision, status=status, text="", error="Connection refused")


async def test_a_brief_whose_drafts_all_failed_does_not_say_ready(workspace):
    workspace.config.drafting.auto_draft = False  # the drafts here are the ones this test ends
    app = HitlApp(workspace, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: app.ready.is_set() and len(app.review.rows) >= 3)
        names = [r.name for r in app.review.rows]
        await _end_all_drafts(app, names[0], ["failed", "failed", "interrupted"])
        await _end_all_drafts(app, names[1], ["interrupted", "interrupted"])
        await _end_all_drafts(app, names[2], ["failed", "done"])
        await app.review.refresh_queue()
        await pilot.pause()
        opened, interrupted, some = (queue_line(app, n) for n in names[:3])
        assert app.review.current_name == names[0] and "yours · failed · 0/3" in opened, opened  # open here, failed
        assert "interrupted · 0/2" in interrupted and "ready" not in interrupted, interrupted
        assert "ready · 1/2" in some, some  # one variant to review: ready
        await pilot.press("down")  # the reviewer moves on: the failed brief is no longer theirs
        await wait_until(lambda: app.review.current_name == names[1])
        failed = queue_line(app, names[0])
        assert "failed · 0/3" in failed and "ready" not in failed, failed


# ---------------------------------------------------------------------------------------------------- a refused score

async def refuse_writes(app: HitlApp, refuse: bool) -> None:
    """A real SQLite refusal on the station's own connection, no mocks. (A score is small enough to fit in a page
    that has room, so capping the file's pages, as the full-disk edit tests do, does not reliably refuse it.)"""
    await app.store.db.execute(f"PRAGMA query_only = {'ON' if refuse else 'OFF'}")


def score_card(app: HitlApp) -> str:
    from hitl_tui.ui.widgets.review_panel import ScoreCard

    card = app.review.query_one(ScoreCard)
    return f"{card.border_title}\n{card.content}"


async def test_a_score_the_log_refuses_is_kept_shown_and_saved_when_the_log_takes_it(tmp_path, llm_server):
    from stations import settle, station, toasts
    from test_ui import observed

    async with station(tmp_path, llm_server) as (ws, app, pilot):
        draft = app.review.current_state.draft_id
        first = list(app.config.rubric)[0]
        await refuse_writes(app, True)
        await pilot.press("4")
        await settle(lambda: any("Could not write to hitl.db" in t and "kept" in t for t in toasts(app)))
        assert app.is_running
        assert app.review.scores.get(first) == 4 and "not saved" in score_card(app), score_card(app)  # still on screen
        async with observed(ws) as store:
            assert not await store.fetchall("SELECT 1 FROM scores WHERE draft_id=?", (draft,))
            await refuse_writes(app, False)  # the log takes writes again: the retry saves it
            rows = await settle(lambda: store.fetchall("SELECT value FROM scores WHERE draft_id=? AND dimension=?",
                                                       (draft, first)))
            assert [r["value"] for r in rows] == [4]
        await settle(lambda: "not saved" not in score_card(app))
        assert any("Saved" in t and "score" in t for t in toasts(app))


async def test_quitting_with_a_score_the_log_refused_says_what_was_not_saved(tmp_path, llm_server):
    from stations import settle, station, toasts

    async with station(tmp_path, llm_server) as (ws, app, pilot):
        first = list(app.config.rubric)[0]
        await refuse_writes(app, True)
        await pilot.press("3")
        await settle(lambda: any("Could not write to hitl.db" in t for t in toasts(app)))
        await pilot.press("q")
    assert app._exception is None
    notes = "\n".join(app.exit_notes)
    assert "could not be saved" in notes and "score" in notes and f"{first} = 3" in notes, notes


# ---------------------------------------------------------------------------------------------------- the gates panel

def dark_mode_station(tmp_path) -> HitlApp:
    """The example brief the user trial saw it with (dark-mode-x: seven gates), offline drafts, with a word limit
    the drafts exceed so that gates fail with their messages, as in the trial."""
    import tomllib
    from pathlib import Path

    import tomli_w
    from test_snapshots import station as offline_station

    app = offline_station(tmp_path)
    for brief in (app.ws.inbox).iterdir():
        brief.unlink()
    fields = tomllib.loads((Path(__file__).parent.parent / "briefs" / "dark-mode-x.toml").read_text())
    fields["max_words"] = 8
    (app.ws.inbox / "dark-mode-x.toml").write_text(tomli_w.dumps(fields))
    return app


async def gates_shown(pilot) -> None:
    from test_snapshots import drafted

    await drafted(pilot)
    gates = pilot.app.review.query_one("#gates")
    await wait_until(lambda: pilot.app.review.current_state and len(pilot.app.review.current_state.gates) >= 7 and gates.max_scroll_y > 0)  # more than the panel shows


async def test_every_gate_is_reachable_from_the_keyboard(tmp_path):
    from hitl_tui.gates import FAIL

    app = dark_mode_station(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await gates_shown(pilot)
        gates = app.review.query_one("#gates")
        assert any(r.status == FAIL for r in app.review.current_state.gates)
        assert "more" in str(gates.border_subtitle) and "G" in str(gates.border_subtitle)  # says there is more
        await pilot.press("G")
        assert app.focused is gates
        await pilot.press("end")
        await wait_until(lambda: gates.scroll_y == gates.max_scroll_y)  # the last gate is in view
        await pilot.press("home", "pagedown")
        await wait_until(lambda: gates.scroll_y > 0)
        await pilot.press("escape")  # back to the variant, not lost in the panel
        assert app.focused is app.review.current_pane


def test_gates_panel_scrolled_to_its_end_at_120x40(snap_compare, tmp_path):
    async def to_the_last_gate(pilot):
        await gates_shown(pilot)
        await pilot.press("G", "end")
        await pilot.pause(0.2)

    assert snap_compare(dark_mode_station(tmp_path), terminal_size=(120, 40), run_before=to_the_last_gate)


async def test_quitting_does_not_wait_forever_on_a_transaction_that_never_ends(workspace):
    """Quitting releases this station's claims in one write; a transaction that never ends (here: a task stuck
    inside one; in a full suite once, the log's lock with no task left holding it) made that wait forever, so the
    station never exited. The wait is bounded: the claims run out by themselves, the log is closed."""
    import asyncio

    workspace.config.drafting.auto_draft = False
    app = HitlApp(workspace, watch=False)
    stuck_inside, never = asyncio.Event(), asyncio.Event()

    async def stuck_transaction(store):
        async with store.tx():
            stuck_inside.set()
            await never.wait()

    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: app.ready.is_set())
        holder = asyncio.ensure_future(stuck_transaction(app.store))
        await asyncio.wait_for(stuck_inside.wait(), 60)
        store = app.store
        await asyncio.wait_for(app.save_and_exit("quit"), 60)  # a hang guard: it used to wait forever here
        assert app.store is None and store._db is None  # the log is closed
    holder.cancel()


# ---------------------------------------------------------------------------------------------------- the score card

def card_lines(card) -> list[str]:
    """The score card's lines as the terminal shows them (wrapped to its width)."""
    return [line.plain.rstrip() for line in card.content.wrap(card.app.console, card.content_region.width)]


async def test_the_score_card_shows_every_dimension_and_both_anchors_within_its_box_at_120x40(tmp_path):
    from test_snapshots import drafted, station as offline_station

    app = offline_station(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await drafted(pilot)
        card, details = app.review.query_one("#scores"), app.review.query_one("#details")
        rubric = app.config.rubric
        for moves in range(len(rubric)):  # each dimension in turn has the focus, with its own anchors
            lines = card_lines(card)
            assert card.region.bottom <= details.region.bottom, (card.region, details.region)  # its border shows
            assert len(lines) <= card.content_region.height, (card.content_region.height, lines)  # nothing cut off
            assert sum(line.startswith(("▶", "  ")) and "○" in line or "●" in line for line in lines) >= len(rubric)
            assert any(line.startswith("1 = ") for line in lines) and any(line.startswith("5 = ") for line in lines), lines
            await pilot.press("3")  # scored: the next dimension has the focus
            await wait_until(lambda: app.review.dim_index == min(moves + 1, len(rubric) - 1))

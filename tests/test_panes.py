"""Many variants stay readable: panes keep a minimum width and page like tabs; the gates panel lists every gate of
the focused variant with its source, and the checklist lives in its own panel only."""

from __future__ import annotations

from stations import station

from hitl_tui.ui.widgets.draft_pane import DraftPane
from hitl_tui.ui.widgets.pane_strip import MIN_PANE_WIDTH


def four_models(server) -> dict:
    return {"drafting": {"variants": 3, "models": [
        {"model": "openai/ok-30", "api_base": server.base_url, "label": f"model-{m}"} for m in "abcd"]}}


def shown(app) -> list[DraftPane]:
    return [p for p in app.query(DraftPane) if p.display]


async def test_twelve_variants_at_120_columns_page_like_tabs(tmp_path, llm_server):
    async with station(tmp_path, llm_server, variants=12, briefs={"sale.toml": {"variants": 3}},
                       **four_models(llm_server)) as (ws, app, pilot):
        await pilot.pause()
        panes = shown(app)
        assert len(app.review.order) == 12 and len(panes) == 2
        assert all(p.size.width >= MIN_PANE_WIDTH for p in panes)
        assert max(len(line.rstrip()) for line in panes[0].body.lines_text()) >= 25  # words, not letters
        assert [p.border_title for p in panes] == ["v1/12", "v2/12 · 10 ▶"]

        await pilot.press(*["tab"] * 5)  # the window follows the current variant, one step at a time
        await pilot.pause()
        assert app.review.pane_index == 5 and app.review.current_pane in shown(app)
        assert [p.border_title for p in shown(app)] == ["◀ 4 · v5/12", "v6/12 · 6 ▶"]

        await pilot.press(*["shift+tab"] * 6)  # back past the first: round to the last
        await pilot.pause()
        assert app.review.pane_index == 11
        assert [p.border_title for p in shown(app)] == ["◀ 10 · v11/12", "v12/12"]

        await pilot.resize_terminal(80, 24)  # narrow: one at a time, still saying where it is
        await pilot.pause()
        assert shown(app) == [app.review.current_pane] and app.review.current_pane.border_title == "◀ 11 · v12/12"
        await pilot.resize_terminal(120, 40)  # and back: the layout follows each resize, not the one before
        await pilot.pause()
        assert len(shown(app)) == 2 and not app.has_class("narrow")


async def test_gates_panel_lists_every_gate_with_its_source_and_leaves_the_checklist_to_its_panel(
        tmp_path, llm_server):
    async with station(tmp_path, llm_server) as (ws, app, pilot):
        await pilot.pause()
        gates = app.review.current_state.gates
        panel = str(app.query_one("#gates .gates-text").render())
        assert {g.status for g in gates} >= {"pass", "fail"}
        flat = " ".join(panel.split())
        for g in gates:  # passing ones too, each with where its rule comes from; what is wrong with the others
            assert g.label in flat and g.source in flat, g
            if g.status != "pass":
                assert f"{g.label}: {' '.join(g.message.split())}" in flat, g
        assert panel.index("✗") < panel.index("✓")  # what needs attention first
        checklist_items = [i.text for i in app.review.spec.manual_items]
        assert checklist_items and not any(text in panel for text in checklist_items)
        checklist = app.query_one("#checklist")
        assert all(any(text in str(checklist.get_option_at_index(n).prompt) for n in range(checklist.option_count))
                   for text in checklist_items)

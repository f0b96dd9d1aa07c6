"""The small dialogs' keys come from the action table (hitl_tui/keymap.py) like every screen's: remappable under
`[keys]`, in the palette of the dialog, and a clash with another key of the same dialog (or one it keeps fixed) is
reported. Driven by Pilot against the real store and the local OpenAI-compatible server."""

from __future__ import annotations

from test_ui import reviewing
from waiting import wait_until

from hitl_tui.keymap import ACTIONS, key_clashes
from hitl_tui.ui.screens.diff import DiffScreen
from hitl_tui.ui.screens.modals import TextPrompt

DEFAULTS = {a.id: a.key for a in ACTIONS}


async def test_a_remapped_dialog_key_works_there_and_its_hint_and_palette_say_so(tmp_path, llm_server):
    """[keys] diff_close = "c", prompt_cancel = "f2": the diff closes with c only; the note prompt cancels with f2."""
    keys = {"diff_close": "c", "prompt_cancel": "f2"}
    async with reviewing(tmp_path, llm_server, keys=keys) as (ws, app, pilot):
        await pilot.press("d")
        diff = await wait_until(lambda: isinstance(app.screen, DiffScreen) and app.screen)
        assert str(diff.query(".dialog.diff Label").last().render()).endswith("c closes")
        assert {c.title: c.help for c in app.get_system_commands(diff)}["Close"] == "diff_close (c)"
        await pilot.press("escape")  # no longer the diff's key
        await pilot.pause(0.2)
        assert app.screen is diff
        await pilot.press("c")
        await wait_until(lambda: app.screen is app.review)
        await pilot.press("o")
        prompt = await wait_until(lambda: isinstance(app.screen, TextPrompt) and app.screen)
        assert "f2 to cancel" in str(prompt.query(".dialog Label").last().render())
        await pilot.press("f2")
        await wait_until(lambda: app.screen is app.review)


def test_a_clash_inside_a_small_dialog_is_reported_with_its_fixed_keys():
    assert key_clashes(DEFAULTS) == []
    [warning] = key_clashes(DEFAULTS | {"diff_older": "n"})  # the diff's "newer" key
    assert "diff_newer and diff_older are both on 'n': 'n' does diff_older, diff_newer does not" in warning
    assert "reshow_close and score 3 (fixed)" in key_clashes(DEFAULTS | {"reshow_close": "3"})[0]
    assert "ask_cancel and confirm what was typed (fixed)" in key_clashes(DEFAULTS | {"ask_cancel": "enter"})[0]
    assert key_clashes(DEFAULTS | {"diff_close": "x", "prompt_cancel": "a"}) == []  # x and a belong to the station

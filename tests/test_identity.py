"""Who is acting: each person under their own name on a shared workspace (--reviewer, HITL_REVIEWER, the per-user
config file, a legacy `reviewer` in hitl.toml, the login name), and each person's own theme and keys."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from hitl_tui.errors import ConfigError
from hitl_tui.workspace import Workspace, init_workspace


def hitl(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **env}
    full_env.pop("HITL_WORKSPACE", None)
    return subprocess.run([sys.executable, "-m", "hitl_tui", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=120)


def user_config(content: dict) -> Path:
    """The per-user config file, under the XDG_CONFIG_HOME the test suite points at a temp folder."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "hitl" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(content))
    return path


class Who:
    """Runs `hitl briefs` after dropping a new brief, and reads who the log says added it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.n = 0

    def __call__(self, *flags: str, **env: str) -> tuple[str, str]:
        self.n += 1
        (self.root / "briefs" / f"b{self.n}.toml").write_text(f'title = "B{self.n}"\nbrief = "x"\n')
        result = hitl(*flags, "briefs", cwd=self.root, **env)
        assert result.returncode == 0, result.stderr
        con = sqlite3.connect(self.root / "hitl.db")
        try:
            (name,) = con.execute("SELECT reviewer FROM events WHERE kind = 'brief_added' AND payload LIKE ?",
                                  (f'%"b{self.n}.toml"%',)).fetchone()
        finally:
            con.close()
        return name, result.stderr


def test_init_writes_no_reviewer_so_a_colleague_is_logged_as_themselves(tmp_path):
    assert hitl("init", "ws", cwd=tmp_path, LOGNAME="ana").returncode == 0
    root = tmp_path / "ws"
    assert "reviewer" not in tomllib.loads((root / "hitl.toml").read_text())
    who = Who(root)
    assert who(LOGNAME="bob")[0] == "bob"
    assert who(LOGNAME="ana")[0] == "ana"


def test_the_name_comes_from_the_flag_the_environment_the_user_config_then_the_login(tmp_path):
    init_workspace(tmp_path / "ws", examples=False)
    who = Who(tmp_path / "ws")
    assert who(LOGNAME="bob") == ("bob", "")
    path = user_config({"reviewer": "Bob Smith"})
    assert who(LOGNAME="bob") == ("Bob Smith", "")
    assert who(LOGNAME="bob", HITL_REVIEWER="robert")[0] == "robert"
    assert who(LOGNAME="bob", HITL_REVIEWER="")[0] == "Bob Smith"  # set but empty: not a name
    assert who("--reviewer", "bobby", LOGNAME="bob", HITL_REVIEWER="robert")[0] == "bobby"
    path.unlink()
    assert who(LOGNAME="bob")[0] == "bob"


def test_a_reviewer_left_in_hitl_toml_is_honoured_with_a_warning(tmp_path):
    init_workspace(tmp_path / "ws", examples=False)
    toml = tmp_path / "ws" / "hitl.toml"
    toml.write_text('reviewer = "ana"\n' + toml.read_text())
    who = Who(tmp_path / "ws")
    name, stderr = who(LOGNAME="bob")
    assert name == "ana"
    assert stderr.count("\n") == 1 and "shared by everyone" in stderr and "HITL_REVIEWER" in stderr
    assert who(LOGNAME="bob", HITL_REVIEWER="bob") == ("bob", "")  # a person's own name wins, quietly


def test_a_bad_name_or_user_config_is_one_line(tmp_path):
    init_workspace(tmp_path / "ws", examples=False)
    root = tmp_path / "ws"
    empty = hitl("--reviewer", " ", "briefs", cwd=root)
    assert empty.returncode == 2 and empty.stderr.count("\n") == 1 and "--reviewer" in empty.stderr
    control = hitl("briefs", cwd=root, HITL_REVIEWER="ana\x1b[2J")
    assert control.returncode == 2 and "HITL_REVIEWER" in control.stderr
    path = user_config({"reviewer": "ana", "colour": "red"})
    broken = hitl("briefs", cwd=root)
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1
    assert str(path) in broken.stderr and "colour" in broken.stderr


def test_a_persons_theme_and_keys_override_the_teams(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, examples=False)
    team = tomllib.loads((root / "hitl.toml").read_text())
    team["ui"]["theme"] = "gruvbox"
    team["keys"]["approve"] = "a"
    team["keys"]["reject"] = "X"
    (root / "hitl.toml").write_text(tomli_w.dumps(team))
    user_config({"theme": "nord", "keys": {"approve": "v"}})
    config = Workspace.load(root).config
    assert config.ui.theme == "nord" and config.keys["approve"] == "v" and config.keys["reject"] == "X"
    user_config({"keys": {"aprove": "v"}})
    with pytest.raises(ConfigError, match="did you mean 'approve'"):
        Workspace.load(root)


# ---------------------------------------------------------------- the station

async def test_two_stations_on_one_workspace_log_each_action_under_its_own_name(tmp_path, llm_server, monkeypatch):
    from test_ui import drop, make_workspace, panes_done, wait_until

    from hitl_tui.ui.app import HitlApp

    ws = make_workspace(tmp_path / "ws", llm_server)
    drop(ws, "a-sale.toml")
    drop(ws, "b-launch.toml", title="Launch")
    monkeypatch.setenv("HITL_REVIEWER", "ana")
    ana = HitlApp(Workspace.load(ws.root))
    monkeypatch.setenv("HITL_REVIEWER", "bob")
    bob_ws = Workspace.load(ws.root)
    bob_ws.config.drafting.auto_draft = False  # ana's station drafts both briefs (one drafter: not this test's job)
    bob = HitlApp(bob_ws)
    async with ana.run_test(size=(120, 40)) as pa:
        await wait_until(lambda: ana.review.current_name == "a-sale.toml" and panes_done(ana), timeout=60)
        async with bob.run_test(size=(120, 40)) as pb:  # bob starts while ana reviews the first brief
            assert "reviewing as ana" in str(ana.query_one("#title").render())
            assert "reviewing as bob" in str(bob.query_one("#title").render())
            await pa.press("4")
            await wait_until(lambda: bob.review.current_name == "a-sale.toml" and bob.review.held_elsewhere, timeout=60)
            assert "In review by ana" in bob.review.notice
            await pb.press("n")
            await wait_until(lambda: bob.review.current_name == "b-launch.toml" and panes_done(bob), timeout=60)
            await pb.press("2")
            ana_draft, bob_draft = ana.review.current_state.draft_id, bob.review.current_state.draft_id
    con = sqlite3.connect(ws.db_path)
    try:
        scores = con.execute("SELECT draft_id, reviewer, payload FROM events WHERE kind = 'score' ORDER BY id")
        assert [(d, r) for d, r, _p in scores] == [(ana_draft, "ana"), (bob_draft, "bob")]
        claims = {r for (r,) in con.execute("SELECT reviewer FROM events WHERE kind = 'claim'")}
        assert claims == {"ana", "bob"}
        rows = con.execute("SELECT draft_id, reviewer, value FROM scores ORDER BY id").fetchall()
        assert rows == [(ana_draft, "ana", 4), (bob_draft, "bob", 2)]
    finally:
        con.close()


async def test_a_theme_picked_in_the_palette_is_saved_to_the_persons_own_config(tmp_path, llm_server):
    from test_ui import make_workspace, wait_until

    from hitl_tui.ui.app import HitlApp

    path = user_config({"reviewer": "ana", "keys": {"approve": "v"}})
    ws = make_workspace(tmp_path / "ws", llm_server)
    team_before = (ws.root / "hitl.toml").read_text()
    app = HitlApp(Workspace.load(ws.root), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.action_change_theme()  # the palette's "Theme" command
        await wait_until(lambda: app.screen.is_modal)
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(lambda: app.theme == "nord")
        await wait_until(lambda: tomllib.loads(path.read_text()).get("theme") == "nord")
    assert tomllib.loads(path.read_text()) == {"reviewer": "ana", "theme": "nord", "keys": {"approve": "v"}}
    assert (ws.root / "hitl.toml").read_text() == team_before  # the team's settings are not the place
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left behind
    again = HitlApp(Workspace.load(ws.root), watch=False)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_second_reviewer_scores_beside_the_first_and_sees_their_own(tmp_path, llm_server):
    from test_ui import drop, make_workspace, observed, panes_done, wait_until

    from hitl_tui.ui.app import HitlApp

    ws = make_workspace(tmp_path / "ws", llm_server)
    drop(ws)
    ana = HitlApp(Workspace.load(ws.root, reviewer="ana"))
    async with ana.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: panes_done(ana), timeout=60)
        draft = ana.review.current_state.draft_id
        await pilot.press("4", "5")
        assert ana.query_one("#scores").border_title == "Your scores"  # nobody else yet
    bob = HitlApp(Workspace.load(ws.root, reviewer="bob"))
    async with bob.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: panes_done(bob) and bob.review.current_state.draft_id == draft, timeout=60)
        card = bob.query_one("#scores")
        await wait_until(lambda: card.border_title == "Yours · ana scored too")
        assert bob.review.scores == {} and "○○○○○ –" in str(card.render())  # bob's own card starts empty
        await pilot.press("2")
        await wait_until(lambda: bob.review.scores == {"voice": 2})
        await pilot.press("s")
        await wait_until(lambda: getattr(bob.screen, "loaded", False))
        body = bob.screen.page_text()
        assert "mean of its reviewers' scores" in body and "By reviewer" in body
        await pilot.press("escape")
    async with observed(ws) as store:
        rows = await store.score_rows()
        assert [(r.reviewer, r.dimension, r.value) for r in rows if r.draft_id == draft] == [
            ("ana", "accuracy", 5), ("ana", "voice", 4), ("bob", "voice", 2)]
        stats = await store.stats()
        assert stats["mean_scores"]["voice"] == 3.0 and stats["mean_scores_by_reviewer"]["bob"] == {"voice": 2.0}

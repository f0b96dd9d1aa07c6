"""`hitl queue`: what each brief waits on and for whom, and `--mine` for each person (issue 13)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hitl_tui.team.approve import approve
from hitl_tui.team.experts import ask
from hitl_tui.team.queue import build_queue
from clirun import hitl
from team_fixtures import brief_file, stores, team_workspace, variant

TEXT = "Search is here.\n\nFind any file in a second.\n\nTry it today."


def queue(ws, *args: str, env: dict | None = None) -> list[dict]:
    result = hitl("queue", "--json", *args, cwd=ws.root, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_queue_mine_for_an_editor_and_for_legal(tmp_path):
    ws = team_workspace(tmp_path / "ws")
    launch = brief_file(ws, "launch.toml", "Search launch", "Announce the new search.")
    news = brief_file(ws, "news.toml", "Newsletter", "The monthly news.")
    claims = brief_file(ws, "claims.toml", "Claims", "A piece with a number.", channel="blog")
    async with stores(ws, "ana", "ben", "dana") as (ana, ben, dana):
        signed = await variant(ana, TEXT, launch)
        assert (await approve(ana, ws, signed)).outcome == "signed"  # launch now waits on legal
        asked = await variant(ben, TEXT, news)
        await ask(ben, ws.config, asked, "legal", "Can we mention the beta?")  # news: a question for legal
        await variant(ana, "Search is 3x faster.", claims)  # no stages for blogs; one unsourced claim

        rows = {r.name: r for r in await build_queue(dana, ws.config)}
        assert rows["launch.toml"].why == "sign-off" and rows["news.toml"].why == "asked"
        assert [w.describe() for w in rows["launch.toml"].waits] == ["sign-off legal (dana)"]
        assert [w.describe() for w in rows["news.toml"].waits] == [
            "question for legal (dana) from ben", "sign-off editor (ana, ben)"]
        assert [w.describe() for w in rows["claims.toml"].waits] == ["review (anyone)", "1 unsourced claim(s)"]

    everyone = queue(ws, "--reviewer", "ana")  # triage order for ana, each with its one word
    assert [(r["brief"], r["why"], r["mine"]) for r in everyone] == [
        ("claims.toml", "claims", True), ("news.toml", "sign-off", True), ("launch.toml", "ready", False)]

    # A blog piece has no stages: anyone may review it, dana too.
    dana_mine = queue(ws, "--mine", "--reviewer", "dana")
    assert [(r["brief"], r["why"]) for r in dana_mine] == [
        ("news.toml", "asked"), ("claims.toml", "claims"), ("launch.toml", "sign-off")]
    question = dana_mine[0]["waits_on"][0]
    assert (question["what"], question["asked_of"], question["role"], question["who"], question["asked_by"],
            question["question"], question["variant"]) == \
        ("question", "legal", True, ["dana"], "ben", "Can we mention the beta?", 1)
    assert dana_mine[2]["waits_on"] == [{"what": "stage", "who": ["dana"], "stage": "legal", "role": "legal",
                                         "variant": 1}]

    assert queue(ws, "--mine", env={"HITL_REVIEWER": "dana"}) == dana_mine  # who is running it: HITL_REVIEWER

    ana_mine = queue(ws, "--mine", "--reviewer", "ana")
    assert [(r["brief"], r["why"]) for r in ana_mine] == [("claims.toml", "claims"), ("news.toml", "sign-off")]
    user_config = Path(os.environ["XDG_CONFIG_HOME"]) / "hitl" / "config.toml"  # … or their own config file
    user_config.parent.mkdir(parents=True, exist_ok=True)
    user_config.write_text('reviewer = "ana"\n')
    assert queue(ws, "--mine") == ana_mine
    text = hitl("queue", "--mine", "--reviewer", "ana", cwd=ws.root).stdout
    assert "news.toml" in text and "sign-off editor (ana, ben)" in text and "launch.toml" not in text
    assert [r["brief"] for r in queue(ws, "--mine", "--reviewer", "zoe")] == ["claims.toml"]  # no role: the blog

    briefs = {b["name"]: b for b in json.loads(hitl("briefs", "--json", cwd=ws.root).stdout)}
    assert briefs["launch.toml"]["waits_on"] == {"what": "stage", "who": ["dana"], "stage": "legal", "role": "legal",
                                                 "variant": 1}
    assert briefs["claims.toml"]["waits_on"] is None  # a blog has no stages
    listed = hitl("briefs", cwd=ws.root, env={"COLUMNS": "160"}).stdout
    assert "waits on" in listed and "sign-off legal (dana)" in listed and "sign-off editor (ana, ben)" in listed


def test_nothing_waits_on_someone_in_a_quiet_workspace(tmp_path):
    ws = team_workspace(tmp_path / "ws")
    nobody = hitl("queue", "--mine", "--reviewer", "zoe", cwd=ws.root)
    assert nobody.returncode == 0 and nobody.stdout == "Nothing waits on zoe.\n"

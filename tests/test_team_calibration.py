"""Calibration re-shows and agreement through the log (issue 13).

Re-shows: a seeded share of judged variants is shown again, blind, to the same or another reviewer; what they score
then is logged apart and never changes the live scores or the decision. Agreement: Krippendorff's alpha and
quadratic kappa computed from the scores people gave in their own stations equal the library's numbers.
"""

from __future__ import annotations

import time

from hitl_tui.analytics.agreement import weighted_kappa
from hitl_tui.analytics.reshow import picked
from hitl_tui.team.routing import reshow_queue
from hitl_tui.team.stats import team_stats
from team_fixtures import stores, team_workspace, variant
from test_analytics_agreement import KRIPPENDORFF_2011  # Krippendorff (2011) section C: published ordinal α 0.815

RUBRIC = '[rubric.clarity]\none = "muddled"\nfive = "clear"\n[rubric.voice]\none = "generic"\nfive = "ours"\n'


def toml(share: float, to: str, delay: float = 0, seed: int = 3) -> str:
    return (f'[calibration]\nreshow = {share}\nto = "{to}"\ndelay_hours = {delay}\nseed = {seed}\n'
            + RUBRIC)


async def judged(store, count: int) -> list[int]:
    """Variants this reviewer scored (clarity 4, voice 3) and approved."""
    ids = []
    for i in range(count):
        draft = await variant(store, f"Piece {i}. Search is here.", number=i)
        await store.set_score(draft, "clarity", 4)
        await store.set_score(draft, "voice", 3)
        await store.decide(draft, None, "approve")
        ids.append(draft)
    return ids


async def test_reshows_go_to_the_same_reviewer_blind_and_leave_the_live_scores_alone(tmp_path):
    ws = team_workspace(tmp_path / "ws", toml(0.5, "same"))
    async with stores(ws, "ana", "ben") as (ana, ben):
        drafts = await judged(ana, 20)
        due = await reshow_queue(ana, ws.config)
        expected = [d for d in drafts if picked(d, 0.5, 3)]
        assert [i.draft_id for i in due] == expected and 4 <= len(expected) <= 16  # a seeded half
        assert await reshow_queue(ben, ws.config) == []  # "same": only who scored it sees it again

        first = expected[0]
        await ana.set_reshow_score(first, "clarity", 2)
        assert [i.done_dimensions for i in await reshow_queue(ana, ws.config) if i.draft_id == first] == \
            [frozenset({"clarity"})]  # half done: still due, with what is done
        await ana.set_reshow_score(first, "voice", 3)
        assert first not in [i.draft_id for i in await reshow_queue(ana, ws.config)]
        assert await ana.scores(first) == {"clarity": 4, "voice": 3}  # the live scores are untouched
        assert [d.kind for d in await ana.decisions(first)] == ["approve"]
        assert [e.payload["value"] for e in await ana.events() if e.kind == "reshow_score"] == [2, 3]

        consistency = (await team_stats(ana))["agreement"]["self_consistency"]["ana"]
        assert (consistency["items"], consistency["exact"], consistency["mean_abs_diff"]) == (2, 0.5, 1.0)


async def test_reshows_wait_for_their_delay(tmp_path):
    ws = team_workspace(tmp_path / "ws", toml(1.0, "same", delay=24))
    async with stores(ws, "ana") as (ana,):
        await judged(ana, 2)
        assert await reshow_queue(ana, ws.config) == []
        assert len(await reshow_queue(ana, ws.config, now=time.time() + 25 * 3600)) == 2


async def test_reshows_to_another_reviewer_go_to_one_of_them(tmp_path):
    ws = team_workspace(tmp_path / "ws", toml(1.0, "other"))
    async with stores(ws, "ana", "ben", "cy") as (ana, ben, cy):
        [draft] = await judged(ana, 1)
        assert await reshow_queue(ana, ws.config) == []  # not to the one who scored it
        assert [i.draft_id for i in await reshow_queue(ben, ws.config)] == [draft]
        assert [i.mode for i in await reshow_queue(cy, ws.config)] == ["other"]
        await ben.set_reshow_score(draft, "clarity", 5)
        await ben.set_reshow_score(draft, "voice", 3)
        assert await reshow_queue(cy, ws.config) == []  # ben has done it
        pair = (await team_stats(ana))["agreement"]["by_pair"]
        assert [(p["reviewers"], p["items"]) for p in pair] == [(["ana", "ben"], 2)]


async def test_agreement_from_four_stations_equals_the_library_and_the_published_example(tmp_path):
    import krippendorff
    import numpy as np

    ws = team_workspace(tmp_path / "ws", RUBRIC)
    async with stores(ws, *KRIPPENDORFF_2011) as people:
        units = [await variant(people[0], f"Unit {u}. Search is here.", number=u) for u in range(12)]
        for store, values in zip(people, KRIPPENDORFF_2011.values()):
            for unit, value in zip(units, values):
                if value is not None:
                    await store.set_score(unit, "clarity", value)
        agreement = (await team_stats(people[0]))["agreement"]

    data = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011.values()], dtype=float)
    library = krippendorff.alpha(reliability_data=data, value_domain=[1, 2, 3, 4, 5], level_of_measurement="ordinal")
    assert agreement["by_dimension"]["clarity"] == {"alpha": 0.815, "items": 11, "reviewers": 4}
    assert agreement["by_dimension"]["clarity"]["alpha"] == round(float(library), 3)
    pairs = {tuple(p["reviewers"]): p for p in agreement["by_pair"]}
    assert len(pairs) == 6
    for (x, y), p in pairs.items():
        both = [(a, b) for a, b in zip(KRIPPENDORFF_2011[x], KRIPPENDORFF_2011[y]) if a is not None and b is not None]
        a, b = zip(*both)
        assert p["items"] == len(both) and p["kappa"] == round(weighted_kappa(a, b), 3)


async def test_accuracy_against_a_gold_brief(tmp_path):
    from hitl_tui.briefs import Brief

    ws = team_workspace(tmp_path / "ws", RUBRIC)
    gold = Brief(name="gold.toml", title="Gold", brief="A calibration item.", content_hash="g",
                 expected_scores={"clarity": 4, "voice": 4})
    async with stores(ws, "ana", "ben") as (ana, ben):
        draft = await variant(ana, "Search is here.", gold)
        other = await variant(ana, "Not a gold item.", number=1)
        for dim, value in (("clarity", 4), ("voice", 3)):
            await ana.set_score(draft, dim, value)
        await ben.set_score(draft, "clarity", 2)
        await ben.set_score(other, "clarity", 5)  # not gold: not counted
        accuracy = (await team_stats(ana))["agreement"]["gold"]
    assert accuracy["ana"] == {"items": 2, "exact": 0.5, "within_one": 1.0, "mae": 0.5, "bias": -0.5}
    assert accuracy["ben"] == {"items": 1, "exact": 0.0, "within_one": 0.0, "mae": 2.0, "bias": -2.0}

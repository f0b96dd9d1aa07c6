"""The store API the blind compare view calls: next_pair, record_pick, undo_last_pick (a real SQLite file)."""

from __future__ import annotations

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.store import Store, StoreError
from hitl_tui.store.picks import plan_pairs


async def variants(store, n: int, name: str = "a.toml", models=None, done: int | None = None) -> tuple[int, list[int]]:
    """A brief version with n variants; the first `done` of them (default all) finished with text."""
    version = (await store.sync_brief(Brief(name=name, title="A", brief="x", content_hash=name))).version_id
    drafts = []
    for i in range(n):
        model = (models or ["m"])[i % len(models or ["m"])]
        draft, rev = await store.create_draft(version, i, model, model.upper(), 0.7, "v1")
        if i < (n if done is None else done):
            await store.finish_revision(rev, status="done", text=f"text of variant {i}")
        drafts.append(draft)
    return version, drafts


async def judge_all(store, version, pick="left", **kw) -> list:
    seen = []
    while (pair := await store.next_pair(version, **kw)) is not None:
        seen.append(pair)
        await store.record_pick(pair, pick)
        assert len(seen) <= 50, "next_pair keeps asking"
    return seen


async def test_every_pair_of_finished_variants_is_asked_once_then_none(store):
    version, drafts = await variants(store, 5, done=4)  # the fifth is still drafting: not comparable yet
    seen = await judge_all(store, version)
    assert sorted(tuple(sorted((p.left.draft_id, p.right.draft_id))) for p in seen) == \
        sorted((a, b) for i, a in enumerate(drafts[:4]) for b in drafts[i + 1:4])
    assert [(p.number, p.total, p.judged, p.remaining) for p in seen[:2]] == [(1, 6, 0, 6), (2, 6, 1, 5)]
    first = seen[0]
    assert first.left.text == f"text of variant {drafts.index(first.left.draft_id)}"
    assert first.left.revision_id != first.right.revision_id and first.brief_id
    assert await store.next_pair(version) is None


async def test_order_and_sides_are_the_same_on_reopen_and_differ_between_reviewers(tmp_path):
    async with Store.opened(tmp_path / "hitl.db", "ana") as ana:
        version, _ = await variants(ana, 6)
        todo, total = await ana.pairs_to_judge(version)
        first = await ana.next_pair(version)
    async with Store.opened(tmp_path / "hitl.db", "ana") as again:  # another session of the same person
        assert await again.pairs_to_judge(version) == (todo, total)
        same = await again.next_pair(version)
        assert (same.left.draft_id, same.right.draft_id) == (first.left.draft_id, first.right.draft_id)
    async with Store.opened(tmp_path / "hitl.db", "ben") as ben:
        assert (await ben.pairs_to_judge(version))[0] != todo  # 15 pairs: another reviewer, another order
    # Sides are shuffled: over the 15 pairs, the lower draft id is not always on the left.
    lefts = []
    async with Store.opened(tmp_path / "hitl.db", "cy") as cy:
        for pair in await judge_all(cy, version, pick="tie"):
            lefts.append(pair.left.draft_id < pair.right.draft_id)
    assert 0 < sum(lefts) < len(lefts) == 15


async def test_each_reviewer_judges_their_own_pairs_and_a_skip_counts_as_judged(tmp_path):
    async with Store.opened(tmp_path / "hitl.db", "ana") as ana, Store.opened(tmp_path / "hitl.db", "ben") as ben:
        version, _ = await variants(ana, 3)
        assert len(await judge_all(ana, version, pick="skip")) == 3
        assert await ana.next_pair(version) is None
        assert (await ben.next_pair(version)).judged == 0  # ana's picks are not ben's
        picks = await ana.picks(version)
        assert {p.pick for p in picks} == {"skip"} and {p.reviewer for p in picks} == {"ana"}


async def test_a_pick_and_its_event_are_one_transaction(store):
    version, drafts = await variants(store, 2)
    pair = await store.next_pair(version)
    pick_id = await store.record_pick(pair, "right", seconds=4.5)
    event = (await store.events())[-1]
    assert event.kind == "preference" and event.reviewer == "tester" and event.brief_id == pair.brief_id
    assert event.payload["pick_id"] == pick_id and event.payload["pick"] == "right"
    assert event.payload["left"] == {"draft_id": pair.left.draft_id, "revision_id": pair.left.revision_id}
    row = (await store.picks(version))[0]
    assert (row.left_draft_id, row.right_draft_id, row.pick, row.seconds) == \
        (pair.left.draft_id, pair.right.draft_id, "right", 4.5)
    # A pair whose drafts belong to another brief version is refused, and nothing is written.
    other, other_drafts = await variants(store, 2, name="b.toml")
    bad = type(pair)(version, pair.brief_id, pair.left, (await store.next_pair(other)).left, 1, 1, 0)
    before = await store.last_event_id()
    with pytest.raises(StoreError, match="one brief version"):
        await store.record_pick(bad, "left")
    with pytest.raises(ValueError, match="pick must be"):
        await store.record_pick(pair, "both")
    assert await store.last_event_id() == before and len(await store.picks()) == 1


async def test_undo_asks_the_pair_again_and_a_second_pick_replaces_the_first(store):
    version, _ = await variants(store, 3)
    first = await store.next_pair(version)
    await store.record_pick(first, "left")
    assert (await store.next_pair(version)).judged == 1
    assert await store.undo_last_pick(version) is not None
    again = await store.next_pair(version)
    assert (again.left.draft_id, again.right.draft_id, again.judged) == (first.left.draft_id, first.right.draft_id, 0)
    assert (await store.events())[-1].kind == "preference_undone"
    await store.record_pick(again, "left")
    await store.record_pick(again, "right")  # changed their mind: one vote stands
    standing = await store.picks(version)
    assert [p.pick for p in standing] == ["right"]
    assert await store.undo_last_pick(version) is not None and await store.undo_last_pick(version) is None


async def test_ring_plan_asks_n_pairs_that_still_connect_every_variant(store):
    version, drafts = await variants(store, 6)
    seen = await judge_all(store, version, plan="ring")
    pairs = {tuple(sorted((p.left.draft_id, p.right.draft_id))) for p in seen}
    assert len(seen) == len(pairs) == 6 and seen[0].total == 6
    assert all(sum(d in pair for pair in pairs) == 2 for d in drafts)  # each variant judged twice, one cycle
    assert plan_pairs([1, 2], "ring") == [(1, 2)] and plan_pairs([1, 2, 3], "ring") == [(1, 2), (1, 3), (2, 3)]
    with pytest.raises(ValueError, match="unknown compare plan"):
        plan_pairs([1, 2], "swiss")


def test_the_plan_is_a_hitl_toml_setting():
    from hitl_tui.config import ConfigError, parse_config

    assert parse_config({}).compare_pairs == "all"
    assert parse_config({"compare": {"pairs": "ring"}}).compare_pairs == "ring"
    with pytest.raises(ConfigError, match='compare.pairs: expected "all" or "ring", got \'swiss\''):
        parse_config({"compare": {"pairs": "swiss"}})
    with pytest.raises(ConfigError, match="compare"):
        parse_config({"compare": {"pair": "all"}})

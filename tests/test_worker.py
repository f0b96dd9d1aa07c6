"""The drafting worker process: the app's DraftingClient against a real worker and the local test server."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.config import ModelSpec
from hitl_tui.drafting.client import DraftingClient, WorkerError
from hitl_tui.store import Store

BRIEF = Brief(name="sale.toml", title="Spring sale", brief="20% off annual plans.", channel="email",
              must_include=["20% off"], content_hash="h1")


@pytest.fixture
async def setup(workspace, llm_server):
    store = await Store.open(workspace.db_path, "tester")
    events: list = []
    client = DraftingClient(workspace.root, "tester", events.append, store=store)
    version = (await store.sync_brief(BRIEF)).version_id
    yield client, store, events, version
    await client.close()
    await store.close()


def model(server, behaviour: str) -> list[ModelSpec]:
    return [ModelSpec(f"openai/{behaviour}", api_base=server.base_url, label=behaviour)]


async def wait_for(predicate, timeout: float = 30.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_drafts_stream_through_the_worker(setup, llm_server):
    client, store, events, version = setup
    outcomes = await client.draft_brief(BRIEF, version, models=model(llm_server, "ok-40"))
    assert len(outcomes) == 3 and all(o.status == "done" and o.text.count("word") == 40 for o in outcomes)
    kinds = [e.kind for e in events]
    assert kinds.count("created") == 3 and kinds.count("done") == 3
    deltas = [e for e in events if e.kind == "delta"]
    assert deltas and all(e.text.endswith(e.delta) for e in deltas)  # full text re-assembled from deltas
    last = {e.revision_id: e.text for e in deltas}
    assert all(last[o.revision_id] == o.text for o in outcomes)
    rows = await store.fetchall("SELECT status, text FROM revisions ORDER BY id")
    assert [r["status"] for r in rows] == ["done"] * 3 and rows[0]["text"] == outcomes[0].text
    assert client.active == []


async def test_closing_the_worker_keeps_partial_text_as_interrupted(setup, llm_server):
    client, store, events, version = setup
    task = asyncio.ensure_future(client.draft_brief(BRIEF, version, models=model(llm_server, "slow-400-20")))
    await wait_for(lambda: any(e.kind == "delta" and e.text.count("word") >= 5 for e in events))
    await client.close()  # what quitting or SIGHUP does
    outcomes = await task
    assert [o.status for o in outcomes] == ["interrupted"] * 3
    rows = await store.fetchall("SELECT status, text FROM revisions")
    assert rows and all(r["status"] == "interrupted" for r in rows)
    assert max(r["text"].count("word") for r in rows) >= 5


async def test_a_crashed_worker_ends_its_streams_and_the_next_request_starts_a_new_one(setup, llm_server):
    client, store, events, version = setup
    task = asyncio.ensure_future(client.draft_brief(BRIEF, version, models=model(llm_server, "slow-400-20")))
    await wait_for(lambda: any(e.kind == "delta" for e in events))
    os.kill(client._proc.pid, signal.SIGKILL)
    with pytest.raises(WorkerError, match="stopped"):
        await task
    ended = [e for e in events if e.kind == "interrupted"]
    assert len(ended) == 3 and all("worker stopped" in e.error for e in ended)
    rows = await store.fetchall("SELECT status, error FROM revisions")
    assert all(r["status"] == "interrupted" for r in rows)  # not left 'streaming' forever
    version2 = (await store.sync_brief(Brief(**{**BRIEF.__dict__, "content_hash": "h2"}))).version_id
    outcomes = await client.draft_brief(BRIEF, version2, models=model(llm_server, "ok-5"))
    assert [o.status for o in outcomes] == ["done"] * 3


async def test_provider_errors_come_back_per_variant(setup, llm_server):
    client, store, events, version = setup
    outcomes = await client.draft_brief(BRIEF, version, models=model(llm_server, "auth"))
    assert all(o.status == "failed" and "refused the API key (401)" in o.error for o in outcomes)

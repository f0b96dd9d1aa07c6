"""The drafting worker process: the app's DraftingClient against a real worker and the local test server."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from waiting import wait_until

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


async def test_closing_the_worker_keeps_partial_text_as_interrupted_by_the_quit(setup, llm_server):
    client, store, events, version = setup
    task = asyncio.ensure_future(client.draft_brief(BRIEF, version, models=model(llm_server, "slow-400-20")))
    await wait_until(lambda: any(e.kind == "delta" and e.text.count("word") >= 5 for e in events))
    await client.close("SIGTERM")  # what quitting does, with its cause
    outcomes = await task
    assert [o.status for o in outcomes] == ["interrupted"] * 3
    assert all(o.error == "the station was stopped (SIGTERM) while this was streaming" for o in outcomes)
    rows = await store.fetchall("SELECT status, text, error FROM revisions")
    assert rows and all(r["status"] == "interrupted" and "(SIGTERM)" in r["error"] for r in rows)
    assert max(r["text"].count("word") for r in rows) >= 5


async def test_a_closed_client_starts_no_worker_and_sends_nothing(setup, llm_server):
    """After close() — quitting — a draft consumer still in its loop asked again and started a new worker,
    which drafted after the quit and kept the station from exiting."""
    client, store, events, version = setup
    await client.close("quit")
    client.start()  # the auto-draft timer firing late
    with pytest.raises(WorkerError, match="the station quit"):
        await client.draft_brief(BRIEF, version, models=model(llm_server, "ok-5-closed"))
    await asyncio.sleep(0.2)
    assert client._proc is None and llm_server.calls["ok-5-closed"] == 0
    assert await store.fetchall("SELECT * FROM drafts") == []


async def test_closing_while_the_worker_starts_leaves_no_process(setup, llm_server):
    client, store, events, version = setup
    client.start()
    await wait_until(lambda: client._proc is not None)  # started, litellm still loading
    pid = client._proc.pid
    await client.close("quit")
    assert client._proc.returncode is not None and not _running(pid)
    assert not client.warm.is_set()  # it never got as far as loading litellm: nothing waited for that


async def test_a_worker_that_does_not_stop_is_killed_and_its_drafts_recorded(setup, llm_server):
    client, store, events, version = setup
    task = asyncio.ensure_future(client.draft_brief(BRIEF, version, models=model(llm_server, "slow-400-20")))
    await wait_until(lambda: any(e.kind == "delta" and e.text.count("word") >= 5 for e in events))
    pid = client._proc.pid
    os.kill(pid, signal.SIGSTOP)  # a worker that cannot answer (hung, or swapped out on a busy machine)
    await client.close("quit", grace=0.5)
    assert not _running(pid)
    with pytest.raises(WorkerError, match="the station quit"):
        await task
    rows = await store.fetchall("SELECT status, text, error FROM revisions")
    assert rows and all(r["status"] == "interrupted" and "the station quit" in r["error"] for r in rows)
    assert max(r["text"].count("word") for r in rows) >= 5  # the text the station had received


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_crashed_worker_ends_its_streams_and_the_next_request_starts_a_new_one(setup, llm_server):
    client, store, events, version = setup
    task = asyncio.ensure_future(client.draft_brief(BRIEF, version, models=model(llm_server, "slow-400-20")))
    await wait_until(lambda: any(e.kind == "delta" for e in events))
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


async def test_worker_start_logs_no_warnings_about_our_own_setup(setup):
    # Every worker start registers the offline drafter with litellm; hitl.log must not fill with complaints about
    # how we configured it (it did: two register_model warnings per start).
    client, store, events, version = setup
    client.start()
    await asyncio.wait_for(client.warm.wait(), 120)
    await client.close()
    log = client.root / "hitl.log"
    lines = log.read_text().splitlines() if log.exists() else []
    assert not [line for line in lines if " WARNING " in line or " ERROR " in line]


async def test_the_worker_does_not_import_from_the_current_folder(setup, tmp_path, monkeypatch):
    # `hitl` runs from the workspace folder, which the whole team can write to. The worker was started with
    # `python -m`, which puts the current folder first on sys.path: a litellm.py (or json.py) there ran as the
    # reviewer, and a checkout's hitl_tui/ replaced the installed one.
    client, store, events, version = setup
    marker = tmp_path / "imported-from-cwd"
    (tmp_path / "litellm.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError('decoy')\n")
    monkeypatch.chdir(tmp_path)
    outcomes = await client.draft_brief(BRIEF, version, models=[ModelSpec("hitl-offline/fast")])
    assert [o.status for o in outcomes] == ["done"] * 3
    assert not marker.exists()


async def test_the_client_adopts_the_worker_started_at_launch(setup, llm_server, workspace):
    """`hitl` starts the worker before the app exists (drafting/spawn.py); the client drafts through that very
    process, over the same protocol, and closing ends it as it ends its own."""
    from hitl_tui.drafting import spawn

    client, store, events, version = setup
    spawn.start_early(workspace.root, "tester")
    early_pid = spawn._early.pid
    try:
        outcomes = await client.draft_brief(BRIEF, version, models=model(llm_server, "ok-5"))
        assert [o.status for o in outcomes] == ["done"] * 3
        assert client._proc.pid == early_pid and spawn._early is None  # adopted, not a second worker
        await client.close("quit")
        assert client._proc.returncode == 0 and not _running(early_pid)
    finally:
        spawn.end_early()


async def test_a_worker_started_for_someone_else_is_not_adopted(setup, llm_server, workspace):
    from hitl_tui.drafting import spawn

    client, store, events, version = setup
    spawn.start_early(workspace.root, "somebody-else")  # the log would be written under the wrong name
    early = spawn._early
    try:
        outcomes = await client.draft_brief(BRIEF, version, models=model(llm_server, "ok-5"))
        assert [o.status for o in outcomes] == ["done"] * 3 and client._proc.pid != early.pid
    finally:
        spawn.end_early()
    assert early.returncode is not None and not _running(early.pid)

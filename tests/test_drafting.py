"""litellm streaming against a real local OpenAI-compatible server: success, errors, retries, cancellation."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from waiting import wait_until

from hitl_tui.briefs import Brief
from hitl_tui.config import Config, ModelSpec
from hitl_tui.drafting import DraftEngine

BRIEF = Brief(name="sale.toml", title="Spring sale", brief="20% off annual plans until Friday.", channel="email",
              cta="Upgrade now", must_include=["20% off"], content_hash="h1")


def make_engine(store, tmp_path, **drafting) -> tuple[DraftEngine, list]:
    cfg = Config()
    cfg.drafting.retries = drafting.pop("retries", 2)
    cfg.drafting.chunk_timeout = drafting.pop("chunk_timeout", 5.0)
    cfg.drafting.timeout = drafting.pop("timeout", 20.0)
    events: list = []
    return DraftEngine(store, cfg, log_file=tmp_path / "litellm.log", on_event=events.append,
                       backoff_base=0.05), events


async def draft(store, tmp_path, server, behaviour: str, variants: int = 1, **kw):
    engine, events = make_engine(store, tmp_path, **kw)
    version = (await store.sync_brief(BRIEF)).version_id
    outs = await engine.draft_brief(BRIEF, version, models=[ModelSpec(f"openai/{behaviour}",
                                                                      api_base=server.base_url)], variants=variants)
    return outs, events, engine


async def test_stream_ok_records_text_tokens_and_usage(store, tmp_path, llm_server):
    seen = len(llm_server.requests)  # the server lives for the session; other tests ask for ok-30 too
    outs, events, _ = await draft(store, tmp_path, llm_server, "ok-30", variants=2)
    assert [o.status for o in outs] == ["done", "done"]
    assert outs[0].text.startswith("word0.\nword1 word2") and outs[0].text.count("word") == 30
    assert outs[0].tokens_in == 11 and outs[0].tokens_out == 30
    assert sum(e.kind == "delta" for e in events) == 60
    rev = await store.revision(outs[0].revision_id)
    assert rev.status == "done" and rev.text == outs[0].text and rev.tokens_out == 30
    # the two variants were asked with different temperatures and angles
    reqs = [r for r in llm_server.requests[seen:] if r["model"] == "ok-30"]
    assert len({r["temperature"] for r in reqs}) == 2
    assert len({r["messages"][-1]["content"] for r in reqs}) == 2


async def test_finished_drafts_log_their_gate_results(store, tmp_path, llm_server):
    # No screen is open: the engine itself logs each finished draft's gates, in the commit that ends it.
    outs, _, _ = await draft(store, tmp_path, llm_server, "ok-12")
    rows = await store.fetchall("SELECT gate, status, source FROM gate_results WHERE revision_id=?",
                                (outs[0].revision_id,))
    by_gate = {r["gate"]: r for r in rows}
    assert by_gate["must_include"]["status"] == "fail" and by_gate["must_include"]["source"] == "brief.must_include"
    assert by_gate["cta"]["status"] == "fail"
    kinds = [e.kind for e in await store.events()]
    assert kinds.index("gates") == kinds.index("draft_done") + 1


async def test_401_fails_once_without_retry(store, tmp_path, llm_server):
    before = llm_server.calls["auth"]
    outs, events, _ = await draft(store, tmp_path, llm_server, "auth")
    assert outs[0].status == "failed"
    assert outs[0].error == ("The provider refused the API key (401); check OPENAI_API_KEY: Incorrect API key "
                             "provided: sk-test")
    assert llm_server.calls["auth"] - before == 1
    assert not [e for e in events if e.kind == "retry"]


async def test_429_then_success_is_retried(store, tmp_path, llm_server):
    outs, events, _ = await draft(store, tmp_path, llm_server, "flaky429-15")
    assert outs[0].status == "done" and outs[0].text.count("word") == 15
    assert llm_server.calls["flaky429-15"] == 2
    retries = [e for e in events if e.kind == "retry"]
    assert len(retries) == 1 and retries[0].error.startswith("Rate limited by the provider (429)")


async def test_500_retried_then_fails_with_provider_message(store, tmp_path, llm_server):
    before = llm_server.calls["error500"]
    outs, _, _ = await draft(store, tmp_path, llm_server, "error500", retries=2)
    assert outs[0].status == "failed"
    assert outs[0].error == ("The provider had an internal error (500) — gave up after 3 tries: The server had an "
                             "error while processing your request")
    assert llm_server.calls["error500"] - before == 3  # first try + 2 retries


async def test_429_every_time_says_rate_limited_and_how_often_it_tried(store, tmp_path, llm_server):
    outs, events, _ = await draft(store, tmp_path, llm_server, "error429", retries=2)
    assert outs[0].error == ("Rate limited by the provider (429) — gave up after 3 tries: Rate limit reached for "
                             "requests")
    assert [e.error for e in events if e.kind == "retry"] == ["Rate limited by the provider (429)"] * 2


async def test_stall_hits_chunk_timeout_and_keeps_partial_text(store, tmp_path, llm_server):
    outs, _, _ = await draft(store, tmp_path, llm_server, "stall-5", retries=0, chunk_timeout=0.5)
    assert outs[0].status == "failed"
    assert outs[0].text.count("word") == 5
    assert outs[0].error == "No tokens for 0.5 s after 5 tokens; the text so far is kept"
    rev = await store.revision(outs[0].revision_id)
    assert rev.text.count("word") == 5 and rev.status == "failed"


async def test_silence_from_the_start_says_so_and_how_often_it_tried(store, tmp_path, llm_server):
    outs, _, _ = await draft(store, tmp_path, llm_server, "stall-0", retries=2, chunk_timeout=0.5)
    assert outs[0].status == "failed" and outs[0].text == ""
    assert outs[0].error == "No tokens for 0.5 s — gave up after 3 tries"  # not "Timeout (408)": no server said 408


async def test_hang_hits_whole_call_timeout(store, tmp_path, llm_server):
    outs, _, _ = await draft(store, tmp_path, llm_server, "hang", retries=0, timeout=0.6, chunk_timeout=5)
    assert outs[0].status == "failed" and outs[0].text == ""
    assert outs[0].error == "No answer within 0.6 s"


async def test_disconnect_mid_stream_fails_with_partial_text(store, tmp_path, llm_server):
    outs, _, _ = await draft(store, tmp_path, llm_server, "drop-7", retries=2)
    assert outs[0].status == "failed"
    assert outs[0].error.startswith("Connection lost mid-stream after 7 tokens")  # not "InternalServerError (500)"
    assert outs[0].text.count("word") == 7  # partial text is kept, not retried away
    assert llm_server.calls["drop-7"] == 1


async def test_a_stream_that_ends_unfinished_says_so(store, tmp_path, llm_server):
    outs, _, _ = await draft(store, tmp_path, llm_server, "cut-6", retries=2)
    assert outs[0].status == "failed" and outs[0].text.count("word") == 6
    # not "MidStreamFallbackError (500): Stream ended before a finish_reason was received"
    assert outs[0].error == ("The stream ended after 6 tokens without the provider marking it finished; the text "
                             "so far is kept")


async def test_a_provider_error_that_echoes_the_key_is_redacted_everywhere(store, tmp_path, llm_server,
                                                                           monkeypatch):
    key = "gw-7f3a9c2e41d85b60aa"  # a gateway key: no well-known shape, known only as configured
    monkeypatch.setenv("GATEWAY_CREDENTIAL", key)
    engine, events = make_engine(store, tmp_path)
    version = (await store.sync_brief(BRIEF)).version_id
    outs = await engine.draft_brief(BRIEF, version, models=[ModelSpec(
        "openai/auth-echo", api_base=llm_server.base_url, api_key_env="GATEWAY_CREDENTIAL")], variants=1)
    assert outs[0].status == "failed"
    assert outs[0].error == ("The provider refused the API key (401); check GATEWAY_CREDENTIAL: Invalid "
                             "credentials in header 'Authorization: Bearer [redacted]'")
    stored = await store.revision(outs[0].revision_id)
    logged = json.dumps([e.to_dict() for e in await store.events()])
    shown = [e.error or "" for e in events]
    log = (tmp_path / "litellm.log").read_text()
    assert key not in stored.error and key not in logged and not [e for e in shown if key in e]
    assert key not in log
    assert "Invalid credentials in header" in log, "the provider's own words stay in hitl.log for debugging"


async def test_length_finish_is_flagged_truncated(store, tmp_path, llm_server):
    outs, _, _ = await draft(store, tmp_path, llm_server, "length-4")
    assert outs[0].status == "done" and "truncated" in outs[0].error


async def test_cancel_closes_the_http_stream_and_saves_partial(store, tmp_path, llm_server):
    engine, events = make_engine(store, tmp_path)
    version = (await store.sync_brief(BRIEF)).version_id
    model = "slow-400-10"
    task = asyncio.create_task(engine.draft_brief(BRIEF, version, models=[ModelSpec(
        f"openai/{model}", api_base=llm_server.base_url)], variants=1))
    await wait_until(lambda: llm_server.tokens_sent[model] >= 20)
    assert engine.cancel_all() == 1
    outs = await task
    assert outs[0].status == "interrupted" and outs[0].text.count("word") >= 5
    assert outs[0].error == "cancelled by the reviewer"  # here a person did cancel it
    sent = llm_server.tokens_sent[model]
    # the server noticed the client hung up and stopped generating
    await wait_until(lambda: llm_server.disconnects[model] == 1 and llm_server.open_streams[model] == 0)
    assert llm_server.tokens_sent[model] - sent <= 2
    rev = await store.revision(outs[0].revision_id)
    assert rev.status == "interrupted" and rev.text == outs[0].text


async def test_partial_text_is_checkpointed_while_streaming(store, tmp_path, llm_server):
    engine, _ = make_engine(store, tmp_path)
    version = (await store.sync_brief(BRIEF)).version_id
    task = asyncio.create_task(engine.draft_brief(BRIEF, version, models=[ModelSpec(
        "openai/slow-2000-10", api_base=llm_server.base_url)], variants=1))  # 20 s: still streaming when read

    async def checkpointed():
        rows = await store.fetchall("SELECT status, text FROM revisions ORDER BY id DESC LIMIT 1")
        return rows and rows[0]["status"] == "streaming" and rows[0]["text"].count("word") >= 20

    await wait_until(checkpointed)  # within about a second once tokens flow (after litellm has loaded)
    assert not task.done()  # saved while still streaming, not at the end
    engine.cancel_all()
    await task


async def test_offline_drafter_goes_through_litellm(store, tmp_path):
    engine, events = make_engine(store, tmp_path)
    version = (await store.sync_brief(BRIEF)).version_id
    outs = await engine.draft_brief(BRIEF, version, models=[ModelSpec("hitl-offline/fast")], variants=3)
    assert all(o.status == "done" for o in outs)
    assert len({o.text for o in outs}) == 3, "variants must differ"
    assert all("20% off" in o.text and "Upgrade now" in o.text for o in outs)
    assert outs[0].cost == 0.0 and outs[0].label == "offline fast"
    assert any(e.kind == "delta" for e in events)


async def test_concurrency_cap_is_respected(store, tmp_path, llm_server):
    engine, events = make_engine(store, tmp_path)
    engine._sem = asyncio.Semaphore(2)
    version = (await store.sync_brief(BRIEF)).version_id
    active, peak = set(), 0

    def track(event):
        nonlocal peak
        if event.kind == "start":
            active.add(event.revision_id)
        elif event.kind in ("done", "failed", "interrupted"):
            active.discard(event.revision_id)
        peak = max(peak, len(active))

    engine.on_event = track
    outs = await engine.draft_brief(BRIEF, version, models=[ModelSpec("openai/slow-5-20",
                                                                      api_base=llm_server.base_url)], variants=5)
    assert all(o.status == "done" for o in outs) and peak == 2


@pytest.mark.parametrize("behaviour", ["markup"])
async def test_markup_text_is_stored_verbatim(store, tmp_path, llm_server, behaviour):
    from fake_openai import MARKUP_TEXT

    outs, _, _ = await draft(store, tmp_path, llm_server, behaviour)
    assert outs[0].text == MARKUP_TEXT


async def test_nothing_listening_says_so_and_names_the_address(store, tmp_path):
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing answers there
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    engine, events = make_engine(store, tmp_path, retries=1)
    version = (await store.sync_brief(BRIEF)).version_id
    outs = await engine.draft_brief(BRIEF, version, models=[ModelSpec("openai/any", api_base=base)], variants=1)
    assert outs[0].status == "failed"
    assert outs[0].error == (f"Connection failed: could not reach {base} (is the server running, is the address "
                             "right?) — gave up after 2 tries")
    assert [e.kind for e in events].count("retry") == 1  # connection errors are retried


@pytest.mark.parametrize("model", ["hitl-offline/fast", "openai/ok-5"])
def test_a_draft_does_not_load_litellms_tokenizer(workspace, llm_server, model):
    # litellm hands every call its tiktoken encoding, only for the token estimate we switch off; loading it made
    # the demo's first draft ~0.4 s slower (and the worker bigger). Run as `hitl draft` runs, imports traced.
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "hitl_tui", "-w", str(workspace.root), "draft",
                             "spring-sale-email.toml", "-m", model, "-n", "1", "--api-base", llm_server.base_url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Subject" in result.stdout or "word" in result.stdout  # the draft itself
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import")}
    assert "litellm" in imported and "litellm.litellm_core_utils.default_encoding" not in imported


@pytest.mark.parametrize("model", ["hitl-offline/fast", "openai/ok-5"])
def test_the_first_call_imports_nothing_loading_litellm_did_not(llm_server, model):
    # The first acompletion imported 57 modules (proxy types, anyio's back end: ~0.15 s of the demo's first
    # token). load_litellm imports them while it loads litellm, in the worker's background thread, before any
    # request arrives.
    import subprocess
    import sys

    script = f"""
import asyncio, sys
from hitl_tui.drafting.llm import load_litellm
litellm = load_litellm(None)
before = set(sys.modules)
async def first_call():
    resp = await litellm.acompletion(model={model!r}, messages=[{{"role": "user", "content": "hi"}}], stream=True,
        api_base={llm_server.base_url!r} if {model!r}.startswith("openai/") else None, api_key="x",
        num_retries=0, max_retries=0, stream_options={{"include_usage": True}})
    return [chunk async for chunk in resp]
assert asyncio.run(first_call())
print(" ".join(sorted(set(sys.modules) - before)))
"""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == []

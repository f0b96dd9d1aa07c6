"""The drafting worker's wire format (drafting/protocol.py): every message survives the trip, and a line that is
not protocol is logged with its content on either side instead of vanishing."""

from __future__ import annotations

import asyncio
import sys

import pytest

from hitl_tui.briefs import Brief
from hitl_tui.config import ModelSpec
from hitl_tui.drafting import protocol as p
from hitl_tui.drafting.client import DraftingClient
from hitl_tui.drafting.events import Outcome, StreamEvent
from hitl_tui.learning.feedback import note_item, score_item
from hitl_tui.store import Draft

BRIEF = Brief(name="sale.toml", title="Spring sale", brief="20% off annual plans.", channel="email",
              must_include=["20% off"], content_hash="h1")


@pytest.mark.parametrize("msg", [
    p.DraftRequest(BRIEF, 7, [ModelSpec("openai/x", api_base="http://127.0.0.1:1", label="x")], True, id=3),
    p.RegenerateRequest(Draft(1, 7, 0, "m", "m", temperature=0.7, brief_id=3), BRIEF, id=4),
    p.Cancel(11), p.CancelDraft(12), p.Shutdown("SIGHUP"),
])
def test_requests_and_commands_decode_to_what_was_sent(msg):
    line = p.to_wire(msg)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert p.decode_request(line) == msg


def test_a_revise_request_carries_its_feedback_items():
    items = [note_item("Shorter, please."), score_item("cta", 2)]
    msg = p.ReviseRequest(Draft(1, 7, 0, "m", "m"), BRIEF, "Old text", items, id=5)
    decoded = p.decode_request(p.to_wire(msg))
    assert decoded == msg and decoded.items[1].value == 2


@pytest.mark.parametrize("msg", [
    p.Event(StreamEvent("start", 5, 2)),
    p.Event(StreamEvent("delta", 5, 2, delta="more words ", tokens=9)),
    p.Event(StreamEvent("done", 5, 2, text="All of it.", tokens=12, cost=0.001, latency_ms=40)),
    p.Reply(3, [Outcome(2, 5, 0, "m", "m", "done", "All of it.", tokens_out=12)]),
    p.Reply(4, error="RateLimitError: slow down"),
    p.Warm(),
])
def test_worker_messages_decode_to_what_was_sent(msg):
    assert p.decode_from_worker(p.to_wire(msg)) == msg


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'{"op": "dance"}\n', b'{"op": "cancel"}\n'])
def test_a_bad_request_line_is_refused_with_a_reason(line):
    with pytest.raises(p.BadLine):
        p.decode_request(line)


async def test_a_bad_line_from_the_worker_is_logged_with_its_content(tmp_path):
    """A worker that writes something else on the protocol pipe (a stray print, a half line): the station logs the
    line to hitl.log and keeps reading; the next good line still arrives."""
    client = DraftingClient(tmp_path, "tester", lambda event: None)
    code = "import sys; sys.stdout.write('Provider List: https://docs.litellm.ai\\n{\"warm\": true}\\n')"
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
    await client._read(proc)
    assert client.warm.is_set()
    log = (tmp_path / "hitl.log").read_text()
    assert "the drafting worker sent a line that is not protocol" in log and "Provider List: https://docs" in log


async def test_a_bad_line_to_the_worker_is_logged_with_its_content_and_the_worker_carries_on(workspace):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hitl_tui.drafting.worker", "--root", str(workspace.root), "--reviewer", "tester",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    proc.stdin.write(b'{"op": "draft", "brief": "half a line\n')
    proc.stdin.write(p.to_wire(p.Shutdown("quit")))
    await proc.stdin.drain()
    assert await asyncio.wait_for(proc.wait(), 60) == 0  # the shutdown after the bad line was still read
    log = (workspace.root / "hitl.log").read_text()  # written before the worker exited
    assert "the station sent a line that is not protocol" in log and '{"op": "draft", "brief": "half a line' in log

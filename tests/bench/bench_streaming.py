"""Benchmarks 3-4: eight streams against litellm alone (and keys meanwhile); long drafts stay linear."""

from __future__ import annotations

import asyncio
import gc
import os
import time
from pathlib import Path

from common import ServerProcess, make_workspace, median, p95, report, wait_until


# ------------------------------------------------------------------ 3. streaming overhead + key latency

async def _litellm_alone(base_url: str, model: str, streams: int) -> float:
    """The same requests the engine makes (usage included, no retries), read with litellm and nothing else."""
    from hitl_tui.drafting.llm import load_litellm

    litellm = load_litellm(None)

    async def one() -> int:
        resp = await litellm.acompletion(model=f"openai/{model}", api_base=base_url, api_key="x", stream=True,
                                         messages=[{"role": "user", "content": "go"}], num_retries=0, max_retries=0,
                                         temperature=0.7, timeout=30.0, stream_options={"include_usage": True})
        n = 0
        async for chunk in resp:
            if chunk.choices and chunk.choices[0].delta.content:
                n += 1
        return n

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(streams)))
    return time.perf_counter() - start


async def bench_streaming(tmp: Path, smoke: bool) -> None:
    """Rounds of: a brief lands, 8 variants stream into the open brief at full speed while a key is pressed every
    100 ms; then the same 8 requests read by litellm alone. Medians over the rounds."""
    from textual import events

    from hitl_tui.drafting.llm import load_litellm
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.ui.screens.review import ReviewScreen
    from hitl_tui.workspace import Workspace

    tokens = 200 if smoke else int(os.environ.get("BENCH_TOKENS", 2000))
    rounds = 1 if smoke else 3
    model = f"ok-{tokens}"
    server = ServerProcess()
    in_app, alone, latencies, cpu = [], [], [], []
    try:
        await asyncio.to_thread(load_litellm, None)
        await _litellm_alone(server.base_url, model, 1)  # warm the client
        ws = Workspace.load(make_workspace(tmp / "stream", auto_draft=True, variants=8, models=[
            {"model": f"openai/{model}", "api_base": server.base_url}]))
        app = HitlApp(ws)
        handled: list[float] = []
        original = ReviewScreen.action_score_back

        def timed_score_back(self):
            handled.append(time.perf_counter())
            original(self)

        ReviewScreen.action_score_back = timed_score_back
        async with app.run_test(size=(160, 50)) as pilot:
            await asyncio.wait_for(app.ready.wait(), 10)
            app.engine.start()
            await asyncio.wait_for(app.engine.warm.wait(), 60)  # litellm loaded, as for the run alone
            for n in range(rounds):
                name = f"big-{n}.toml"
                (ws.inbox / name).write_text(f'title = "Big {n}"\nbrief = "Write a lot."\n')
                await wait_until(lambda: any(r.name == name for r in app.review.rows), timeout=20)
                await app.review.open_brief(name)  # the reader is on it as it streams
                await wait_until(lambda: app.engine.active, timeout=20)
                start = time.perf_counter()
                cpu_at_start = (_proc_cpu(app.engine._proc.pid), time.process_time())
                streaming_done = asyncio.Event()

                async def keys():
                    while not streaming_done.is_set():
                        sent = time.perf_counter()
                        before = len(handled)
                        app.post_message(events.Key("backspace", None))
                        while len(handled) == before and time.perf_counter() - sent < 2:
                            await asyncio.sleep(0.001)
                        if len(handled) > before:
                            latencies.append(handled[-1] - sent)
                        await asyncio.sleep(0.1)

                key_task = asyncio.create_task(keys())
                await wait_until(lambda: len(app.review.states) == 8 and not app.engine.active, timeout=600)
                in_app.append(time.perf_counter() - start)
                cpu.append((_proc_cpu(app.engine._proc.pid) - cpu_at_start[0], time.process_time() - cpu_at_start[1]))
                streaming_done.set()
                await key_task
                await pilot.pause(0.2)
                assert all(s.tokens == tokens for s in app.review.states.values()), [s.tokens for s in app.review.states.values()]
                alone.append(await _litellm_alone(server.base_url, model, 8))
        ReviewScreen.action_score_back = original
    finally:
        server.stop()
    ratio = median(in_app) / median(alone)
    report(f"streaming 8 x {tokens} tokens in the app", f"{median(in_app):.2f} s vs litellm alone "
           f"{median(alone):.2f} s = {ratio:.2f}x", "≤ 1.15x", ratio <= 1.15)
    print(f"       medians of {rounds}; CPU per round: drafting worker {median([c[0] for c in cpu]):.2f} s, "
          f"screen {median([c[1] for c in cpu]):.2f} s")
    if latencies:
        report("key press while streaming (p95)", f"{p95(latencies) * 1000:.1f} ms (median "
               f"{median(latencies) * 1000:.1f}, n={len(latencies)})", "≤ 50 ms p95", p95(latencies) <= 0.05)


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


# ------------------------------------------------------------------ 4. long drafts stay linear

async def bench_long_drafts(tmp: Path, smoke: bool) -> None:
    """Stream one long draft into the focused pane the way the engine does (every token buffered, the pane
    flushed ~10x a second, i.e. every 50 tokens from a fast provider) and let the screen draw after each flush.
    CPU time of the UI thread, not wall time: the pauses between frames would otherwise hide quadratic work, and
    other threads (the database's, the inbox watcher's) are not what is measured."""
    from hitl_tui.drafting.events import StreamEvent
    from hitl_tui.ui.app import HitlApp
    from hitl_tui.ui.widgets.draft_pane import PaneState
    from hitl_tui.workspace import Workspace

    sizes = (200, 800) if smoke else (1000, 4000)
    shapes = {"paragraphs": lambda i: f"word{i} " if i % 40 else f"word{i}.\n\n",
              "one paragraph": lambda i: f"word{i} ",
              "one code block": lambda i: ("```\n" if i == 0 else "") + (f"x{i} = {i}\n" if i % 3 == 0 else f"v{i} ")}
    ws = Workspace.load(make_workspace(tmp / "long"))
    app = HitlApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.ready.wait(), 10)
        for shape, token in shapes.items():
            runs: dict[int, list[float]] = {size: [] for size in sizes}
            for _ in range(1 if smoke else 9):
                for size in sizes:  # interleaved, so drift in the machine's state weighs on both sizes alike
                    gc.collect()  # each run starts from the same heap: a collection mid-run is not the pane's cost
                    app.review.states = {1: PaneState(1, "bench", status="streaming")}
                    app.review.order, app.review.pane_index = [1], 0
                    await app.review.mount_panes()
                    await app.review.draft_event(StreamEvent("start", size, 1))  # a new revision starts
                    await pilot.pause()
                    text, cpu = "", 0.0
                    for i in range(size):
                        piece = token(i)
                        text += piece
                        start = time.thread_time()
                        app.review.engine_event(StreamEvent("delta", size, 1, text=text, delta=piece, tokens=i + 1))
                        if i % 50 == 49 or i == size - 1:
                            app.review.flush_streams()
                            cpu += time.thread_time() - start
                            await pilot.pause()  # the frame is drawn (its CPU counted below)
                            start = time.thread_time()
                            app.screen._compositor_refresh()
                        cpu += time.thread_time() - start
                    runs[size].append(cpu)
            timings = {size: median(values) for size, values in runs.items()}
            ratio = timings[sizes[1]] / timings[sizes[0]]
            report(f"stream {sizes[1]} vs {sizes[0]} tokens ({shape})",
                   f"{timings[sizes[1]]:.3f} s vs {timings[sizes[0]]:.3f} s CPU = {ratio:.2f}x", "≤ 4.5x",
                   ratio <= 4.5)

"""Streaming drafts through litellm: variants in parallel under a cap, retries, timeouts, cancellation.

The engine writes to the store and reports progress through one callback (`on_event`); it never touches UI.
Cancelling, closing and the writer's heartbeat are in stopping.py. Every new draft and revision is given the voice
memory (`feedback_loop.memory`) and records it; a revision is sent feedback items, and when it finishes they are
marked in the same commit (`learning.marking.mark_items`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..briefs import Brief
from ..config import Config, ModelSpec
from ..feedback_loop.memory import voice_memory
from ..gates import GateSpec, gate_spec
from ..learning.feedback import FeedbackItem, feedback_payload
from ..learning.marking import mark_items
from ..prompts import build_draft_messages, build_revision_messages, prompt_version, variant_temperature
from ..redaction import register_key_vars
from ..store import Draft, Store
from .errors import Attempt, WholeCallTimeout, describe_failure, describe_retry
from .events import Outcome, StreamEvent, stopped_because
from .llm import load_litellm
from .stopping import Stopping

if TYPE_CHECKING:
    from ..learning.rules_file import LearnedRule

log = logging.getLogger("hitl.drafting")  # routed to hitl.log, keys redacted (llm.route_logs)
log.addHandler(logging.NullHandler())  # and never to the terminal before that routing is in place

CHECKPOINT_SECONDS = 1.0
YIELD_SECONDS = 0.005  # a stream hands the loop over at least this often
RETRYABLE = ("RateLimitError", "InternalServerError", "ServiceUnavailableError", "APIConnectionError", "Timeout",
             "BadGatewayError", "APIError")
NOT_RETRYABLE = ("AuthenticationError", "PermissionDeniedError", "BadRequestError", "NotFoundError",
                 "ContextWindowExceededError", "UnprocessableEntityError", "MidStreamFallbackError")


@dataclass
class _Job:
    draft_id: int
    revision_id: int
    variant: int
    spec: ModelSpec
    messages: list[dict]
    temperature: float
    label: str = ""
    gates: GateSpec | None = None  # a finished draft's gate results are logged with it
    state: dict = field(default_factory=lambda: {"text": "", "tokens": 0, "tries": 0})  # the text so far
    items: list[FeedbackItem] | None = None  # a revise: the feedback items sent, marked when it finishes
    previous: str = ""  # a revise: the text it was given


def is_retryable(exc: BaseException, got_text: bool) -> bool:
    if got_text:  # the reader already sees partial text; a silent restart would replace it
        return False
    names = [c.__name__ for c in type(exc).__mro__]
    if any(n in NOT_RETRYABLE for n in names[:2]) or names[0] in NOT_RETRYABLE:
        return False
    return isinstance(exc, (asyncio.TimeoutError, ConnectionError)) or any(n in RETRYABLE for n in names)


def model_label(spec: ModelSpec) -> str:
    return spec.display


class DraftEngine(Stopping):
    def __init__(self, store: Store, config: Config, *, log_file: Path | None = None,
                 on_event: Callable[[StreamEvent], None] | None = None, backoff_base: float = 0.5,
                 writer: str = "cli", outbox: Path | None = None,
                 learned: Callable[[], list[LearnedRule]] | None = None) -> None:
        self.store = store
        self.outbox = outbox  # where auto-approved drafts go; None: no auto-approval routing
        self.config = config
        # The accepted learned rules, asked for before each request: `Workspace.learned_rules` re-reads the file
        # when it changed and updates the checklists of `config` (the same object) so the gates follow.
        self.learned = learned or (lambda: [])
        self.log_file = log_file
        self.on_event = on_event or (lambda event: None)
        self.backoff_base = backoff_base
        self.writer = writer  # what this process is, for the writers table ("worker", "cli")
        self._sem = asyncio.Semaphore(config.drafting.concurrency)
        self._tasks: dict[int, asyncio.Task] = {}
        # litellm's stream wrapper can swallow a CancelledError and just end the stream, so a cancel is also
        # recorded here (with its reason) and checked on every chunk.
        self._cancelled: dict[int, str] = {}
        self._draft_of: dict[int, int] = {}  # revision_id -> draft_id of running streams
        self._open: dict[int, _Job] = {}  # revisions created and not yet ended, whether or not they started
        self._partials: dict[int, tuple[str, int]] = {}  # latest unsaved text of each live stream
        self._checkpointer: asyncio.Task | None = None
        self._heart: asyncio.Task | None = None
        self.closing: str | None = None  # the reason, once close() began: nothing new starts after it

    # ------------------------------------------------------------------ public API

    def models_for(self, brief: Brief, override: list[ModelSpec] | None = None) -> list[ModelSpec]:
        if override:
            return override
        if brief.models:
            return [ModelSpec(m) for m in brief.models]
        return self.config.drafting.models

    async def draft_brief(self, brief: Brief, version_id: int, *, models: list[ModelSpec] | None = None,
                          variants: int | None = None, claim: bool = False) -> list[Outcome]:
        """Create and stream N variants × the brief's models; returns when all have ended. With `claim` (the
        station's auto-drafting) the version is drafted only if it has no drafts yet, decided atomically in the
        log: another station that got there first makes this return [] without a request."""
        n = variants or brief.variants or self.config.drafting.variants
        memory = await voice_memory(self.store, self.config, self.learned(), brief)
        gates = gate_spec(self.config, brief)
        specs = self.models_for(brief, models)
        plan = [(m_index * n + v, v, spec, variant_temperature(self.config.drafting.temperature, v))
                for m_index, spec in enumerate(specs) for v in range(n)]
        await self._start_writing()
        created = await self.store.create_drafts(
            version_id, [(variant, spec.model, model_label(spec), temp) for variant, _v, spec, temp in plan],
            prompt_version(self.config), only_if_none=claim)
        jobs = [self._opened(_Job(draft_id, revision_id, variant, spec,
                                  build_draft_messages(brief, self.config, v, memory), temp, model_label(spec), gates))
                for (draft_id, revision_id), (variant, v, spec, temp) in zip(created, plan)]
        await self._record_memory({job.revision_id: memory.to_dict() for job in jobs})
        for job in jobs:
            self.on_event(StreamEvent("created", job.revision_id, job.draft_id))
        await self.store.save_messages({job.revision_id: job.messages for job in jobs})
        outcomes = list(await asyncio.gather(*(self._spawn(job) for job in jobs)))
        await self._route(brief, outcomes)
        return outcomes

    async def revise(self, draft: Draft, brief: Brief, previous: str, items: list[FeedbackItem]) -> Outcome:
        """Revision N+1 of `previous` (the text the reviewer has), sent `items` (dropped ones are logged, not sent)."""
        spec = self._spec_for_draft(draft)
        memory = await voice_memory(self.store, self.config, self.learned(), brief)
        await self._start_writing()
        revision_id = await self.store.add_ai_revision(draft.id, spec.model, prompt_version(self.config),
                                                       feedback_payload(items), "revise")
        await self._record_memory({revision_id: memory.to_dict()})
        messages = build_revision_messages(brief, self.config, previous, items, memory)
        await self.store.save_messages({revision_id: messages})  # what was sent: the exports' prompt
        return await self._spawn(self._opened(_Job(
            draft.id, revision_id, draft.variant, spec, messages,
            draft.temperature or self.config.drafting.temperature, draft.label, gate_spec(self.config, brief),
            items=list(items), previous=previous)))

    async def regenerate(self, draft: Draft, brief: Brief) -> Outcome:
        spec = self._spec_for_draft(draft)
        memory = await voice_memory(self.store, self.config, self.learned(), brief)
        await self._start_writing()
        revision_id = await self.store.add_ai_revision(draft.id, spec.model, prompt_version(self.config), None,
                                                       "regenerate")
        await self._record_memory({revision_id: memory.to_dict()})
        messages = build_draft_messages(brief, self.config, draft.variant + random.randint(1, 7), memory)
        await self.store.save_messages({revision_id: messages})
        return await self._spawn(self._opened(_Job(
            draft.id, revision_id, draft.variant, spec, messages,
            draft.temperature or self.config.drafting.temperature, draft.label, gate_spec(self.config, brief))))

    async def _record_memory(self, memories: dict[int, dict]) -> None:
        """Which examples and learned lines each new revision is given; a failure to record it is logged and the
        drafts still stream (it is a record, not part of the request)."""
        try:
            await self.store.save_examples(memories)
        except Exception as exc:
            log.warning("could not record the voice memory of revisions %s: %s", list(memories), exc)

    def _ensure_checkpointer(self) -> None:
        if self._checkpointer is None or self._checkpointer.done():
            self._checkpointer = asyncio.ensure_future(self._checkpoint_loop())

    async def _checkpoint_loop(self) -> None:
        """Once a second, write every live stream's partial text in one transaction."""
        while self._partials:
            await asyncio.sleep(CHECKPOINT_SECONDS)
            partials, self._partials = self._partials, {}
            try:
                await self.store.save_partials(partials)
            except Exception:  # a failed checkpoint must not end the streams; the final write still happens
                pass

    @property
    def active(self) -> list[int]:
        return [rid for rid, t in self._tasks.items() if not t.done()]

    # ------------------------------------------------------------------ internals

    def _spec_for_draft(self, draft: Draft) -> ModelSpec:
        for spec in self.config.drafting.models:
            if spec.model == draft.model:
                return spec
        return ModelSpec(draft.model, label=draft.label)

    async def _spawn(self, job: _Job) -> Outcome:
        if self.closing is not None:  # created just as the engine began to close: no request, ended by close()
            return Outcome(job.draft_id, job.revision_id, job.variant, job.spec.model, job.label, "interrupted",
                           "", error=stopped_because(self.closing))
        task = asyncio.ensure_future(self._run(job))
        self._tasks[job.revision_id] = task
        self._draft_of[job.revision_id] = job.draft_id
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # The caller was cancelled: stop the stream too, and wait for its cleanup to save the partial text.
            task.cancel()
            await asyncio.wait([task])
            raise
        finally:
            if task.done():
                self._tasks.pop(job.revision_id, None)
                self._draft_of.pop(job.revision_id, None)

    async def _run(self, job: _Job) -> Outcome:
        state = job.state
        outcome = Outcome(job.draft_id, job.revision_id, job.variant, job.spec.model, job.label, "failed", "")
        try:
            async with self._sem:
                try:
                    if self.closing is not None:  # got a slot as the engine began to close: no request
                        raise asyncio.CancelledError()
                    await self._attempts(job, state, outcome)
                except asyncio.CancelledError:
                    outcome.status, outcome.error = "interrupted", self._why_cancelled(job.revision_id)
                except Exception as exc:  # any provider/library error ends this variant, never the app
                    outcome.status, outcome.error = "failed", describe_failure(exc, self._attempt(job, state))
                    log.warning("draft %s (%s) failed on try %s: %s: %s", job.revision_id, job.spec.model,
                                state["tries"], type(exc).__name__, exc)
                return await self._finish(job, state, outcome)
        except asyncio.CancelledError:  # cancelled while waiting for a slot
            outcome.status, outcome.error = "interrupted", self._why_cancelled(job.revision_id)
            return await self._finish(job, state, outcome)

    async def _finish(self, job: _Job, state: dict, outcome: Outcome) -> Outcome:
        self._partials.pop(job.revision_id, None)
        if job.revision_id in self._cancelled:
            outcome.status, outcome.error = "interrupted", self._cancelled.pop(job.revision_id)
        outcome.text = state["text"]
        outcome.tokens_out = outcome.tokens_out or state["tokens"]
        # The final write must happen even while this task is being cancelled.
        await asyncio.shield(self._final_write(job, outcome))
        self._open.pop(job.revision_id, None)
        self.on_event(StreamEvent(outcome.status, job.revision_id, job.draft_id, text=outcome.text,
                                  tokens=outcome.tokens_out or 0, error=outcome.error, cost=outcome.cost,
                                  latency_ms=outcome.latency_ms))
        return outcome

    async def _final_write(self, job: _Job, outcome: Outcome) -> None:
        """End the revision in the log with its gate results (the claims gate is the claims register's verdict:
        sources attached to the variant's claims count) and, for a finished revise, its feedback items' marks."""
        gates = marks = None
        if job.gates and outcome.status == "done":
            from ..approval.claims import gates_with_register

            gates = gates_with_register(outcome.text, job.gates, await self.store.claim_records(job.draft_id))
            if job.items:
                marks = mark_items(job.items, previous=job.previous, revised=outcome.text, spec=job.gates)
        await self.store.finish_revision(
            job.revision_id, status=outcome.status, text=outcome.text, error=outcome.error,
            tokens_in=outcome.tokens_in, tokens_out=outcome.tokens_out, cost=outcome.cost,
            latency_ms=outcome.latency_ms, finish_reason=outcome.finish_reason, gates=gates, marks=marks)

    async def _route(self, brief: Brief, outcomes: list[Outcome]) -> None:
        """Auto-approval where drafts end (team/routing.py): only with an outbox to write to, and never at the
        cost of the drafts themselves — a failure is logged, the drafts stand."""
        if self.outbox is None:
            return
        from ..team.routing import route_drafts

        try:
            await route_drafts(self.store, self.config, self.outbox, brief, outcomes)
        except Exception:
            log.exception("routing the drafts of %s failed", brief.name)

    def _attempt(self, job: _Job, state: dict) -> Attempt:
        d = self.config.drafting
        return Attempt(tokens=state["tokens"], tries=state["tries"], api_base=job.spec.api_base,
                       chunk_timeout=d.chunk_timeout, timeout=d.timeout, key_env=job.spec.api_key_env,
                       model=job.spec.model)

    async def _attempts(self, job: _Job, state: dict, outcome: Outcome) -> None:
        retries = self.config.drafting.retries
        for attempt in range(retries + 1):
            state["tries"] = attempt + 1
            deadline = asyncio.timeout(self.config.drafting.timeout)
            try:
                try:
                    async with deadline:
                        await self._stream_once(job, state, outcome, attempt)
                except TimeoutError as exc:
                    if not deadline.expired():
                        raise
                    raise WholeCallTimeout() from exc  # our deadline for the whole draft, not the provider's
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if attempt >= retries or not is_retryable(exc, bool(state["text"])):
                    raise
                delay = self.backoff_base * (2 ** attempt) * (0.8 + 0.4 * random.random())
                log.warning("draft %s (%s) failed on try %s, retrying: %s: %s", job.revision_id, job.spec.model,
                            attempt + 1, type(exc).__name__, exc)
                self.on_event(StreamEvent("retry", job.revision_id, job.draft_id, attempt=attempt + 1,
                                          error=describe_retry(exc, self._attempt(job, state))))
                await asyncio.sleep(delay)

    def _call_kwargs(self, job: _Job) -> dict:
        spec = job.spec
        kwargs: dict = {"model": spec.model, "messages": job.messages, "stream": True,
                        "temperature": job.temperature, "timeout": self.config.drafting.chunk_timeout,
                        "num_retries": 0, "max_retries": 0, "stream_options": {"include_usage": True}}
        if spec.api_base:
            kwargs["api_base"] = spec.api_base
        if spec.api_key_env:
            register_key_vars([spec.api_key_env])  # whatever the provider echoes of it is redacted
            kwargs["api_key"] = os.environ.get(spec.api_key_env, "")
        elif spec.api_base and spec.model.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = "not-needed"  # local OpenAI-compatible servers (Ollama, vLLM) take any key
        return kwargs

    async def _stream_once(self, job: _Job, state: dict, outcome: Outcome, attempt: int) -> None:
        litellm = await asyncio.to_thread(load_litellm, self.log_file)
        started = time.monotonic()
        if self.closing is not None or job.revision_id in self._cancelled:
            raise asyncio.CancelledError()  # stopped while litellm loaded: the request is never sent
        self.on_event(StreamEvent("start", job.revision_id, job.draft_id, attempt=attempt))
        resp = await litellm.acompletion(**self._call_kwargs(job))
        usage = None
        finish = None
        last_yield = time.monotonic()
        try:
            # No asyncio.wait_for per chunk: it costs a task and extra loop turns for every token. litellm's
            # `timeout=` already bounds the wait for each chunk (httpx read timeout) and raises litellm.Timeout.
            async for chunk in resp:
                if job.revision_id in self._cancelled:
                    raise asyncio.CancelledError()
                usage = getattr(chunk, "usage", None) or usage
                if not chunk.choices:  # the usage-only last chunk
                    continue
                choice = chunk.choices[0]
                finish = choice.finish_reason or finish
                delta = choice.delta.content or "" if choice.delta else ""
                if not delta:
                    continue
                state["text"] += delta
                state["tokens"] += 1
                self.on_event(StreamEvent("delta", job.revision_id, job.draft_id, text=state["text"], delta=delta,
                                          tokens=state["tokens"]))
                self._partials[job.revision_id] = (state["text"], state["tokens"])
                self._ensure_checkpointer()
                # A fast provider's chunks are often already buffered, so `async for` would not yield to the
                # loop at all: the other streams (and in-process callers) would wait for this one to finish.
                if time.monotonic() - last_yield > YIELD_SECONDS:
                    await asyncio.sleep(0)
                    last_yield = time.monotonic()
        finally:
            # Breaking out of the loop does not close the HTTP stream; without this the server keeps generating.
            await _close(resp)
        outcome.latency_ms = int((time.monotonic() - started) * 1000)
        outcome.finish_reason = finish
        if usage is not None:
            outcome.tokens_in = getattr(usage, "prompt_tokens", None)
            outcome.tokens_out = getattr(usage, "completion_tokens", None) or state["tokens"]
        outcome.cost = _cost(litellm, job.spec.model, outcome.tokens_in, outcome.tokens_out)
        outcome.status = "done"
        if finish == "length":
            outcome.error = "truncated: the model stopped at its length limit"


async def _close(resp) -> None:
    closer = getattr(resp, "aclose", None)
    if closer is not None:
        try:
            await asyncio.shield(closer())
        except Exception:
            pass


def _cost(litellm, model: str, tokens_in: int | None, tokens_out: int | None) -> float | None:
    if tokens_in is None and tokens_out is None:
        return None
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(model=model, prompt_tokens=tokens_in or 0,
                                                              completion_tokens=tokens_out or 0)
        return round(prompt_cost + completion_cost, 6)
    except Exception:  # unknown model: cost stays empty rather than wrong
        return None

"""A failed draft in plain words: what happened, as the engine saw it, with every API key redacted.

litellm names errors after HTTP statuses no server sent (a stall is "Timeout (408)", a dropped stream
"MidStreamFallbackError (500)"). The reader of a pane or of `hitl draft` needs to know what happened and what to
do: "No tokens for 30 s — gave up after 3 tries", "Connection lost mid-stream after 212 tokens". The provider's
own words follow where they add something (a quota, a model name); the engine logs them in full to hitl.log.
Works on exception class names and status codes, so it needs no litellm import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..redaction import redact

DETAIL_MAX = 200
# The variable litellm reads a provider's key from when hitl.toml names none.
_KEY_VARS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY",
             "mistral": "MISTRAL_API_KEY", "groq": "GROQ_API_KEY", "cohere": "COHERE_API_KEY",
             "deepseek": "DEEPSEEK_API_KEY", "xai": "XAI_API_KEY", "openrouter": "OPENROUTER_API_KEY",
             "together_ai": "TOGETHERAI_API_KEY", "azure": "AZURE_API_KEY"}


@dataclass
class Attempt:
    """What the engine knows about the stream that failed."""
    tokens: int = 0  # received before the failure
    tries: int = 1
    api_base: str | None = None
    chunk_timeout: float | None = None
    timeout: float | None = None
    key_env: str | None = None
    model: str = ""

    @property
    def key_var(self) -> str | None:
        """The variable the key came from: hitl.toml's api_key_env, else the provider's usual one."""
        provider = self.model.split("/", 1)[0] if "/" in self.model else ""
        return self.key_env or _KEY_VARS.get(provider)


class WholeCallTimeout(TimeoutError):
    """The engine's own deadline for a whole draft (`drafting.timeout`) ran out."""


def provider_text(exc: BaseException) -> str:
    """The provider's message without litellm's stacked prefixes ("litellm.X: X: OpenAIException - ...")."""
    message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    message = message.split(" Original exception: ")[0]
    message = re.sub(r"(litellm\.)?\w+(Error|Exception|Timeout)( -|:) ", "", message)
    return re.sub(r"\s+", " ", message).strip()


def _names(exc: BaseException) -> set[str]:
    return {c.__name__ for c in type(exc).__mro__}


def _what_happened(exc: BaseException, a: Attempt) -> tuple[str, bool]:
    """The plain sentence, and whether the provider's own words should follow it."""
    names, status = _names(exc), getattr(exc, "status_code", None)
    inner = getattr(exc, "original_exception", None)
    if "MidStreamFallbackError" in names and isinstance(inner, BaseException):
        return _what_happened(inner, a)  # litellm's wrapper for anything that broke after the first token
    text = provider_text(exc)
    got = f" after {a.tokens} tokens" if a.tokens else ""
    kept = "; the text so far is kept" if a.tokens else ""
    where = a.api_base or "the provider"
    if isinstance(exc, WholeCallTimeout) or (isinstance(exc, TimeoutError) and not names & {"APIError"}):
        limit = f"{a.timeout:g} s" if a.timeout else "the time limit"
        return (f"Stopped at the {limit} limit for a whole draft{got}{kept}" if a.tokens
                else f"No answer within {limit}"), False
    if "Timeout" in names or "APITimeoutError" in names:  # litellm's: no chunk within chunk_timeout
        gap = f"{a.chunk_timeout:g} s" if a.chunk_timeout else "too long"
        return f"No tokens for {gap}{got}{kept}", False
    if "finish_reason" in text and "ended" in text:
        return f"The stream ended{got} without the provider marking it finished{kept}", False
    connection = (text.rstrip(".").endswith("Connection error") or names & {"APIConnectionError",
                                                                            "ConnectionError"})
    if connection:
        if a.tokens:
            return f"Connection lost mid-stream{got}: {where} stopped answering{kept}", False
        return f"Connection failed: could not reach {where} (is the server running, is the address right?)", False
    if "ContextWindowExceededError" in names:
        return "The brief and prompt are too long for the model's context window", True
    if status == 401 or "AuthenticationError" in names:
        check = f"; check {a.key_var}" if a.key_var else ""
        return f"The provider refused the API key (401){check}", True
    if status == 429 or "RateLimitError" in names:
        return "Rate limited by the provider (429)", True
    if status == 403 or "PermissionDeniedError" in names:
        return "The provider denied access to this model (403)", True
    if status == 404 or "NotFoundError" in names:
        return f"The provider does not know the model {a.model.split('/', 1)[-1]!r} or the address (404)", True
    if status in (400, 422) or names & {"BadRequestError", "UnprocessableEntityError"}:
        return f"The provider rejected the request ({status or 400})", True
    if status in (502, 503, 504) or names & {"ServiceUnavailableError", "BadGatewayError"}:
        return f"The provider is unavailable ({status or 503})", True
    if status == 500 or "InternalServerError" in names:
        return "The provider had an internal error (500)", True
    return (f"{type(exc).__name__} ({status})" if isinstance(status, int) else type(exc).__name__), True


def describe_failure(exc: BaseException, attempt: Attempt) -> str:
    """One line for the pane, the CLI and hitl.db: what happened, how often it was tried, the provider's words."""
    sentence, with_detail = _what_happened(exc, attempt)
    if attempt.tries > 1:
        sentence += f" — gave up after {attempt.tries} tries"
    detail = provider_text(exc) if with_detail else ""
    if detail and detail != type(exc).__name__:
        if len(detail) > DETAIL_MAX:
            detail = detail[:DETAIL_MAX - 1].rstrip() + "…"
        sentence += f": {detail}"
    return redact(sentence) or ""


def describe_retry(exc: BaseException, attempt: Attempt) -> str:
    """Why a try failed before the next one: the plain sentence alone."""
    return redact(_what_happened(exc, attempt)[0]) or ""

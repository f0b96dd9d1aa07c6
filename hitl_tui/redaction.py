"""Keeping API keys out of what we store, log and show.

Some gateways repeat the key they were sent in their error message ("invalid key: sk-…"). Every provider message
passes through `redact` before it reaches hitl.db, hitl.log, a pane or the terminal; `RedactingFormatter` does
the same for the log records of litellm and its HTTP stack.

Core module: imports neither textual nor litellm.
"""

from __future__ import annotations

import logging
import os
import re

REDACTED = "[redacted]"
MIN_SECRET = 8  # a shorter value is no secret worth the name, and replacing it would garble ordinary words

# The variables providers read their keys from (litellm's names), beside any `api_key_env` of hitl.toml.
PROVIDER_KEY_VARS = (
    "OPENAI_API_KEY", "AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
    "GOOGLE_API_KEY", "VERTEX_API_KEY", "MISTRAL_API_KEY", "COHERE_API_KEY", "CO_API_KEY", "GROQ_API_KEY",
    "TOGETHERAI_API_KEY", "TOGETHER_API_KEY", "OPENROUTER_API_KEY", "DEEPSEEK_API_KEY", "XAI_API_KEY",
    "FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY", "PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY", "HUGGINGFACE_API_KEY",
    "HF_TOKEN", "REPLICATE_API_KEY", "REPLICATE_API_TOKEN", "VOYAGE_API_KEY", "NVIDIA_NIM_API_KEY",
    "CEREBRAS_API_KEY", "DATABRICKS_API_KEY", "WATSONX_APIKEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "LITELLM_API_KEY", "LITELLM_MASTER_KEY",
)
# Names that say "secret" whatever the provider: MY_GATEWAY_KEY, FOO_TOKEN, BAR_SECRET, …
_SECRET_NAME = re.compile(r"(API_?KEY|_KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
# Tokens that look like keys wherever they come from: sk-…, sk-ant-…, sk-proj-…, gsk_…, hf_…, AIza…, xai-…,
# and whatever follows "Bearer".
_KEY_SHAPES = re.compile(
    r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{8,}|\b(?:gsk|hf|xai|sk)_[A-Za-z0-9]{16,}|\bxai-[A-Za-z0-9]{16,}"
    r"|\bAIza[0-9A-Za-z_\-]{20,}|(?<=Bearer )[^\s\"',;]{8,}", re.IGNORECASE)

_extra_vars: set[str] = set()


def register_key_vars(names) -> None:
    """The `api_key_env` names of the configured models: their values are redacted too."""
    _extra_vars.update(name for name in names if name)


def secret_values(environ=None) -> list[str]:
    """The values to hide, longest first (so a key that contains another is replaced whole)."""
    env = os.environ if environ is None else environ
    names = set(PROVIDER_KEY_VARS) | _extra_vars | {name for name in env if _SECRET_NAME.search(name)}
    values = {env.get(name, "") for name in names}
    return sorted((v for v in values if len(v) >= MIN_SECRET), key=len, reverse=True)


def redact(text: str | None, environ=None) -> str | None:
    """The text with every configured key and anything shaped like a key replaced by [redacted]."""
    if not text:
        return text
    for value in secret_values(environ):
        if value in text:
            text = text.replace(value, REDACTED)
    return _KEY_SHAPES.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats a record as usual (message, arguments, traceback), then redacts the whole line: a filter that
    rewrote `record.msg` would miss the arguments and the traceback, where litellm puts the provider's text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record)) or ""

"""Keys never reach the log, the database or the screen: what `redact` hides and what it leaves."""

from __future__ import annotations

import logging

from hitl_tui.redaction import REDACTED, RedactingFormatter, redact, register_key_vars


def test_configured_and_provider_keys_are_hidden_whatever_their_shape():
    env = {"OPENAI_API_KEY": "abc123def456ghi789", "MY_GATEWAY_TOKEN": "tok-0011223344", "SHORT_KEY": "x1"}
    text = "401: key abc123def456ghi789 is invalid (tok-0011223344), x1 stays"
    assert redact(text, env) == f"401: key {REDACTED} is invalid ({REDACTED}), x1 stays"


def test_a_key_named_in_hitl_toml_is_hidden_even_with_an_unusual_variable_name():
    env = {"VENDOR_CREDENTIAL": "vendor-9f8e7d6c5b4a"}
    assert redact("sent vendor-9f8e7d6c5b4a", env) == "sent vendor-9f8e7d6c5b4a"  # unknown until configured
    register_key_vars(["VENDOR_CREDENTIAL"])
    assert redact("sent vendor-9f8e7d6c5b4a", env) == f"sent {REDACTED}"


def test_key_shaped_tokens_are_hidden_even_when_not_configured():
    for token in ("sk-proj-AbCdEf0123456789xyz", "sk-ant-api03-abcdefgh12345678", "gsk_0123456789abcdefABCD",
                  "AIzaSyA1234567890abcdefghijklmnop"):
        assert redact(f"bad key: {token}.", {}) == f"bad key: {REDACTED}."
    assert redact("Authorization: Bearer opaque.token.value", {}) == f"Authorization: Bearer {REDACTED}"
    # ordinary words that merely start alike stay
    assert redact("a sk-test key, the task-force", {}) == "a sk-test key, the task-force"


def test_log_records_are_redacted_with_their_arguments_and_tracebacks(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "abc123def456ghi789")
    formatter = RedactingFormatter("%(message)s")
    try:
        raise ValueError("echo abc123def456ghi789")
    except ValueError:
        import sys

        record = logging.LogRecord("LiteLLM", logging.ERROR, __file__, 1, "call with %s", ("abc123def456ghi789",),
                                   sys.exc_info())
    line = formatter.format(record)
    assert "abc123def456ghi789" not in line
    assert "call with [redacted]" in line and "ValueError: echo [redacted]" in line

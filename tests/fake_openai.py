"""A real OpenAI-compatible streaming chat server on 127.0.0.1 with scripted behaviours.

The behaviour is picked by the model name sent (the part after `openai/`):
  ok-N          stream N tokens, then finish_reason=stop and (if asked) a usage chunk
  slow-N-MS     N tokens, MS milliseconds apart
  auth          401
  auth-echo     401 whose message repeats the Authorization header sent (as some gateways do)
  flaky429      429 on the first call for this model name, then like ok-20
  error429      429 every time
  error500      500 every time
  hang          accept and never answer
  stall-N       N tokens, then silence with the connection open
  drop-N        N tokens, then the connection is cut mid-stream
  cut-N         N tokens, then the stream ends cleanly but without a finish_reason
  length-N      N tokens, then finish_reason=length
  markup        a draft full of Rich markup, ANSI escapes and terminal control sequences (HOSTILE)
  revslow-N-MS  a first draft of N tokens at once; a revision (a request carrying a previous draft) slowly
The server records when each request arrived (`request_times`) and how many streams are open right now
(`open_streams`): a client that quits must send nothing after it and must close what it had open. Words after
a behaviour's numbers are ignored (`slow-400-150-q1`): a test can use a model name of its own.
Used by the tests and the benchmarks; it is only ever bound to loopback.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What a terminal acts on: clear screen, clipboard write (OSC 52), hyperlink (OSC 8), window title (OSC 0, OSC 2),
# 8-bit CSI (C1 U+009B), full reset (ESC c).
HOSTILE = ("\x1b[2J", "\x1b]52;c;cHduZWQ=\x07", "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
           "\x1b]0;pwned\x07", "\x1b]2;pwned\x1b\\", "\x9b2J", "\x1bc")
MARKUP_TEXT = ("Big [bold red]news[/] and [link=http://x]a link[/link] \x1b[31mred\x1b[0m [/] done. "
               + " ".join(HOSTILE) + " end.")


def token(i: int) -> str:
    return f"word{i} " if i % 12 else f"word{i}.\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "FakeOpenAI"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, kind: str, message: str) -> None:
        self._json(status, {"error": {"message": message, "type": kind, "code": kind}})

    def _chunk(self, model: str, delta: dict | None, finish: str | None = None, usage: dict | None = None) -> bytes:
        body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model, "choices": [] if delta is None else
                [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if usage:
            body["usage"] = usage
        return b"data: " + json.dumps(body).encode() + b"\n\n"

    def _send(self, data: bytes) -> None:
        self.wfile.write(hex(len(data))[2:].encode() + b"\r\n" + data + b"\r\n")
        self.wfile.flush()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        model = body.get("model", "ok-10")
        with self.server.lock:
            self.server.requests.append(body)
            self.server.request_times.append((time.time(), model))
            self.server.calls[model] += 1
        kind, *params = model.split("-")
        if kind == "auth" and params == ["echo"]:
            sent = self.headers.get("Authorization", "")
            return self._error(401, "invalid_api_key", f"Invalid credentials in header 'Authorization: {sent}'")
        if kind == "auth":
            return self._error(401, "invalid_api_key", "Incorrect API key provided: sk-test")
        if kind == "error500":
            return self._error(500, "server_error", "The server had an error while processing your request")
        if kind == "error429" or kind == "flaky429" and self.server.calls[model] == 1:
            return self._error(429, "rate_limit_exceeded", "Rate limit reached for requests")
        if kind == "hang":
            time.sleep(self.server.hang_seconds)
            return
        n = int(params[0]) if params and params[0].isdigit() else 20
        delay = int(params[1]) / 1000 if kind == "slow" and len(params) > 1 else 0.0
        if kind == "revslow" and "## Previous draft" in str(body.get("messages", [{}])[-1].get("content")):
            delay = int(params[1]) / 1000 if len(params) > 1 else 0.1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pieces = [MARKUP_TEXT] if kind == "markup" else [token(i) for i in range(n)]
        with self.server.lock:
            self.server.open_streams[model] += 1
        try:
            self._send(self._chunk(model, {"role": "assistant", "content": ""}))
            for i, piece in enumerate(pieces):
                if delay:
                    time.sleep(delay)
                self._send(self._chunk(model, {"content": piece}))
                self.server.tokens_sent[model] += 1
            if kind == "stall":
                time.sleep(self.server.hang_seconds)
                return
            if kind == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if kind == "cut":
                self._send(b"")  # the end of the chunked body: no finish_reason, no [DONE]
                return
            self._send(self._chunk(model, {}, "length" if kind == "length" else "stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                self._send(self._chunk(model, None, usage={"prompt_tokens": 11, "completion_tokens": len(pieces),
                                                           "total_tokens": 11 + len(pieces)}))
            self._send(b"data: [DONE]\n\n")
            self._send(b"")
        except (BrokenPipeError, ConnectionResetError):
            self.server.disconnects[model] += 1  # the client closed the stream: we stop generating
        finally:
            with self.server.lock:
                self.server.open_streams[model] -= 1


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.request_times: list[tuple[float, str]] = []  # (time.time() on arrival, model)
        self.open_streams: Counter = Counter()  # model -> streams being sent now
        self.calls: Counter = Counter()
        self.tokens_sent: Counter = Counter()
        self.disconnects: Counter = Counter()
        self.hang_seconds = 5.0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def requests_after(self, moment: float, model: str | None = None) -> list[tuple[float, str]]:
        with self.lock:
            return [(t, m) for t, m in self.request_times if t >= moment and (model is None or m == model)]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


if __name__ == "__main__":  # run by hand: python tests/fake_openai.py
    server = FakeOpenAI().start()
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()

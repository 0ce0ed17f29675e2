"""The simulated engine behind an OpenAI-compatible loopback HTTP server.

stdlib ``http.server`` in a daemon thread (the ASGI stack is a test-only extra):
``/health``, ``/v1/models`` and ``/v1/completions``, answered by ``engine``.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from interviewer.simulated import engine
from interviewer.simulated.engine import EngineConfig, EngineLog

MODEL_NAME = "simulated"


def schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a request constrains its output to, in any style we send."""
    found = body.get("json_schema") or (body.get("structured_outputs") or {}).get("json")
    if found is None and isinstance(body.get("response_format"), dict):
        found = body["response_format"].get("json_schema", {}).get("schema")
    return found if isinstance(found, dict) else None


def complete(body: dict[str, Any], config: EngineConfig, log: EngineLog) -> dict[str, Any]:
    """One ``/v1/completions`` body -> its response."""
    prompt = body.get("prompt", "")
    prompt = str(prompt[0] if isinstance(prompt, list) else prompt)
    seed = body.get("seed")
    logprobs = None
    schema = schema_of(body)
    item = engine.survey_item(prompt) if prompt.rstrip().endswith("Answer:") else None
    if schema is not None:
        log.count("structured")
        text = json.dumps(engine.structured_reply(schema, prompt, seed, config))
    elif item is not None:
        log.count("respondent")
        probs = engine.respondent_probs(item)
        if body.get("logprobs"):
            top = engine.letter_logprobs(probs)
            text = max(top, key=lambda t: top[t])
            logprobs = _content(text, top)
        else:
            text = engine.sampled_letter(probs, seed, prompt)
    elif prompt.rstrip().endswith("summary:"):
        log.count("reflection")
        text = " " + engine.reflection(prompt)
    elif prompt.rstrip().endswith("Reasoning:"):
        log.count("reasoning")
        text = " They would answer from what they have told us about themselves."
    else:
        log.count("persona")
        text = " " + engine.persona_answer(prompt, seed, config, log)
    if schema is None and item is None and int(body.get("max_tokens") or 16) <= 2:
        # A one-token call (``interviewer backends`` probes so): the first word, and
        # its logprob when asked, as an engine would give it.
        text = " " + text.split()[0]
        logprobs = _content(text, {text: 0.0}) if body.get("logprobs") else None
    return _body(text, prompt, logprobs)


def _content(text: str, top: dict[str, float]) -> dict[str, Any]:
    alts = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in top.items()]
    return {"content": [{"token": text, "logprob": top[text], "top_logprobs": alts}]}


def _body(text: str, prompt: str, logprobs: dict[str, Any] | None) -> dict[str, Any]:
    prompt_tokens = max(1, len(prompt) // 4)
    tokens = max(1, round(len(text.split()) * 1.3))
    return {
        "id": "cmpl-simulated",
        "object": "text_completion",
        "created": 0,
        "model": MODEL_NAME,
        "choices": [{"text": text, "index": 0, "finish_reason": "stop", "logprobs": logprobs}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": tokens,
            "total_tokens": prompt_tokens + tokens,
        },
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connection attempts when a run opens hundreds at
    # once, and each dropped SYN costs the client a 1 s (then 3 s, ...) retransmit.
    request_queue_size = 1024


@dataclass
class SimulatedServer:
    """``start()`` serves on a free loopback port; ``base_url`` ends in ``/v1``."""

    config: EngineConfig
    log: EngineLog = field(default_factory=EngineLog)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> str:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _handler(self))
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()


def _handler(owner: SimulatedServer) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; with Nagle's algorithm the second
            # waits for the client's delayed ACK (~40 ms a call on loopback).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, {"status": "ok"})
            elif self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": MODEL_NAME}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                with lock:  # the log is shared; the engine itself is pure
                    payload = complete(body, owner.config, owner.log)
            except (ValueError, KeyError, TypeError) as exc:
                self._send(400, {"error": {"message": f"simulated engine: {exc}"}})
                return
            self._send(200, payload)

        def _send(self, code: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler

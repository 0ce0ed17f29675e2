"""A loopback OpenAI-compatible server for tests, scripted per request.

Each request pops the next behaviour from a script (the last one repeats):
``ok`` (llama.cpp-style logprobs), ``legacy`` (vLLM-style logprobs), ``nologprobs``,
``429`` (with Retry-After), ``500``, ``400``, ``slow`` (sleeps past a client timeout),
``garbage`` (200 with a non-JSON body), ``reset`` (closes the socket mid-request),
``auto`` (plays an interview: JSON for schema-constrained requests, prose otherwise).

Run as a program it stands in for ``vllm serve MODEL --host H --port P``. For latency,
batch limits and faults by rate, use the ASGI load server, bench/load_server.py.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOP = {" A": -0.5, " B": -1.5, " C": -2.5, "\n": -3.0}


@dataclass
class StubState:
    script: list[str] = field(default_factory=lambda: ["ok"])
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    """Each request's HTTP headers, names lower-cased."""
    times: list[float] = field(default_factory=list)
    retry_after: str = "1"
    slow_s: float = 3.0
    text: str = " A"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_behaviour(self) -> str:
        with self.lock:
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def completion_body(text: str, behaviour: str, logprobs: int | None) -> dict[str, Any]:
    choice: dict[str, Any] = {"text": text, "index": 0, "finish_reason": "length"}
    if logprobs and behaviour == "ok":
        alts = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in TOP.items()]
        choice["logprobs"] = {
            "content": [{"token": text, "logprob": -0.5, "top_logprobs": alts[:logprobs]}]
        }
    elif logprobs and behaviour == "legacy":
        choice["logprobs"] = {
            "tokens": [text],
            "token_logprobs": [-0.5],
            "top_logprobs": [dict(list(TOP.items())[:logprobs])],
            "text_offset": [0],
        }
    else:
        choice["logprobs"] = None
    return {
        "id": "cmpl-stub",
        "object": "text_completion",
        "created": 0,
        "model": "stub",
        "choices": [choice],
        "usage": {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8},
    }


def value_for(schema: dict[str, Any]) -> Any:
    """A minimal valid value: booleans true for "consistent", false otherwise."""
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {
            name: (True if name == "consistent" else value_for(sub)) for name, sub in props.items()
        }
    return {"boolean": False, "string": "", "array": [], "integer": 0, "number": 0.0}.get(str(kind))


def auto_text(body: dict[str, Any], count: int) -> str:
    schema = body.get("json_schema") or (body.get("structured_outputs") or {}).get("json")
    if schema:
        return json.dumps(value_for(schema))
    prompt = body.get("prompt", "")
    prompt = prompt[0] if isinstance(prompt, list) else prompt  # clients send a batch
    if str(prompt).endswith("Answer:"):
        return " AB"[1 + count % 2]  # a survey item: alternate A and B
    return f" I grew up in Dayton, Ohio, and this is answer {count}. I still live there."


def make_handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, {"status": "ok"})
            elif self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": "stub-model"}]})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            behaviour = state.next_behaviour()
            with state.lock:
                state.requests.append(body)
                state.headers.append({k.lower(): v for k, v in self.headers.items()})
                state.times.append(time.monotonic())
            if behaviour == "429":
                self._send(
                    429, {"error": {"message": "slow down"}}, {"Retry-After": state.retry_after}
                )
            elif behaviour in ("500", "400"):
                self._send(int(behaviour), {"error": {"message": f"stub {behaviour}"}})
            elif behaviour == "garbage":
                self._send_raw(200, b"<html>not json", "application/json")
            elif behaviour == "reset":
                self.close_connection = True
                self.connection.close()
            else:
                if behaviour == "slow":
                    time.sleep(state.slow_s)
                text = auto_text(body, len(state.requests)) if behaviour == "auto" else state.text
                self._send(200, completion_body(text, behaviour, body.get("logprobs")))

        def _send(self, code: int, payload: object, headers: dict[str, str] | None = None) -> None:
            self._send_raw(code, json.dumps(payload).encode(), "application/json", headers)

        def _send_raw(
            self, code: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
        ) -> None:
            try:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@contextmanager
def running_stub(state: StubState | None = None) -> Iterator[tuple[str, StubState]]:
    """Serve on a free loopback port in a thread; yields (base_url, state)."""
    state = state or StubState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str]) -> None:
    """``stub_server.py MODEL --host H --port P [--argv-file F] [--launch-dir D] [--fail]``.

    ``--launch-dir``: writes D/PORT.json with the argv and ``CUDA_VISIBLE_DEVICES`` (one
    file per server, where several are started)."""
    host = argv[argv.index("--host") + 1]
    port = int(argv[argv.index("--port") + 1])
    if "--argv-file" in argv:
        with open(argv[argv.index("--argv-file") + 1], "w") as handle:
            json.dump(argv, handle)
    if "--launch-dir" in argv:
        launch = {"argv": argv, "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES")}
        folder = argv[argv.index("--launch-dir") + 1]
        with open(os.path.join(folder, f"{port}.json"), "w") as handle:
            json.dump(launch, handle)
    if "--fail" in argv:
        print("stub: refusing to start as asked", flush=True)
        sys.exit(3)
    server = ThreadingHTTPServer((host, port), make_handler(StubState()))
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])

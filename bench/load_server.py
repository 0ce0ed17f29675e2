"""A loopback OpenAI-compatible load server (ASGI: starlette on uvicorn) for benchmarks
and reliability tests. Not part of the product.

It answers ``/v1/completions`` and ``/v1/chat/completions`` like a real engine would,
shaped by a ``LoadConfig``:

- latency: ``latency_s`` per call plus ``token_s`` per generated token, while holding
  one of ``concurrency`` slots (a real engine's batch); further requests queue;
- replies: prose for persona prompts, JSON for schema-constrained requests (interviewer
  follow-ups with probability ``followup_rate``, critic verdicts flagging with
  ``flag_rate``), option letters with logprobs for survey items;
- faults by rate, drawn from a hash of (seed, request body, how often that body was
  seen), so a run's faults do not depend on arrival order and a retry draws afresh:
  ``429`` (with Retry-After), ``500``, ``503``, ``reset`` (connection dropped mid-body),
  ``timeout`` (holds the request for ``hang_s``), ``truncated`` (JSON cut in half),
  ``garbage`` (a non-JSON 200) and ``nologprobs``;
- chat: the same replies as chat messages (``n`` choices where asked; a letter for a
  reply of at most 3 tokens), ``chat_only`` (``/v1/completions`` 404s like OpenAI's
  for a chat model) and ``chat_logprobs=False`` (like Anthropic's OpenAI-compatible
  API: logprobs and response_format ignored, JSON fenced in ```json, ``n`` > 1 a 400).

In a thread: ``with serving(LoadConfig(...)) as server: server.base_url``.
As a program (prints ``READY <base_url>`` once listening)::

    python -m bench.load_server --latency 0.2 --concurrency 64 --record prompts.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

FAULTS = ("429", "500", "503", "reset", "timeout", "truncated", "garbage", "nologprobs")
WORDS = [
    "I",
    "grew",
    "up",
    "in",
    "a",
    "small",
    "town",
    "outside",
    "Dayton",
    "with",
    "my",
    "mother",
    "and",
    "two",
    "brothers",
    "and",
    "we",
    "did",
    "not",
    "have",
    "much",
    "money",
    "but",
    "my",
    "grandmother",
    "lived",
    "nearby",
    "and",
    "she",
    "taught",
    "me",
    "to",
    "cook",
    "after",
    "high",
    "school",
    "I",
    "worked",
    "at",
    "the",
    "plant",
    "for",
    "nine",
    "years",
    "then",
    "went",
    "back",
    "to",
    "school",
]


@dataclass
class LoadConfig:
    latency_s: float = 0.0
    """Fixed time per call (queueing not included)."""
    token_s: float = 0.0
    """Time per generated token."""
    concurrency: int = 64
    """Requests served at once; the rest wait, like a full batch."""
    faults: dict[str, float] = field(default_factory=dict)
    """Fault name (see FAULTS) -> share of requests, e.g. {"500": 0.1}."""
    seed: int = 0
    retry_after: str = "1"
    hang_s: float = 30.0
    """How long a ``timeout`` fault holds the request before answering normally."""
    followup_rate: float = 0.5
    flag_rate: float = 0.1
    words_per_token: float = 0.75
    """Length of generated prose: a reply fills ``max_tokens`` at this rate."""
    logprob_style: str = "llama.cpp"
    """``llama.cpp`` (content[].top_logprobs) or ``legacy`` (vLLM's dicts)."""
    record: bool = False
    """Keep every request's prompt and reply text (for the prefix-reuse benchmark)."""
    chat_only: bool = False
    """``/v1/completions`` answers 404 "This is a chat model ..." as OpenAI's does."""
    chat_logprobs: bool = True
    """False: chat ignores logprobs and response_format and refuses n > 1 (Anthropic)."""
    refuse: tuple[str, ...] = ()
    """Request parameters answered with OpenAI's 400 "Unsupported parameter" (as its
    reasoning models do for ``temperature`` or ``max_tokens``)."""

    def __post_init__(self) -> None:
        unknown = set(self.faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {', '.join(FAULTS)}")
        if sum(self.faults.values()) > 1:
            raise ValueError("fault rates add up to more than 1")


@dataclass
class LoadStats:
    requests: int = 0
    served: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0
    completion_tokens: int = 0
    prompt_chars: int = 0
    full_s: float = 0.0
    """Time every slot was busy (the engine's batch full)."""
    busy_slot_s: float = 0.0
    """Slot-seconds spent serving, summed over slots."""
    first: float | None = None
    last: float = 0.0
    busy_by_second: dict[int, float] = field(default_factory=dict)
    """Slot-seconds served in each second of the run (the engine's load over time)."""
    records: list[dict[str, Any]] = field(default_factory=list)

    def occupancy(self, concurrency: int, change: int) -> None:
        """Account for the time since the last change of ``in_flight``, then apply it."""
        now = time.monotonic()
        if self.first is None:
            self.first = self.last = now
        span = now - self.last
        self.busy_slot_s += span * self.in_flight
        second = int(self.last - self.first)
        self.busy_by_second[second] = self.busy_by_second.get(second, 0.0) + span * self.in_flight
        if self.in_flight >= concurrency:
            self.full_s += span
        self.last = now
        self.in_flight += change
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "served": self.served,
            "faults": dict(self.faults),
            "peak_in_flight": self.peak_in_flight,
            "completion_tokens": self.completion_tokens,
            "prompt_chars": self.prompt_chars,
            "full_s": round(self.full_s, 2),
            "busy_slot_s": round(self.busy_slot_s, 2),
            "span_s": round(self.last - (self.first or self.last), 2),
            "busy_by_second": [round(v, 1) for _, v in sorted(self.busy_by_second.items())],
        }


class LoadServer:
    """The ASGI app's behaviour; one per served config."""

    def __init__(self, config: LoadConfig) -> None:
        self.config = config
        self.stats = LoadStats()
        self._seen: Counter[str] = Counter()
        self._slots: asyncio.Semaphore | None = None

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/health", self._health),
                Route("/v1/models", self._models),
                Route("/stats", self._stats),
                Route("/v1/completions", self._complete, methods=["POST"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
            ]
        )

    async def _health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "load-model"}]})

    async def _stats(self, request: Request) -> Response:
        return JSONResponse(self.stats.as_dict())

    async def _complete(self, request: Request) -> Response:
        if self.config.chat_only:
            self.stats.requests += 1
            return JSONResponse({"error": CHAT_MODEL_ERROR}, 404)
        return await self._serve(request, self._reply)

    async def _chat(self, request: Request) -> Response:
        return await self._serve(request, self._chat_reply)

    async def _serve(self, request: Request, reply: Replier) -> Response:
        raw = await request.body()
        body = json.loads(raw)
        self.stats.requests += 1
        refused = self._refused(body)
        if refused is not None:
            return refused
        fault = self._draw_fault(raw)
        if fault:
            self.stats.faults[fault] += 1
        early = await self._early_fault(fault)
        if early is not None:
            return early
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.config.concurrency)
        async with self._slots:
            self.stats.occupancy(self.config.concurrency, +1)
            try:
                payload, tokens = reply(body, fault)
                await asyncio.sleep(self.config.latency_s + tokens * self.config.token_s)
            finally:
                self.stats.occupancy(self.config.concurrency, -1)
        self.stats.served += 1
        return _late_fault(fault, payload)

    async def _early_fault(self, fault: str | None) -> Response | None:
        if fault == "429":
            return JSONResponse(
                {"error": {"message": "rate limited"}},
                429,
                headers={"Retry-After": self.config.retry_after},
            )
        if fault in ("500", "503"):
            return JSONResponse({"error": {"message": f"load server {fault}"}}, int(fault))
        if fault == "timeout":
            await asyncio.sleep(self.config.hang_s)
        return None

    def _draw_fault(self, raw: bytes) -> str | None:
        if not self.config.faults:
            return None
        digest = hashlib.sha256(raw).hexdigest()
        self._seen[digest] += 1
        draw = _unit(self.config.seed, digest, self._seen[digest])
        for name in FAULTS:
            draw -= self.config.faults.get(name, 0.0)
            if draw < 0:
                return name
        return None

    def _reply(self, body: dict[str, Any], fault: str | None) -> tuple[dict[str, Any], int]:
        prompt = body.get("prompt", "")
        prompt = prompt[0] if isinstance(prompt, list) else str(prompt)
        text, tokens, finish = self._text(body, prompt)
        want = body.get("logprobs")
        logprobs = None
        if want and fault != "nologprobs":
            logprobs = _logprobs(text, int(want), prompt, self.config.logprob_style)
        self._account(prompt, text, tokens, body)
        choice = {"text": text, "index": 0, "finish_reason": finish, "logprobs": logprobs}
        usage = {
            "prompt_tokens": math.ceil(len(prompt) / 4),
            "completion_tokens": tokens,
            "total_tokens": math.ceil(len(prompt) / 4) + tokens,
        }
        return {
            "id": "cmpl-load",
            "object": "text_completion",
            "created": 0,
            "model": body.get("model", "load-model"),
            "choices": [choice],
            "usage": usage,
        }, tokens

    def _refused(self, body: dict[str, Any]) -> Response | None:
        for name in self.config.refuse:
            if name in body:
                message = f"Unsupported parameter: '{name}' is not supported with this model."
                error = {"message": message, "type": "invalid_request_error", "param": name}
                return JSONResponse({"error": error | {"code": "unsupported_parameter"}}, 400)
        if "messages" in body and not self.config.chat_logprobs and body.get("n", 1) > 1:
            error = {"type": "invalid_request_error", "message": "n: must be exactly 1"}
            return JSONResponse({"error": error}, 400)
        return None

    def _chat_reply(self, body: dict[str, Any], fault: str | None) -> tuple[dict[str, Any], int]:
        prompt = "\n\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        budget = int(body.get("max_completion_tokens") or body.get("max_tokens") or 16)
        if not self.config.chat_logprobs:  # ignored, as Anthropic's compatibility layer does
            body = {k: v for k, v in body.items() if k not in ("logprobs", "response_format")}
        choices, tokens = [], 0
        for index in range(int(body.get("n") or 1)):
            key = prompt if index == 0 else f"{prompt}|{index}"
            text, used, finish = self._text({**body, "max_tokens": budget}, key, chat=True)
            if self._schema(body) is None and text.lstrip().startswith("{"):
                text = f"```json\n{text}\n```"  # an unconstrained chat model's habit
            choice: dict[str, Any] = {
                "index": index,
                "message": {"role": "assistant", "content": text.strip()},
                "finish_reason": finish,
                "logprobs": None,
            }
            if body.get("logprobs") and fault != "nologprobs":
                top = int(body.get("top_logprobs") or 0)
                choice["logprobs"] = _logprobs(text.strip(), top, key, "chat")
            choices.append(choice)
            tokens += used
        self._account(prompt, choices[0]["message"]["content"], tokens, body)
        usage = {"prompt_tokens": math.ceil(len(prompt) / 4), "completion_tokens": tokens}
        usage["total_tokens"] = usage["prompt_tokens"] + tokens
        payload = {"id": "chatcmpl-load", "object": "chat.completion", "created": 0}
        payload |= {"model": body.get("model", "load-model"), "choices": choices, "usage": usage}
        return payload, tokens

    def _account(self, prompt: str, text: str, tokens: int, body: dict[str, Any]) -> None:
        self.stats.completion_tokens += tokens
        self.stats.prompt_chars += len(prompt)
        if self.config.record:
            self.stats.records.append({"prompt": prompt, "text": text, "model": body.get("model")})

    @staticmethod
    def _schema(body: dict[str, Any]) -> Any:
        schema = body.get("json_schema") or (body.get("structured_outputs") or {}).get("json")
        if schema is None and isinstance(body.get("response_format"), dict):
            schema = body["response_format"].get("json_schema", {}).get("schema")
        return schema

    def _text(self, body: dict[str, Any], prompt: str, chat: bool = False) -> tuple[str, int, str]:
        schema = self._schema(body)
        if schema is None and chat:  # a chat model without the schema follows the prompt
            schema = next((s for key, s in _ASKED_JSON.items() if key in prompt), None)
        if schema:
            text = json.dumps(_structured(schema, prompt, self.config))
            return text, max(1, len(text) // 4), "stop"
        letter_call = body.get("max_tokens", 16) <= (3 if chat else 2)
        if letter_call or (not chat and prompt.rstrip().endswith("Answer:")):
            letter = "ABCD"[int(_unit(self.config.seed, prompt, 0) * 2)]
            return f" {letter}", 1, "length"
        budget = int(body.get("max_tokens") or 16)
        count = max(1, int(budget * self.config.words_per_token))
        return _prose(f"{body.get('seed')}|{prompt}", count), budget, "length"


Replier = Callable[[dict[str, Any], str | None], tuple[dict[str, Any], int]]
CHAT_MODEL_ERROR = {
    "message": "This is a chat model and not supported in the v1/completions endpoint. "
    "Did you mean to use v1/chat/completions?",
    "type": "invalid_request_error",
    "param": "model",
    "code": None,
}
"""What OpenAI answers when a chat model is asked on ``/v1/completions``."""
_ASKED_JSON: dict[str, dict[str, Any]] = {
    '"contradicted_statement"': {
        "properties": {
            "consistent": {"type": "boolean"},
            "contradicted_statement": {"type": "string"},
            "reason": {"type": "string"},
        }
    },
    '"contradictions"': {
        "properties": {"consistent": {"type": "boolean"}, "contradictions": {"type": "array"}}
    },
    '"follow_up"': {
        "properties": {"follow_up": {"type": "boolean"}, "question": {"type": "string"}}
    },
}
"""The JSON a chat prompt asks for in words (key found in the prompt -> its shape)."""


def _late_fault(fault: str | None, payload: dict[str, Any]) -> Response:
    if fault == "garbage":
        return Response(b"<html><body>502 Bad Gateway</body></html>", 200)
    data = json.dumps(payload).encode()
    if fault == "truncated":
        return Response(data[: len(data) // 2], 200, media_type="application/json")
    if fault == "reset":
        return _Dropped(data)
    return Response(data, 200, media_type="application/json")


class _Dropped(Response):
    """Announces the whole body, sends half, then drops the connection."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data, 200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[:10], "more_body": True})
        raise ConnectionAbortedError("load server: dropped connection (injected fault)")


def _unit(seed: int, key: str, count: int) -> float:
    """A uniform number in [0, 1) fixed by its arguments."""
    digest = hashlib.blake2b(f"{seed}|{key}|{count}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _structured(schema: dict[str, Any], prompt: str, config: LoadConfig) -> dict[str, Any]:
    props = schema.get("properties", {})
    out: dict[str, Any] = {}
    for name, sub in props.items():
        kind = sub.get("type")
        if name == "follow_up":
            out[name] = _unit(config.seed, prompt, 1) < config.followup_rate
        elif name == "question":
            out[name] = "What happened after that?"
        elif name == "consistent":
            out[name] = _unit(config.seed, prompt, 2) >= config.flag_rate
        elif kind == "string":
            out[name] = ""
        else:
            out[name] = {"boolean": False, "array": [], "integer": 0, "number": 0.0}.get(kind)
    if out.get("consistent") is False and "contradicted_statement" in out:
        out["contradicted_statement"] = "I grew up in a small town"
        out["reason"] = "the places differ"
    return out


def _prose(key: str, count: int) -> str:
    pick = random.Random(key)  # a sampled reply: fixed by prompt and seed, like an engine's
    words = pick.choices(WORDS, k=count)
    sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, count, 12)]
    return " " + " ".join(sentences)


def _logprobs(text: str, top: int, prompt: str, style: str) -> dict[str, Any]:
    letters = [f" {c}" for c in "ABCDEFGH"]
    raw = [_unit(1, prompt, i) + 0.05 for i in range(len(letters))]
    total = sum(raw)
    alts = {t: math.log(r / total) for t, r in zip(letters, raw, strict=True)}
    best = sorted(alts.items(), key=lambda kv: -kv[1])[:top]
    if style == "chat":  # OpenAI chat: tokens without the leading space
        alts = {t.strip(): lp for t, lp in alts.items()}
        best = [(t.strip(), lp) for t, lp in best]
        content = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in best]
        return {
            "content": [{"token": text, "logprob": alts.get(text, -1.0), "top_logprobs": content}]
        }
    if style == "legacy":
        return {
            "tokens": [text],
            "token_logprobs": [alts.get(text, -1.0)],
            "top_logprobs": [dict(best)],
            "text_offset": [0],
        }
    content = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in best]
    return {"content": [{"token": text, "logprob": alts.get(text, -1.0), "top_logprobs": content}]}


@dataclass
class Serving:
    base_url: str
    server: LoadServer


@contextmanager
def serving(config: LoadConfig) -> Iterator[Serving]:
    """Serve ``config`` on a free loopback port from a background thread."""
    load = LoadServer(config)
    sock = _listening(0)
    server = uvicorn.Server(_uvicorn_config(load))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("load server did not start")
        time.sleep(0.01)
    try:
        yield Serving(f"http://127.0.0.1:{sock.getsockname()[1]}/v1", load)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _listening(port: int) -> socket.socket:
    """A loopback socket already listening, so clients queue until uvicorn accepts."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    return sock


def _uvicorn_config(load: LoadServer) -> uvicorn.Config:
    return uvicorn.Config(
        load.app(),
        log_level="critical",
        access_log=False,
        lifespan="off",
        loop="uvloop",  # asyncio with a passed socket leaves Nagle on: +40 ms a call
        http="h11",
        timeout_keep_alive=60,
        backlog=4096,
    )


def parse_faults(text: str) -> dict[str, float]:
    """``"500=0.1,429=0.05"`` -> {"500": 0.1, "429": 0.05}."""
    if not text:
        return {}
    pairs = (item.split("=") for item in text.split(","))
    return {name.strip(): float(rate) for name, rate in pairs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--token-latency", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--faults", default="", help="e.g. 500=0.1,429=0.05")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--record", default=None, help="write prompts and replies here")
    parser.add_argument("--chat-only", action="store_true", help="/v1/completions 404s")
    parser.add_argument(
        "--no-chat-logprobs", action="store_true", help="chat: no logprobs, n > 1 refused"
    )
    args = parser.parse_args()
    config = LoadConfig(
        latency_s=args.latency,
        token_s=args.token_latency,
        concurrency=args.concurrency,
        faults=parse_faults(args.faults),
        seed=args.seed,
        record=bool(args.record),
        chat_only=args.chat_only,
        chat_logprobs=not args.no_chat_logprobs,
    )
    load = LoadServer(config)
    sock = _listening(args.port)
    print(f"READY http://127.0.0.1:{sock.getsockname()[1]}/v1", flush=True)
    try:
        uvicorn.Server(_uvicorn_config(load)).run(sockets=[sock])
    finally:
        if args.record:
            with open(args.record, "w") as handle:
                for record in load.stats.records:
                    handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()

"""The provider for every real backend: completions over HTTP via langchain-openai."""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
from typing import Any

import httpx2
import openai
from langchain_openai import OpenAI
from pydantic import SecretStr

from interviewer.backends.base import Endpoint
from interviewer.logprobs import top_logprobs_by_position
from interviewer.model import Completion, Model, ModelContext, Request
from interviewer.retry import MalformedResponse
from interviewer.settings import RoleSettings, StructuredStyle


class OpenAICompatibleModel(Model):
    """A base-model completion endpoint. Clients are made once per event loop and reused.

    The model keeps one client per ``CONNECTIONS_PER_CLIENT`` connections and spreads
    calls over them: httpx checks every idle connection of a pool on each request, so one
    pool of 256 connections costs more CPU per call than the rest of the call."""

    def __init__(
        self,
        role: str,
        endpoint: Endpoint,
        defaults: RoleSettings,
        context: ModelContext | None = None,
        structured: StructuredStyle | None = None,
    ) -> None:
        super().__init__(role, endpoint.identity, endpoint.base_url, defaults, context)
        self.target = endpoint
        self.structured_style = structured or endpoint.structured
        self._clients: list[OpenAI] = []
        self._calls = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _generate(self, request: Request) -> Completion:
        kwargs = self._params(request)
        try:
            # ``_agenerate`` is langchain-openai's request itself; the public ``agenerate``
            # wraps it in callback and tracing machinery this project does not use,
            # a tenth of the orchestrator's CPU per call (bench/interview_throughput.py).
            result = await self._client()._agenerate(
                [request.prompt], stop=list(request.stop) or None, **kwargs
            )
        except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
            raise MalformedResponse(f"{self.endpoint}: unreadable response body ({exc})") from exc
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            # langchain indexes into the parsed body; a body of the wrong shape lands here.
            raise MalformedResponse(f"{self.endpoint}: response of unexpected shape") from exc
        return _completion(result)

    async def aclose(self) -> None:
        clients, self._clients = self._clients, []
        if self._loop is not asyncio.get_running_loop():
            return  # made in another loop: closing them here would fail
        for llm in clients:
            if llm.async_client is not None:
                await llm.async_client._client.close()

    def request_variant(self) -> str:
        # Bump the suffix whenever structured_body changes what it sends.
        return f"structured={self.structured_style}/v2"

    def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.seed is not None:
            params["seed"] = request.seed
        if request.top_logprobs:
            params["logprobs"] = request.top_logprobs
        body = structured_body(self.structured_style, request.json_schema)
        if body:
            params["extra_body"] = body
        return params

    def _client(self) -> OpenAI:
        # The HTTP pools belong to one event loop; a new loop gets new clients.
        loop = asyncio.get_running_loop()
        if not self._clients or self._loop is not loop:
            shares = _shares(self.context.connections)
            self._clients = [self._new_client(share) for share in shares]
            self._loop = loop
        self._calls += 1
        return self._clients[self._calls % len(self._clients)]

    def _new_client(self, connections: int) -> OpenAI:
        return OpenAI(
            model=self.target.model,
            base_url=self.target.base_url,
            api_key=SecretStr(self.target.api_key),
            max_retries=0,  # retries belong to the one policy in retry.py
            timeout=self.defaults.timeout_s,
            http_async_client=_http_client(connections, self.defaults.timeout_s),
            http_client=_unused_sync_client(),
        )


CONNECTIONS_PER_CLIENT = 8


def _shares(connections: int) -> list[int]:
    """Split ``connections`` over clients of at most CONNECTIONS_PER_CLIENT each."""
    count = -(-connections // CONNECTIONS_PER_CLIENT)
    return [len(range(i, connections, count)) for i in range(count)]


def _http_client(connections: int, timeout_s: float) -> httpx2.AsyncClient:
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    return openai.DefaultAsyncHttpxClient(limits=limits, timeout=timeout_s, verify=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    # One context for every client: building one reads the CA bundle (~10 ms each).
    return ssl.create_default_context()


@functools.cache
def _unused_sync_client() -> httpx2.Client:
    # langchain-openai builds a sync client beside the async one; calls here are all
    # async, so every model shares this one rather than each building its own.
    return openai.DefaultHttpxClient(verify=_tls())


def structured_body(style: StructuredStyle, schema: str | None) -> dict[str, Any]:
    """The request fields that ask a server for output following ``schema``."""
    if schema is None or style in ("none", "auto"):
        return {}
    body = json.loads(schema)
    if style == "json_schema":  # llama.cpp
        # Compact JSON: with flexible whitespace, small models loop on newlines inside
        # the object until max_tokens cuts it. Grammars without llguidance ignore the key.
        return {"json_schema": {**body, "x-guidance": {"whitespace_flexible": False}}}
    if style == "structured_outputs":  # vLLM >= 0.10
        return {"structured_outputs": {"json": body}}
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "output", "schema": body},
        }
    }


def _completion(result: Any) -> Completion:
    generation = result.generations[0][0]
    info = generation.generation_info or {}
    usage = (result.llm_output or {}).get("token_usage") or {}
    return Completion(
        text=generation.text,
        finish_reason=info.get("finish_reason"),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        top_logprobs=tuple(top_logprobs_by_position(info.get("logprobs"))),
    )

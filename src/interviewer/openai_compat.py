"""The provider for every real backend: completions over HTTP via langchain-openai,
chat via the openai SDK's ``chat.completions``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import openai
from langchain_openai import OpenAI
from pydantic import SecretStr

from interviewer.backends.base import Endpoint
from interviewer.logprobs import top_logprobs_by_position
from interviewer.model import Api, Completion, Model, ModelContext, Request
from interviewer.providers import chat_only, chat_sampling, quirks, rejected
from interviewer.replicas import session_headers
from interviewer.retry import MalformedResponse
from interviewer.settings import RoleSettings, StructuredStyle


class OpenAICompatibleModel(Model):
    """A completion or chat endpoint. One client per event loop, reused for every call.

    Its HTTP transport is aiohttp (the openai SDK's ``aiohttp`` extra), with a pool as
    large as the endpoint's concurrency: the SDK's default httpx pool checks every idle
    connection on each request (orchestrator CPU per LLM call 3.15 ms with it, 2.4-2.7
    with aiohttp in bench/interview_throughput.py)."""

    def __init__(
        self,
        role: str,
        endpoint: Endpoint,
        defaults: RoleSettings,
        context: ModelContext | None = None,
        structured: StructuredStyle | None = None,
        api: Api = "completions",
    ) -> None:
        super().__init__(role, endpoint.identity, endpoint.base_url, defaults, context, api)
        self.target = endpoint
        self.structured_style = structured or endpoint.structured
        self.quirks = quirks(endpoint.model, endpoint.base_url)
        self._llm: OpenAI | None = None
        self._chat_client: openai.AsyncOpenAI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _generate(self, request: Request) -> Completion:
        try:
            if self.chat:
                return await self._chat(request)
            return await self._complete(request)
        except openai.BadRequestError as exc:
            meaning = rejected(exc, request, self.role, self.endpoint)
            if meaning is exc:
                raise
            raise meaning from exc
        except openai.NotFoundError as exc:
            meaning = exc if self.chat else chat_only(exc, self.role, self.endpoint)
            if meaning is exc:
                raise
            raise meaning from exc

    async def _complete(self, request: Request) -> Completion:
        kwargs = self._params(request)
        try:
            # ``_agenerate`` is langchain-openai's request itself; the public ``agenerate``
            # wraps it in callback and tracing machinery this project does not use
            # (1.42 vs 1.24 ms CPU per call on its own; 2.72 -> 2.58 ms per call in
            # bench/interview_throughput.py).
            result = await self._client()._agenerate(
                [request.prompt], stop=list(request.stop) or None, **kwargs
            )
        except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
            raise MalformedResponse(f"{self.endpoint}: unreadable response body ({exc})") from exc
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            # langchain indexes into the parsed body; a body of the wrong shape lands here.
            raise MalformedResponse(f"{self.endpoint}: response of unexpected shape") from exc
        return _completion(result)

    async def _chat(self, request: Request) -> Completion:
        messages = request.messages or (("user", request.prompt),)
        params = chat_sampling(request, self.quirks, self.role)
        body = structured_body(self.structured_style, request.json_schema)
        if "response_format" in body:
            params["response_format"] = body.pop("response_format")
        if body:
            params["extra_body"] = body
        headers = session_headers(self.defaults.session_header)
        if headers:
            params["extra_headers"] = headers
        try:
            response = await self._chat_api().chat.completions.create(
                model=self.target.model,
                messages=[{"role": role, "content": text} for role, text in messages],  # type: ignore[misc]
                **params,
            )
            return _chat_completion(response)
        except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
            raise MalformedResponse(f"{self.endpoint}: unreadable response body ({exc})") from exc
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise MalformedResponse(f"{self.endpoint}: response of unexpected shape") from exc

    async def aclose(self) -> None:
        llm, self._llm = self._llm, None
        chat, self._chat_client = self._chat_client, None
        if self._loop is not asyncio.get_running_loop():
            return  # the clients belong to a dead loop
        if llm is not None and llm.async_client is not None:
            await llm.async_client._client.close()
        if chat is not None:
            await chat.close()

    @property
    def model_name(self) -> str:
        return self.target.model or self.identity

    def request_variant(self) -> str:
        # Bump the suffix whenever structured_body changes what it sends.
        variant = f"structured={self.structured_style}/v2"
        return f"{variant}/chat-v1" if self.chat else variant

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
        headers = session_headers(self.defaults.session_header)
        if headers:
            params["extra_headers"] = headers
        return params

    def _client(self) -> OpenAI:
        # The HTTP pool belongs to one event loop; a new loop gets a new client.
        loop = asyncio.get_running_loop()
        if self._llm is None or self._loop is not loop:
            self._llm = OpenAI(
                model=self.target.model,
                base_url=self.target.base_url,
                api_key=SecretStr(self.target.api_key),
                max_retries=0,  # retries belong to the one policy in retry.py
                timeout=self.defaults.timeout_s,
                http_async_client=self._http(),
            )
            self._loop = loop
        return self._llm

    def _chat_api(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        if self._chat_client is None or self._loop is not loop:
            self._chat_client = openai.AsyncOpenAI(
                base_url=self.target.base_url,
                api_key=self.target.api_key,
                max_retries=0,  # retries belong to the one policy in retry.py
                timeout=self.defaults.timeout_s,
                http_client=self._http(),
            )
            self._loop = loop
        return self._chat_client

    def _http(self) -> openai.DefaultAioHttpClient:
        limits = httpx2.Limits(
            max_connections=self.context.connections,
            max_keepalive_connections=self.context.connections,
        )
        return openai.DefaultAioHttpClient(limits=limits, timeout=self.defaults.timeout_s)


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
        cached_tokens=cached_prompt_tokens(usage),
        top_logprobs=tuple(top_logprobs_by_position(info.get("logprobs"))),
    )


def _chat_completion(response: Any) -> Completion:
    first = response.choices[0]
    usage = response.usage
    logprobs = first.logprobs.model_dump() if first.logprobs is not None else None
    texts = tuple(choice.message.content or "" for choice in response.choices)
    return Completion(
        text=texts[0],
        finish_reason=first.finish_reason,
        prompt_tokens=int(usage.prompt_tokens or 0) if usage else 0,
        completion_tokens=int(usage.completion_tokens or 0) if usage else 0,
        top_logprobs=tuple(top_logprobs_by_position(logprobs)),
        texts=texts if len(texts) > 1 else (),
        cached_tokens=cached_prompt_tokens(usage.model_dump()) if usage else 0,
    )


def cached_prompt_tokens(usage: dict[str, Any]) -> int:
    """Prompt tokens an endpoint reports served from its prefix cache: OpenAI's
    ``prompt_tokens_details.cached_tokens``. langchain-openai's completions client keeps
    only the three totals today, so on that path this reads 0 until it passes more on."""
    details = usage.get("prompt_tokens_details") or {}
    return int(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0

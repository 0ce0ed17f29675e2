"""The provider for every real backend, over the openai SDK's HTTP client: completions
by its generic ``post`` (the JSON as sent and received), chat by ``chat.completions``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import openai

from interviewer.backends.base import Endpoint
from interviewer.logprobs import top_logprobs_by_position
from interviewer.model import Api, Completion, Model, ModelContext, Request
from interviewer.providers import chat_only, chat_sampling, quirks, rejected
from interviewer.replicas import session_headers
from interviewer.retry import MalformedResponse
from interviewer.settings import RoleSettings, StructuredStyle


class OpenAICompatibleModel(Model):
    """A completion or chat endpoint. One client per event loop, reused for every call.

    Completions go through the SDK's generic ``post``: ``completions.create`` (and
    langchain-openai's client before it) first walked every request body against its
    typed parameters and built a typed response, about a fifth of the orchestrator's CPU
    per call (2.64 -> 2.16 ms, medians of 3, in bench/interview_throughput.py).

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
        self._sdk: openai.AsyncOpenAI | None = None
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
        body: dict[str, Any] = {"model": self.target.model, "prompt": request.prompt}
        body.update(self._params(request))
        body.update(body.pop("extra_body", {}))
        headers = body.pop("extra_headers", {})  # HTTP headers, not part of the body
        if request.stop:
            body["stop"] = list(request.stop)
        try:
            # The SDK's generic POST (public, for endpoints it has no method for): it sends
            # the body as given and returns the JSON, where ``completions.create`` first
            # walks the body against its typed parameters and builds a typed response.
            data = await self._openai().post(
                "/completions", body=body, cast_to=object, options={"headers": headers}
            )
        except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
            raise MalformedResponse(f"{self.endpoint}: unreadable response body ({exc})") from exc
        try:
            return completion_from_body(data)
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise MalformedResponse(f"{self.endpoint}: response of unexpected shape") from exc

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
            response = await self._openai().chat.completions.create(
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
        sdk, self._sdk = self._sdk, None
        if self._loop is not asyncio.get_running_loop():
            return  # the client belongs to a dead loop
        if sdk is not None:
            await sdk.close()

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

    def _openai(self) -> openai.AsyncOpenAI:
        # The HTTP pool belongs to one event loop; a new loop gets a new client.
        loop = asyncio.get_running_loop()
        if self._sdk is None or self._loop is not loop:
            self._sdk = openai.AsyncOpenAI(
                base_url=self.target.base_url,
                api_key=self.target.api_key,
                max_retries=0,  # retries belong to the one policy in retry.py
                timeout=self.defaults.timeout_s,
                http_client=self._http(),
            )
            self._loop = loop
        return self._sdk

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


def completion_from_body(data: Any) -> Completion:
    """A ``/v1/completions`` response body (JSON) as a ``Completion``."""
    choice = data["choices"][0]
    usage = data.get("usage") or {}
    return Completion(
        text=str(choice["text"]),
        finish_reason=choice.get("finish_reason"),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        cached_tokens=cached_prompt_tokens(usage),
        top_logprobs=tuple(top_logprobs_by_position(choice.get("logprobs"))),
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
    ``prompt_tokens_details.cached_tokens`` (0 where it reports none)."""
    details = usage.get("prompt_tokens_details") or {}
    return int(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0

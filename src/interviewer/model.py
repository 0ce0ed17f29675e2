"""The one model API every role talks to.

``Model`` owns what is common to all providers: the disk cache, the retry policy, the
endpoint's concurrency limit and usage counters. A provider implements ``_generate``
only. ``OpenAICompatibleModel`` is the provider for every real backend (embedded
llama.cpp, vLLM, OpenAI-style APIs): completions and chat through the openai SDK.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.cache import CacheWriteError, DiskCache, cache_key
from interviewer.errors import ChoicesUnsupported, LogprobsUnavailable, ModelOutputError
from interviewer.fanout import fan_out_all
from interviewer.logprobs import OptionScores, option_distribution
from interviewer.retry import call_with_retry
from interviewer.settings import RetrySettings, RoleSettings
from interviewer.usage import check_budget, record

log = logging.getLogger(__name__)
S = TypeVar("S", bound=BaseModel)
Api = Literal["completions", "chat"]
"""A role's resolved API style (settings' ``auto`` is decided before a model exists)."""
CHAT_LABEL = "[chat]"
"""Appended to a chat model's identity, so files name which API answered."""
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass(frozen=True)
class Request:
    """One completion call, fully specified (so it can be a cache key)."""

    prompt: str
    max_tokens: int
    temperature: float
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    top_logprobs: int = 0
    json_schema: str | None = None
    """Canonical JSON of the schema the output must follow, or None."""
    messages: tuple[tuple[str, str], ...] = ()
    """The chat form: (role, content) pairs, roles ``system``/``user``/``assistant``.
    Empty: ``prompt`` is the whole input (a chat model gets it as one user message)."""
    n: int = 1
    """Completions to sample from this one input (chat endpoints that take ``n``)."""

    @property
    def deterministic(self) -> bool:
        return self.temperature == 0.0 or self.seed is not None


@dataclass(frozen=True)
class Completion:
    """What came back from one call."""

    text: str
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    top_logprobs: tuple[dict[str, float], ...] = ()
    """Per generated position, the alternatives asked for with ``top_logprobs``."""
    cached: bool = False
    texts: tuple[str, ...] = ()
    """Every choice's text when the request asked for ``n`` > 1 (``text`` is the first)."""
    cached_tokens: int = 0
    """Of ``prompt_tokens``, those the endpoint served from its prefix cache, where it
    reports them (``prompt_tokens_details.cached_tokens``)."""


@dataclass(frozen=True)
class Parsed(Generic[S]):
    """A structured reply and the completion it came from (for usage accounting)."""

    value: S
    completion: Completion


@dataclass
class Usage:
    """Counters per model (per role), for run stats and benchmarks."""

    calls: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def add(self, completion: Completion, seconds: float) -> None:
        self.calls += 1
        self.cached += completion.cached
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.seconds += seconds


@dataclass
class ModelContext:
    """What a model shares with others on the same endpoint."""

    retry: RetrySettings = field(default_factory=RetrySettings)
    cache: DiskCache | None = None
    limiter: asyncio.Semaphore | None = None
    connections: int = 100
    """HTTP connections to keep to the endpoint (its concurrency limit)."""
    rate: RateGate | None = None
    """The endpoint's requests/tokens-per-minute limit, awaited before every attempt."""


class RateGate(Protocol):
    """What ``Model`` needs of a rate limiter (``interviewer.ratelimit.RateLimit``)."""

    async def acquire(self, request: Request) -> None: ...


class Model(ABC):
    """A role's model. Subclasses implement ``_generate``; everything else is here."""

    def __init__(
        self,
        role: str,
        identity: str,
        endpoint: str,
        defaults: RoleSettings,
        context: ModelContext | None = None,
        api: Api = "completions",
    ) -> None:
        self.role = role
        self.api: Api = api
        """Where calls go: ``/v1/completions`` or ``/v1/chat/completions``."""
        self.identity = identity if api == "completions" else f"{identity} {CHAT_LABEL}"
        """Names the weights (e.g. ``gguf:<sha256>``) and, for chat, says so; part of
        every cache key and recorded in manifests and survey files."""
        self.endpoint = endpoint
        self.defaults = defaults
        self.context = context or ModelContext()
        self.usage = Usage()
        self._choices_ok = True
        """False once the endpoint refused (or ignored) ``n`` > 1."""

    @property
    def model_name(self) -> str:
        """The model's name as the price table knows it."""
        return self.identity

    @abstractmethod
    async def _generate(self, request: Request) -> Completion:
        """One call to the provider; raise provider errors for the retry policy."""

    async def aclose(self) -> None:
        """Release connections; call inside the event loop that made them."""
        return None

    def request_variant(self) -> str:
        """How this provider shapes requests beyond ``Request``; part of the cache key."""
        return ""

    @property
    def chat(self) -> bool:
        return self.api == "chat"

    def chat_request(self, messages: Sequence[tuple[str, str]], **overrides: Any) -> Request:
        """A chat request with this role's sampling defaults, ``overrides`` on top."""
        return self.request("", messages=tuple(messages), **overrides)

    def request(self, prompt: str, **overrides: Any) -> Request:
        """A request with this role's sampling defaults, ``overrides`` on top."""
        base = Request(
            prompt=prompt,
            max_tokens=self.defaults.max_tokens,
            temperature=self.defaults.temperature,
            top_p=self.defaults.top_p,
            seed=self.defaults.seed,
        )
        return replace(base, **overrides)

    async def complete(self, request: Request) -> Completion:
        started = time.perf_counter()
        key = self._cache_key(request)
        completion = self._cached(key)
        if completion is None:
            check_budget()  # only calls that are sent spend; cache hits go on
            completion = await self._call(request)
            self._store(key, completion)
        self.usage.add(completion, time.perf_counter() - started)
        record(self.role, self.model_name, completion)
        return completion

    async def sample(self, request: Request, count: int) -> tuple[str, ...]:
        """``count`` sampled replies to one input. A chat model is asked once with
        ``n=count`` while its endpoint takes it; otherwise (and from the first refusal
        or short answer on) one request per sample, seeded ``seed``, ``seed + 1``, ..."""
        if self.chat and count > 1 and self._choices_ok:
            try:
                done = await self.complete(replace(request, n=count))
            except ChoicesUnsupported as exc:
                log.info("%s; one request per sample from now on", exc)
            else:
                if len(done.texts) == count:
                    return done.texts
                log.info("%s: %d choice(s) for n=%d", self.endpoint, len(done.texts), count)
            self._choices_ok = False
        seeds = [None if request.seed is None else request.seed + i for i in range(count)]
        done_each = await fan_out_all([replace(request, seed=s) for s in seeds], self.complete)
        return tuple(completion.text for completion in done_each)

    async def score_options(self, prompt: str | Request, letters: str) -> OptionScores:
        """Distribution over option ``letters`` from the next token's logprobs (a chat
        model's: the first answer token's). ``prompt``: text, or a request to score."""
        base = self.request(prompt) if isinstance(prompt, str) else prompt
        request = replace(
            base,
            max_tokens=1,
            temperature=0.0,
            seed=None,
            top_logprobs=self.defaults.top_logprobs or 20,
        )
        completion = await self.complete(request)
        if not completion.top_logprobs:
            raise LogprobsUnavailable(
                f"{self.endpoint}: the {self.role} model returned no logprobs"
            )
        return option_distribution(completion.top_logprobs[0], letters)

    async def structured(
        self, prompt: str | Sequence[tuple[str, str]], schema: type[S], **overrides: Any
    ) -> Parsed[S]:
        """Output constrained to ``schema`` (where the backend can) and validated by it.
        ``prompt``: text, or chat messages.

        Give string fields a ``max_length``: a small model otherwise rambles inside a
        string until the token budget cuts the JSON short.
        """
        overrides["json_schema"] = schema_json(schema)
        if isinstance(prompt, str):
            request = self.request(prompt, **overrides)
        else:
            request = self.chat_request(prompt, **overrides)
        completion = await self.complete(request)
        try:
            text = reply_json(completion.text) if self.chat else completion.text
            return Parsed(schema.model_validate_json(text), completion)
        except ValidationError:
            self._forget(request)  # a retry after a fix must not be served this reply
            snippet = " ".join(completion.text.split())[:120]
            cut = (
                f" (cut off at max_tokens={request.max_tokens})"
                if completion.finish_reason == "length"
                else ""
            )
            raise ModelOutputError(
                f"{self.endpoint}: the {self.role} model gave no valid {schema.__name__}"
                f"{cut}: {snippet!r}"
            ) from None

    async def _call(self, request: Request) -> Completion:
        async def attempt() -> Completion:
            if self.context.rate is not None:  # every attempt is a request to the endpoint
                await self.context.rate.acquire(request)
            return await self._generate(request)

        limiter = self.context.limiter
        if limiter is None:
            return await call_with_retry(self.endpoint, self.context.retry, attempt)
        async with limiter:
            return await call_with_retry(self.endpoint, self.context.retry, attempt)

    def _cache_key(self, request: Request) -> str | None:
        if self.context.cache is None or not request.deterministic:
            return None
        fields = asdict(request)
        # The chat fields join the key only when used: completion requests keep the
        # keys they had before chat existed, so existing caches still answer them.
        for name, unused in (("messages", ()), ("n", 1)):
            if fields[name] == unused:
                del fields[name]
        return cache_key(f"{self.identity}|{self.request_variant()}", fields)

    def _forget(self, request: Request) -> None:
        key = self._cache_key(request)
        if key is not None and self.context.cache is not None:
            self.context.cache.delete(key)

    def _cached(self, key: str | None) -> Completion | None:
        if key is None or self.context.cache is None:
            return None
        hit = self.context.cache.get(key)
        if hit is None:
            return None
        hit["top_logprobs"] = tuple(hit["top_logprobs"])
        hit["texts"] = tuple(hit.get("texts", ()))
        return Completion(**{**hit, "cached": True})

    def _store(self, key: str | None, completion: Completion) -> None:
        if key is None or self.context.cache is None:
            return
        try:
            self.context.cache.put(key, {**asdict(completion), "cached": False})
        except CacheWriteError as exc:
            log.warning("%s", exc)


def reply_json(text: str) -> str:
    """The JSON of a structured reply; chat models often fence it in ```json ... ```."""
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


@functools.cache
def schema_json(schema: type[BaseModel]) -> str:
    """The JSON schema of a pydantic model, closed to extra keys, as canonical text.

    Cached: pydantic rebuilds the schema on every call (8% of the orchestrator's CPU
    in a profile of bench/interview_throughput.py before this)."""
    body = schema.model_json_schema()
    body.setdefault("additionalProperties", False)
    return json.dumps(body, sort_keys=True, separators=(",", ":"))

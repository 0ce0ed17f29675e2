"""Start each backend a run needs once, and hand out one model per role."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from interviewer.backends import Backend, Endpoint, backend_key, make_backend
from interviewer.backends.attached import AttachedBackend
from interviewer.cache import DiskCache
from interviewer.model import Api, Model, ModelContext
from interviewer.openai_compat import OpenAICompatibleModel
from interviewer.providers import chat_structured, resolve_api
from interviewer.ratelimit import RateLimit
from interviewer.replicas import ReplicaSet, ReplicatedModel
from interviewer.settings import ROLES, RoleName, RoleSettings, Settings, base_urls

T = TypeVar("T")


def run_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on uvloop where it is installed (orchestrator CPU per LLM call
    3.38 -> 3.18 ms in bench/interview_throughput.py), else on asyncio's own loop."""
    # A run allocates fast and keeps little: with the default thresholds the garbage
    # collector took a fifth of the orchestrator's CPU, and each full pass over the
    # process (modules, schemas, clients) stalled the loop ~200 ms, leaving the engine
    # idle (bench/interview_throughput.py). What exists now lives as long as the
    # process, so it is frozen out of collection, and young objects are collected in
    # larger batches.
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    try:
        import uvloop
    except ImportError:  # Windows has no uvloop
        return asyncio.run(work)
    return uvloop.run(work)


class ModelPool:
    """``with ModelPool(settings) as pool: pool.model("persona")``.

    Roles whose settings name the same backend share its server, its HTTP concurrency
    limit (a named semaphore per endpoint), its rate limit (``rpm`` / ``tpm``) and the
    response cache. A backend with several replicas gives each its own concurrency
    limit (the role's ``concurrency`` per replica) and one ``ReplicaSet`` that keeps
    each persona on one replica for every role; the rate limit stays one for all.
    ``attach``: per role, an endpoint another process started (the parent of
    ``--workers``); those roles start nothing.
    """

    def __init__(
        self,
        settings: Settings,
        roles: Sequence[RoleName] = ROLES,
        attach: Mapping[RoleName, Endpoint] | None = None,
    ) -> None:
        self.settings = settings
        self.roles = tuple(roles)
        self._attach = dict(attach or {})
        self.endpoints: dict[RoleName, Endpoint] = {}
        self._backends: dict[Hashable, tuple[Backend, Endpoint]] = {}
        self._models: dict[RoleName, Model] = {}
        self._apis: dict[str, Api] = {}
        self._cache: DiskCache | None = None

    def __enter__(self) -> ModelPool:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def model(self, role: RoleName) -> Model:
        return self._models[role]

    def groups(self) -> list[tuple[Endpoint, list[RoleName]]]:
        """Each distinct endpoint with the roles it serves, in role order."""
        grouped: dict[tuple[str, ...], tuple[Endpoint, list[RoleName]]] = {}
        for role, endpoint in self.endpoints.items():
            key = (endpoint.base_url, endpoint.model, *endpoint.replicas)
            grouped.setdefault(key, (endpoint, []))[1].append(role)
        return list(grouped.values())

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """``asyncio.run(work)``, then close the models' HTTP clients in that same loop
        (left to the garbage collector they would try to close on a dead loop)."""

        async def main() -> T:
            try:
                return await work
            finally:
                await self.aclose()

        return run_loop(main())

    async def aclose(self) -> None:
        for model in self._models.values():
            await model.aclose()

    def close(self) -> None:
        for backend, _ in reversed(list(self._backends.values())):
            backend.stop()
        self._backends.clear()
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _start(self) -> None:
        if self.settings.cache:
            self._cache = DiskCache(self.settings.cache_dir / "responses.sqlite")
        contexts: dict[Hashable, list[ModelContext]] = {}
        routes: dict[Hashable, ReplicaSet] = {}
        for role in self.roles:
            key = backend_key(self.settings.role(role))
            if key not in self._backends:
                backend = self._backend(role)
                endpoint = backend.start()
                self._backends[key] = (backend, endpoint)
                contexts[key] = self._contexts(key, len(endpoint.replicas) or 1)
                if endpoint.replicas:
                    routes[key] = ReplicaSet(endpoint.replicas, endpoint.model)
            endpoint = self._backends[key][1]
            self.endpoints[role] = endpoint
            if key in routes:
                self._models[role] = self._replicated(role, endpoint, contexts[key], routes[key])
            else:
                self._models[role] = self._build(role, endpoint, contexts[key][0])

    def _backend(self, role: RoleName) -> Backend:
        if role in self._attach:
            return AttachedBackend(self._attach[role])
        return make_backend(self.settings, role)

    def _contexts(self, key: Hashable, replicas: int) -> list[ModelContext]:
        rate = self._rate(key)  # a provider's limit counts all replicas together
        return [
            ModelContext(
                retry=self.settings.retry,
                cache=self._cache,
                limiter=asyncio.Semaphore(self._limit(key)),
                connections=self._limit(key),
                rate=rate,
            )
            for _ in range(replicas)
        ]

    def _replicated(
        self,
        role: RoleName,
        endpoint: Endpoint,
        contexts: list[ModelContext],
        routes: ReplicaSet,
    ) -> Model:
        replicas = [
            self._build(role, replace(endpoint, base_url=url, replicas=()), context, endpoint)
            for url, context in zip(endpoint.replicas, contexts, strict=True)
        ]
        return ReplicatedModel(replicas, routes, ModelContext(self.settings.retry, self._cache))

    def _build(
        self,
        role: RoleName,
        endpoint: Endpoint,
        context: ModelContext,
        asked: Endpoint | None = None,
    ) -> Model:
        """The role's model on ``endpoint``; ``asked``: the endpoint whose answer names
        the API (replicas ask the first one, once)."""
        settings = self.settings.role(role)
        api = self._api(role, asked or endpoint)
        style = chat_structured(settings.structured, endpoint, api)
        return OpenAICompatibleModel(role, endpoint, settings, context, style, api)

    def _api(self, role: RoleName, endpoint: Endpoint) -> Api:
        """The role's API; an endpoint is asked at most once per pool (``auto``)."""
        chosen = self.settings.role(role)
        if chosen.api != "auto":
            return chosen.api
        key = endpoint.base_url + endpoint.model
        if key not in self._apis:
            self._apis[key] = resolve_api(chosen, endpoint)
        return self._apis[key]

    def _sharing(self, key: Hashable) -> list[RoleSettings]:
        return [
            self.settings.role(r) for r in self.roles if backend_key(self.settings.role(r)) == key
        ]

    def _limit(self, key: Hashable) -> int:
        return max(role.concurrency for role in self._sharing(key))

    def _rate(self, key: Hashable) -> RateLimit | None:
        """The endpoint's rate limit: the lowest any role on it sets (a provider's limit
        is the endpoint's, so the strictest given is the one to keep)."""
        rpms = [r.rpm for r in self._sharing(key) if r.rpm is not None]
        tpms = [r.tpm for r in self._sharing(key) if r.tpm is not None]
        if not rpms and not tpms:
            return None
        return RateLimit(min(rpms, default=None), min(tpms, default=None))


@dataclass(frozen=True)
class StudioContext:
    """The context a graph gets from LangGraph Studio or ``langgraph dev``'s HTTP API:
    which settings' models to use. The graphs in ``graphs/`` take it instead of the run
    context the commands build, so opening one starts nothing."""

    settings: str | None = None
    """A settings YAML file; None: the default settings (``INTERVIEWER_*`` apply)."""


_studio: dict[str | None, ModelPool] = {}
_studio_lock = threading.Lock()


async def astudio_pool(context: StudioContext | None) -> ModelPool:
    """``studio_pool`` off the event loop: starting servers and probing endpoints blocks,
    and Studio's server runs every run on one loop."""
    return await asyncio.to_thread(studio_pool, context)


def studio_pool(context: StudioContext | None) -> ModelPool:
    """The pool for a ``StudioContext`` (or none), started on first use and kept for the
    life of the process; the models it starts are logged once."""
    name = context.settings if context is not None else None
    with _studio_lock:
        return _studio.get(name) or _start_studio_pool(name)


def _start_studio_pool(name: str | None) -> ModelPool:
    import atexit
    import logging

    from interviewer.settings import load_settings

    settings = load_settings(Path(name) if name else None)
    logging.getLogger(__name__).warning(
        "starting the models of %s: %s",
        name or "the default settings",
        ", ".join(f"{role} {role_backend(settings, role)}" for role in ROLES),
    )
    pool = ModelPool(settings).__enter__()
    atexit.register(pool.close)
    _studio[name] = pool
    return pool


def role_backend(settings: Settings, role: RoleName) -> str:
    """``"embedded"``, ``"vllm Qwen/Qwen2.5-7B"``, ``"openai gpt-4o-mini at URL"``."""
    chosen = settings.role(role)
    urls = ", ".join(base_urls(chosen))
    words = [chosen.backend, chosen.model or "", f"at {urls}" if urls else ""]
    return " ".join(w for w in words if w)

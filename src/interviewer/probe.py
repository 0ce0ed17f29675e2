"""``interviewer backends``: does each configured endpoint answer, with logprobs?"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

from interviewer.backends import Endpoint
from interviewer.errors import InterviewerError, LogprobsUnavailable
from interviewer.pool import ModelPool
from interviewer.providers import PROBE_PROMPT
from interviewer.replicas import ReplicatedModel
from interviewer.settings import ROLES, RetrySettings, RoleName, Settings

__all__ = ["PROBE_PROMPT", "ProbeResult", "probe_pool"]


@dataclass(frozen=True)
class ProbeResult:
    """What one endpoint did with a one-token completion that asked for logprobs."""

    endpoint: Endpoint
    roles: tuple[RoleName, ...]
    seconds: float
    api: str = "completions"
    """The API these roles' calls use (settings' ``api``, ``auto`` resolved)."""
    token: str | None = None
    logprobs: bool = False
    error: str | None = None


def probe_pool(settings: Settings) -> list[ProbeResult]:
    """Start (or reach) every configured backend and probe each endpoint once."""
    # A probe must answer fast: two attempts, short timeouts, never the cache. A deep
    # copy: the roles are shared objects, and the caller's run keeps its own timeouts.
    quick = settings.model_copy(deep=True)
    quick.cache = False
    quick.retry = RetrySettings(attempts=2, initial_wait_s=0.2, max_wait_s=1, max_total_s=8)
    for role in ROLES:
        quick.role(role).timeout_s = min(quick.role(role).timeout_s, 8.0)
    with ModelPool(quick) as pool:
        return pool.run(_probe_all(pool))


async def _probe_all(pool: ModelPool) -> list[ProbeResult]:
    probes = [
        _probe(pool, replica, [r for r in roles if pool.model(r).api == api], index)
        for endpoint, roles in pool.groups()
        for api in dict.fromkeys(pool.model(r).api for r in roles)  # each API once
        for index, replica in enumerate(_replicas(endpoint))
    ]
    return list(await asyncio.gather(*probes))


def _replicas(endpoint: Endpoint) -> list[Endpoint]:
    """Each server of an endpoint, probed on its own (one line each)."""
    if not endpoint.replicas:
        return [endpoint]
    return [replace(endpoint, base_url=url, replicas=()) for url in endpoint.replicas]


async def _probe(
    pool: ModelPool, endpoint: Endpoint, roles: list[RoleName], replica: int = 0
) -> ProbeResult:
    model = pool.model(roles[0])
    model = model.replicas[replica] if isinstance(model, ReplicatedModel) else model
    started = time.perf_counter()
    request = model.request(PROBE_PROMPT, max_tokens=1, temperature=0.0, top_logprobs=5)
    try:
        try:
            completion = await model.complete(request)
        except LogprobsUnavailable:  # a model that refuses them still answers
            completion = await model.complete(replace(request, top_logprobs=0))
    except InterviewerError as exc:
        return ProbeResult(
            endpoint,
            tuple(roles),
            time.perf_counter() - started,
            model.api,
            error=str(exc).removeprefix(f"{endpoint.base_url}: "),
        )
    return ProbeResult(
        endpoint,
        tuple(roles),
        time.perf_counter() - started,
        model.api,
        token=completion.text,
        logprobs=bool(completion.top_logprobs and completion.top_logprobs[0]),
    )

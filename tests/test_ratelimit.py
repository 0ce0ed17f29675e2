"""Requests and tokens per minute per endpoint (aiolimiter), shared by the roles on it."""

from __future__ import annotations

import asyncio
import time

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.model import Request
from interviewer.pool import ModelPool, run_loop
from interviewer.ratelimit import RateLimit


def test_rpm_paces_calls_shared_by_the_roles_on_an_endpoint() -> None:
    # rpm=300: one call every 0.2 s, in one bucket for persona and critic together.
    with serving(LoadConfig()) as server:
        settings = load_server_settings(server.base_url, http_concurrency=16)
        settings.persona.rpm = 300
        settings.critic.rpm = 600  # the strictest on the endpoint wins
        with ModelPool(settings, roles=("persona", "critic")) as pool:
            persona, critic = pool.model("persona"), pool.model("critic")

            async def calls() -> float:
                started = time.perf_counter()
                await asyncio.gather(
                    *(
                        model.complete(model.request(f"call {i}", max_tokens=4))
                        for i in range(6)
                        for model in (persona, critic)
                    )
                )
                return time.perf_counter() - started

            elapsed = pool.run(calls())
        assert server.server.stats.served == 12
    assert elapsed >= 11 * 0.2 - 0.05  # 12 calls, the first at once


def test_without_a_limit_the_same_calls_do_not_wait() -> None:
    with serving(LoadConfig()) as server:
        settings = load_server_settings(server.base_url, http_concurrency=16)
        with ModelPool(settings, roles=("persona",)) as pool:
            model = pool.model("persona")
            assert model.context.rate is None

            async def calls() -> float:
                started = time.perf_counter()
                requests = [model.request(f"call {i}", max_tokens=4) for i in range(12)]
                await asyncio.gather(*(model.complete(r) for r in requests))
                return time.perf_counter() - started

            assert pool.run(calls()) < 1.0


def test_tpm_lets_a_minute_of_tokens_through_then_paces() -> None:
    limit = RateLimit(rpm=None, tpm=6000)  # 100 tokens a second, 6,000 in the bucket
    request = Request(prompt="", max_tokens=100, temperature=0.0)

    async def full_then_two() -> tuple[float, float]:
        started = time.perf_counter()
        for _ in range(60):
            await limit.acquire(request)
        bucket = time.perf_counter() - started
        for _ in range(2):
            await limit.acquire(request)
        return bucket, time.perf_counter() - started - bucket

    bucket, paced = run_loop(full_then_two())
    assert bucket < 0.5  # a minute's tokens at once
    assert paced >= 1.9  # then 100 tokens a second

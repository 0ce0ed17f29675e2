"""The load server behaves as configured: fault rates by seed, the batch cap, latency."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bench.load_server import LoadConfig, parse_faults, serving


def post(url: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{url}/completions", json=body, timeout=10)


def statuses(config: LoadConfig, prompts: list[str]) -> list[int]:
    # An async client, as the product uses: httpx's sync client leaves Nagle on, and
    # each keep-alive request then waits out a 40 ms delayed ACK.
    async def each(url: str) -> list[int]:
        async with httpx.AsyncClient(base_url=url) as client:
            bodies = [{"prompt": p, "max_tokens": 4} for p in prompts]
            return [(await client.post("/completions", json=b)).status_code for b in bodies]

    with serving(config) as server:
        return asyncio.run(each(server.base_url))


def test_faults_follow_rate_and_seed_not_arrival_order() -> None:
    prompts = [f"prompt {i}" for i in range(300)]
    config = LoadConfig(faults={"500": 0.3}, seed=3)
    forward = statuses(config, prompts)
    backward = statuses(LoadConfig(faults={"500": 0.3}, seed=3), prompts[::-1])[::-1]
    assert forward == backward  # the same requests fail whatever the order
    share = forward.count(500) / len(forward)
    assert 0.22 < share < 0.38
    other_seed = statuses(LoadConfig(faults={"500": 0.3}, seed=4), prompts)
    assert other_seed != forward


def test_a_retried_request_draws_afresh() -> None:
    with serving(LoadConfig(faults={"503": 0.5}, seed=0)) as server:
        codes = [post(server.base_url, {"prompt": "same"}).status_code for _ in range(40)]
    assert 503 in codes and 200 in codes


def test_batch_cap_and_latency() -> None:
    config = LoadConfig(latency_s=0.1, concurrency=4)

    async def burst(url: str) -> float:
        async with httpx.AsyncClient(timeout=10) as client:
            started = time.perf_counter()
            await asyncio.gather(
                *(client.post(f"{url}/completions", json={"prompt": str(i)}) for i in range(12))
            )
            return time.perf_counter() - started

    with serving(config) as server:
        elapsed = asyncio.run(burst(server.base_url))
        assert server.server.stats.peak_in_flight == 4
    assert elapsed >= 0.3  # 12 calls, 4 at a time, 0.1 s each


def test_fault_shapes() -> None:
    faults = ["429", "garbage", "truncated", "nologprobs", "reset"]
    seen: dict[str, object] = {}
    for fault in faults:
        config = LoadConfig(faults={fault: 1.0}, retry_after="0.25")
        with serving(config) as server:
            try:
                reply = post(server.base_url, {"prompt": "Answer:", "logprobs": 5})
            except httpx.HTTPError as exc:
                seen[fault] = type(exc).__name__
                continue
            seen[fault] = reply
    assert seen["429"].status_code == 429  # type: ignore[attr-defined]
    assert seen["429"].headers["retry-after"] == "0.25"  # type: ignore[attr-defined]
    for fault in ("garbage", "truncated"):
        with pytest.raises(json.JSONDecodeError):
            json.loads(seen[fault].content)  # type: ignore[attr-defined]
    assert seen["nologprobs"].json()["choices"][0]["logprobs"] is None  # type: ignore[attr-defined]
    assert seen["reset"] == "RemoteProtocolError"


def test_logprobs_and_schemas() -> None:
    schema = {"type": "object", "properties": {"consistent": {"type": "boolean"}}}
    with serving(LoadConfig(flag_rate=0.0)) as server:
        scored = post(server.base_url, {"prompt": "Q\nAnswer:", "logprobs": 3}).json()
        shaped = post(server.base_url, {"prompt": "x", "json_schema": schema}).json()
    top = scored["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    assert len(top) == 3 and all(alt["token"].strip() in "ABCDEFGH" for alt in top)
    assert json.loads(shaped["choices"][0]["text"]) == {"consistent": True}


def test_parse_faults_and_bad_configs() -> None:
    assert parse_faults("500=0.1, 429=0.05") == {"500": 0.1, "429": 0.05}
    with pytest.raises(ValueError, match="unknown fault"):
        LoadConfig(faults={"418": 0.1})
    with pytest.raises(ValueError, match="more than 1"):
        LoadConfig(faults={"500": 0.6, "503": 0.6})

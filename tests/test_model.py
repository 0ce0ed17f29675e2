"""The model API's shared machinery, on the scripted MockModel."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest

from interviewer.cache import DiskCache
from interviewer.errors import EndpointError
from interviewer.model import ModelContext
from interviewer.settings import RetrySettings, RoleSettings
from tests.fakes import MockModel


def server_error() -> openai.InternalServerError:
    request = httpx.Request("POST", "http://x/v1/completions")
    return openai.InternalServerError(
        "boom", response=httpx.Response(500, request=request), body=None
    )


def test_request_uses_role_defaults_and_overrides() -> None:
    model = MockModel(["x"], defaults=RoleSettings(temperature=0.4, max_tokens=12, seed=3))
    request = model.request("p", max_tokens=5)
    assert (request.temperature, request.max_tokens, request.seed) == (0.4, 5, 3)


async def test_mock_records_calls_and_usage() -> None:
    model = MockModel(["one", "two"])
    await model.complete(model.request("a b c"))
    await model.complete(model.request("d"))
    assert [c.prompt for c in model.calls] == ["a b c", "d"]
    assert model.usage.calls == 2
    assert model.usage.prompt_tokens == 4


async def test_deterministic_calls_are_cached_across_instances(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c.sqlite")
    first = MockModel(["hello"], context=ModelContext(cache=cache))
    request = first.request("p", temperature=0.0)
    assert (await first.complete(request)).cached is False
    second = MockModel(["different"], context=ModelContext(cache=cache))
    again = await second.complete(request)
    assert again.text == "hello" and again.cached is True
    assert second.calls == []  # served from disk, the provider was not called


async def test_sampled_calls_without_seed_are_not_cached(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c.sqlite")
    model = MockModel(["a", "b"], context=ModelContext(cache=cache))
    request = model.request("p", temperature=1.0, seed=None)
    await model.complete(request)
    await model.complete(request)
    assert len(model.calls) == 2
    assert len(cache) == 0


async def test_cache_key_ignores_endpoint_but_not_identity(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c.sqlite")
    first = MockModel(["x"], context=ModelContext(cache=cache))
    first.endpoint = "http://elsewhere/v1"
    await first.complete(first.request("p", temperature=0.0))
    other_weights = MockModel(["y"], context=ModelContext(cache=cache), identity="mock:v2")
    assert (await other_weights.complete(other_weights.request("p", temperature=0.0))).text == "y"


async def test_retry_policy_wraps_every_provider(tmp_path: Path) -> None:
    retry = RetrySettings(attempts=3, initial_wait_s=0.0, max_wait_s=0.0)
    model = MockModel([server_error(), server_error(), "ok"], context=ModelContext(retry=retry))
    assert (await model.complete(model.request("p"))).text == "ok"
    assert len(model.calls) == 3
    failing = MockModel([server_error()], context=ModelContext(retry=retry))
    with pytest.raises(EndpointError, match="mock://model: gave up after 3"):
        await failing.complete(failing.request("p"))


async def test_invalid_structured_reply_is_not_kept_in_the_cache(tmp_path: Path) -> None:
    from pydantic import BaseModel

    from interviewer.errors import ModelOutputError

    class Reply(BaseModel):
        ok: bool

    cache = DiskCache(tmp_path / "c.sqlite")
    model = MockModel(
        ["not json", '{"ok": true}'],
        context=ModelContext(cache=cache),
        defaults=RoleSettings(temperature=0.0),
    )
    with pytest.raises(ModelOutputError):
        await model.structured("p", Reply)
    assert len(cache) == 0
    assert (await model.structured("p", Reply)).value.ok is True


async def test_request_variant_is_part_of_the_key(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c.sqlite")
    plain = MockModel(["a"], context=ModelContext(cache=cache))
    await plain.complete(plain.request("p", temperature=0.0))
    shaped = MockModel(["b"], context=ModelContext(cache=cache))
    shaped.request_variant = lambda: "structured=json_schema/v2"  # type: ignore[method-assign]
    assert (await shaped.complete(shaped.request("p", temperature=0.0))).text == "b"


def test_atomic_files_are_readable_by_others(tmp_path: Path) -> None:
    from interviewer.storage import atomic_write_text

    path = tmp_path / "x.json"
    atomic_write_text(path, "{}")
    assert path.stat().st_mode & 0o777 == 0o644

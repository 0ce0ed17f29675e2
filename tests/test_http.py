"""The real HTTP path (the openai SDK → loopback stub): formats, faults, retries."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from interviewer.backends import Endpoint
from interviewer.errors import EndpointError, EndpointUnreachable, ModelOutputError
from interviewer.model import ModelContext
from interviewer.openai_compat import OpenAICompatibleModel
from interviewer.settings import RetrySettings, RoleSettings
from tests.stub_server import StubState, running_stub

FAST_RETRY = RetrySettings(attempts=3, initial_wait_s=0.01, max_wait_s=2, max_total_s=20)
MADE: list[OpenAICompatibleModel] = []


@pytest.fixture(autouse=True)
async def close_models() -> AsyncIterator[None]:
    """Close each test's HTTP clients in its own loop, as ``ModelPool.run`` does."""
    yield
    while MADE:
        await MADE.pop().aclose()


def make_model(
    url: str,
    timeout_s: float = 10.0,
    retry: RetrySettings = FAST_RETRY,
    structured: str = "json_schema",
) -> OpenAICompatibleModel:
    endpoint = Endpoint(base_url=url, model="stub", identity="stub:1", structured=structured)  # type: ignore[arg-type]
    defaults = RoleSettings(temperature=0.0, timeout_s=timeout_s)
    made = OpenAICompatibleModel("respondent", endpoint, defaults, ModelContext(retry=retry))
    MADE.append(made)
    return made


@pytest.mark.parametrize("form", ["ok", "legacy"])
async def test_both_logprob_forms_give_the_same_scores(form: str) -> None:
    with running_stub(StubState(script=[form])) as (url, state):
        scores = await make_model(url).score_options("Q?\nA. x\nB. y\nC. z\nAnswer:", "ABC")
    # Stub top: A -0.5, B -1.5, C -2.5, "\n" -3.0 → renormalised over A, B, C.
    import math

    raw = [math.exp(-0.5), math.exp(-1.5), math.exp(-2.5)]
    assert scores.probs == pytest.approx([p / sum(raw) for p in raw])
    assert scores.letter_mass == pytest.approx(sum(raw))
    assert state.requests[0]["logprobs"] == 20
    assert state.requests[0]["max_tokens"] == 1


async def test_no_logprobs_is_a_clear_error() -> None:
    with (
        running_stub(StubState(script=["nologprobs"])) as (url, _),
        pytest.raises(ModelOutputError, match="returned no logprobs"),
    ):
        await make_model(url).score_options("Q?", "AB")


async def test_429_waits_for_retry_after_then_succeeds() -> None:
    with running_stub(StubState(script=["429", "ok"], retry_after="1")) as (url, state):
        model = make_model(url)
        completion = await model.complete(model.request("hi"))
    assert completion.text == " A"
    assert len(state.requests) == 2
    assert state.times[1] - state.times[0] >= 0.95  # honoured Retry-After: 1


async def test_500_is_retried() -> None:
    with running_stub(StubState(script=["500", "500", "ok"])) as (url, state):
        model = make_model(url)
        assert (await model.complete(model.request("hi"))).text == " A"
    assert len(state.requests) == 3


async def test_timeout_is_retried() -> None:
    with running_stub(StubState(script=["slow", "ok"], slow_s=2.0)) as (url, state):
        model = make_model(url, timeout_s=0.5)
        started = time.monotonic()
        assert (await model.complete(model.request("hi"))).text == " A"
    assert len(state.requests) == 2
    assert time.monotonic() - started < 2.0  # did not wait for the slow answer


async def test_garbage_body_is_retried() -> None:
    with running_stub(StubState(script=["garbage", "ok"])) as (url, state):
        model = make_model(url)
        assert (await model.complete(model.request("hi"))).text == " A"
    assert len(state.requests) == 2


async def test_connection_reset_is_retried() -> None:
    with running_stub(StubState(script=["reset", "ok"])) as (url, state):
        model = make_model(url)
        assert (await model.complete(model.request("hi"))).text == " A"
    assert len(state.requests) == 2


async def test_400_is_not_retried() -> None:
    with running_stub(StubState(script=["400", "ok"])) as (url, state):
        model = make_model(url)
        with pytest.raises(EndpointError, match=r"HTTP 400"):
            await model.complete(model.request("hi"))
    assert len(state.requests) == 1


async def test_exhausted_retries_name_the_endpoint() -> None:
    with running_stub(StubState(script=["500"])) as (url, state):
        model = make_model(url)
        with pytest.raises(EndpointError, match=rf"^{url}: gave up after 3 attempt"):
            await model.complete(model.request("hi"))
    assert len(state.requests) == 3


async def test_unreachable_endpoint_is_exit_2() -> None:
    model = make_model("http://127.0.0.1:9/v1")
    with pytest.raises(EndpointUnreachable) as info:
        await model.complete(model.request("hi"))
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("style", "field"),
    [("json_schema", "json_schema"), ("structured_outputs", "structured_outputs"), ("none", None)],
)
async def test_structured_request_fields(style: str, field: str | None) -> None:
    from pydantic import BaseModel

    class Verdict(BaseModel):
        consistent: bool

    state = StubState(script=["ok"], text='{"consistent": false}')
    with running_stub(state) as (url, state):
        verdict = (await make_model(url, structured=style).structured("Judge:", Verdict)).value
    assert verdict.consistent is False
    body = state.requests[0]
    if field is None:
        assert "json_schema" not in body and "structured_outputs" not in body
    else:
        schema = body[field] if field == "json_schema" else body[field]["json"]
        if field == "json_schema":
            assert schema["x-guidance"] == {"whitespace_flexible": False}
        assert schema["additionalProperties"] is False
        assert schema["required"] == ["consistent"]


async def test_invalid_structured_output_is_a_clear_error() -> None:
    from pydantic import BaseModel

    class Verdict(BaseModel):
        consistent: bool

    with (
        running_stub(StubState(script=["ok"], text="sure, consistent")) as (url, _),
        pytest.raises(ModelOutputError, match="no valid Verdict"),
    ):
        await make_model(url).structured("Judge:", Verdict)

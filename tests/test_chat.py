"""Chat models over HTTP (the load server's chat modes): the API a role resolves to,
chat requests, logprob scoring, ``n`` sampling and the provider differences."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import asdict

import pytest

from bench.load_server import LoadConfig, serving
from interviewer.backends import Endpoint
from interviewer.cache import DiskCache, cache_key
from interviewer.errors import LogprobsUnavailable, SettingsError, UnsupportedParameter
from interviewer.interview.replies import CriticReply
from interviewer.model import ModelContext, Request
from interviewer.openai_compat import OpenAICompatibleModel
from interviewer.pool import ModelPool
from interviewer.providers import chat_sampling, quirks
from interviewer.settings import RetrySettings, RoleSettings, Settings
from interviewer.survey.answering import LOGPROBS, SAMPLING, ask
from tests.fakes import MockModel

FAST_RETRY = RetrySettings(attempts=3, initial_wait_s=0.01, max_wait_s=1, max_total_s=10)
MADE: list[OpenAICompatibleModel] = []


@pytest.fixture(autouse=True)
async def close_models() -> AsyncIterator[None]:
    yield
    while MADE:
        await MADE.pop().aclose()


def chat_model(
    url: str, model: str = "load-model", structured: str = "response_format", **role: object
) -> OpenAICompatibleModel:
    endpoint = Endpoint(url, model, f"openai:{url}:{model}", structured, serves_completions=None)  # type: ignore[arg-type]
    defaults = RoleSettings.model_validate({"temperature": 0.0, **role})
    made = OpenAICompatibleModel(
        "respondent", endpoint, defaults, ModelContext(retry=FAST_RETRY), api="chat"
    )
    MADE.append(made)
    return made


def openai_settings(url: str, **roles: dict[str, object]) -> Settings:
    base = {"backend": "openai", "base_url": url, "model": "load-model"}
    return Settings.model_validate(
        {name: {**base, **roles.get(name, {})} for name in ROLES_ALL} | {"cache": False}
    )


ROLES_ALL = ("interviewer", "persona", "critic", "respondent")


def test_auto_is_chat_where_completions_404_and_persona_stays_completions() -> None:
    with serving(LoadConfig(chat_only=True)) as server:
        settings = openai_settings(server.base_url, persona={"api": "chat"})
        with ModelPool(settings) as pool:
            apis = {role: pool.model(role).api for role in ROLES_ALL}
            identity = pool.model("critic").identity
        probes = server.server.stats.requests
    assert apis == dict.fromkeys(ROLES_ALL, "chat")
    assert identity.endswith(" [chat]")
    assert probes == 1  # one endpoint, asked once for all its auto roles


def test_auto_is_completions_where_completions_answer() -> None:
    with serving(LoadConfig()) as server, ModelPool(openai_settings(server.base_url)) as pool:
        apis = {role: pool.model(role).api for role in ROLES_ALL}
        identity = pool.model("critic").identity
    assert apis == dict.fromkeys(ROLES_ALL, "completions")
    assert "[chat]" not in identity


def test_explicit_completions_on_a_chat_only_endpoint_fails_in_one_line() -> None:
    with serving(LoadConfig(chat_only=True)) as server:
        with ModelPool(openai_settings(server.base_url)) as pool:
            persona = pool.model("persona")
            assert persona.api == "completions"  # the persona's default, never overridden
            with pytest.raises(SettingsError) as caught:
                pool.run(persona.complete(persona.request("Hello", max_tokens=4)))
        requests = server.server.stats.requests
    message = str(caught.value)
    assert "\n" not in message
    assert "persona.api" in message and "chat model" in message
    assert requests == 2  # the probe and the one call: a 404 is not retried


async def test_chat_scores_the_first_answer_tokens_logprobs() -> None:
    with serving(LoadConfig()) as server:
        model = chat_model(server.base_url)
        request = model.chat_request([("system", "You are Ann."), ("user", "Q?\nA. x\nB. y")])
        scores = await model.score_options(request, "AB")
    assert sum(scores.probs) == pytest.approx(1.0)
    assert 0 < scores.letter_mass <= 1


async def test_chat_structured_reply_goes_by_response_format() -> None:
    with serving(LoadConfig(record=True, flag_rate=0.0)) as server:
        model = chat_model(server.base_url)
        parsed = await model.structured([("user", "Is it consistent?")], CriticReply)
    assert parsed.value.consistent is True


async def test_a_fenced_json_reply_without_schema_support_parses() -> None:
    # Anthropic's compatibility layer ignores response_format: the model writes JSON
    # in a fence because the prompt asks for it.
    with serving(LoadConfig(chat_logprobs=False, flag_rate=0.0)) as server:
        model = chat_model(server.base_url)
        prompt = [("system", 'JSON: {"consistent": .., "contradicted_statement": ..}')]
        parsed = await model.structured([*prompt, ("user", "Check it.")], CriticReply)
    assert parsed.value.consistent is True


async def test_sampling_asks_once_with_n_where_the_endpoint_takes_it() -> None:
    with serving(LoadConfig()) as server:
        model = chat_model(server.base_url)
        base = model.chat_request([("user", "Pick A or B.")], max_tokens=3, seed=7)
        texts = await model.sample(base, 20)
        requests = server.server.stats.requests
    assert len(texts) == 20 and set(texts) <= {"A", "B"}
    assert requests == 1


async def test_sampling_falls_back_to_one_request_per_sample_where_n_is_refused() -> None:
    with serving(LoadConfig(chat_logprobs=False)) as server:
        model = chat_model(server.base_url)
        base = model.chat_request([("user", "Pick A or B.")], max_tokens=3, seed=7)
        first = await model.sample(base, 5)
        after_first = server.server.stats.requests
        await model.sample(base, 5)
        total = server.server.stats.requests
    assert len(first) == 5
    assert after_first == 1 + 5  # the refused n=5, then one per sample
    assert total - after_first == 5  # remembered: no second refusal


async def test_a_survey_on_chat_without_logprobs_samples() -> None:
    with serving(LoadConfig(chat_logprobs=False)) as server:
        model = chat_model(server.base_url)
        answer = await ask(model, "I am Ann.", "", "Q?", ["x", "y"], [[0, 1]], samples=4)
    assert answer.mode == SAMPLING
    assert sum(answer.probs) == pytest.approx(1.0)


async def test_a_survey_on_chat_with_logprobs_scores_them() -> None:
    with serving(LoadConfig()) as server:
        model = chat_model(server.base_url)
        answer = await ask(model, "I am Ann.", "", "Q?", ["x", "y"], [[0, 1], [1, 0]])
        requests = server.server.stats.requests
    assert answer.mode == LOGPROBS and requests == 2


async def test_a_400_naming_a_parameter_is_one_line_naming_the_setting_and_not_retried() -> None:
    with serving(LoadConfig(refuse=("temperature",))) as server:
        model = chat_model(server.base_url)
        with pytest.raises(UnsupportedParameter) as caught:
            await model.complete(model.chat_request([("user", "Hi")]))
        requests = server.server.stats.requests
    message = str(caught.value)
    assert requests == 1
    assert "'temperature'" in message and "respondent.temperature" in message
    assert "\n" not in message


async def test_a_400_about_logprobs_on_a_scoring_call_means_sampling() -> None:
    with serving(LoadConfig(refuse=("logprobs",))) as server:
        model = chat_model(server.base_url)
        answer = await ask(model, "I am Ann.", "", "Q?", ["x", "y"], [[0, 1]], samples=3)
    assert answer.mode == SAMPLING


async def test_reasoning_models_get_max_completion_tokens_and_no_temperature() -> None:
    with serving(LoadConfig(refuse=("max_tokens", "temperature"), record=True)) as server:
        model = chat_model(server.base_url, model="o3-mini", temperature=1.0)
        completion = await model.complete(model.chat_request([("user", "Hi")], max_tokens=5))
    assert completion.text


def test_reasoning_model_quirks_refuse_what_the_model_cannot_do() -> None:
    found = quirks("o4-mini", "https://api.openai.com/v1")
    assert found.token_param == "max_completion_tokens" and not found.logprobs
    greedy = Request(prompt="", max_tokens=5, temperature=0.0)
    with pytest.raises(UnsupportedParameter, match=r"critic\.temperature: 1"):
        chat_sampling(greedy, found, "critic")
    with pytest.raises(LogprobsUnavailable):  # before the temperature: it samples next
        chat_sampling(Request("", 1, 0.0, top_logprobs=5), found, "respondent")
    assert quirks("gpt-4o-mini", "https://api.openai.com/v1").token_param == (
        "max_completion_tokens"
    )
    assert quirks("Qwen/Qwen2.5-7B-Instruct", "http://localhost:8000/v1").token_param == (
        "max_tokens"
    )
    assert quirks("gpt-5-chat-latest", "https://x/v1").fixed_sampling is False


def test_completion_cache_keys_are_those_from_before_chat(tmp_path: object) -> None:
    # The chat fields join the key only when used, so an existing cache still answers.
    model = MockModel(["x"], context=ModelContext(cache=DiskCache(tmp_path / "c.sqlite")))  # type: ignore[operator]
    request = model.request("Hello", seed=3)
    before = {k: v for k, v in asdict(request).items() if k not in ("messages", "n")}
    assert model._cache_key(request) == cache_key("mock:v1|", before)
    chat = model.chat_request([("user", "Hello")], seed=3)
    assert model._cache_key(chat) != model._cache_key(request)


def test_chat_logprob_tokens_read_like_the_others() -> None:
    from interviewer.logprobs import option_distribution, top_logprobs_by_position

    raw = {
        "content": [
            {
                "token": "A",
                "logprob": math.log(0.6),
                "top_logprobs": [
                    {"token": "A", "logprob": math.log(0.6)},
                    {"token": "B", "logprob": math.log(0.3)},
                ],
            }
        ]
    }
    scores = option_distribution(top_logprobs_by_position(raw)[0], "AB")
    assert scores.probs == pytest.approx((2 / 3, 1 / 3))


def test_backends_probe_names_each_roles_api() -> None:
    from interviewer.probe import probe_pool

    with serving(LoadConfig(chat_only=True)) as server:
        settings = openai_settings(server.base_url, persona={"api": "chat"})
        results = probe_pool(settings)
    assert [(r.api, r.error, r.logprobs) for r in results] == [("chat", None, True)]


def test_backends_probe_of_a_completions_persona_on_a_chat_only_endpoint_says_why() -> None:
    from interviewer.probe import probe_pool

    with serving(LoadConfig(chat_only=True)) as server:
        results = probe_pool(openai_settings(server.base_url))
    by_api = {r.api: r for r in results}
    assert by_api["chat"].roles == ("interviewer", "critic", "respondent")
    assert by_api["chat"].error is None
    assert by_api["completions"].roles == ("persona",)
    assert "set persona.api: chat" in str(by_api["completions"].error)


async def test_a_survey_on_a_reasoning_model_samples_at_temperature_one() -> None:
    with serving(LoadConfig(refuse=("max_tokens", "temperature", "logprobs"))) as server:
        model = chat_model(server.base_url, model="o3-mini")
        answer = await ask(model, "I am Ann.", "", "Q?", ["x", "y"], [[0, 1]], samples=3)
        requests = server.server.stats.requests
    assert answer.mode == SAMPLING
    assert requests == 1  # one n=3 request; the greedy logprob call never left


async def test_deterministic_chat_calls_come_from_the_cache(tmp_path: object) -> None:
    with serving(LoadConfig()) as server:
        model = chat_model(server.base_url)
        model.context.cache = DiskCache(tmp_path / "c.sqlite")  # type: ignore[operator]
        request = model.chat_request([("user", "Hi")], max_tokens=8, seed=5)
        first = await model.complete(request)
        second = await model.complete(request)
        requests = server.server.stats.requests
    assert requests == 1
    assert second.cached and second.text == first.text


async def test_chat_calls_ride_out_faults_under_the_one_retry_policy() -> None:
    import asyncio

    faults = {"500": 0.15, "429": 0.1, "garbage": 0.1, "truncated": 0.1, "reset": 0.05}
    retry = RetrySettings(attempts=8, initial_wait_s=0.01, max_wait_s=0.05, max_total_s=30)
    with serving(LoadConfig(faults=faults, retry_after="0")) as server:
        model = chat_model(server.base_url)
        model.context.retry = retry
        requests = [model.chat_request([("user", f"Hi {i}")], max_tokens=8) for i in range(30)]
        done = await asyncio.gather(*(model.complete(r) for r in requests))
        stats = server.server.stats
    assert all(c.text for c in done)
    late = sum(stats.faults[f] for f in ("garbage", "truncated", "reset"))  # served, then broken
    assert late > 0 and stats.served - late == 30


def test_a_chat_reply_reports_the_prompt_tokens_its_endpoint_cached() -> None:
    """OpenAI's usage.prompt_tokens_details.cached_tokens reaches the usage ledger."""
    from openai.types.chat import ChatCompletion

    from interviewer.openai_compat import _chat_completion

    reply = ChatCompletion.model_validate(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": "A"},
                }
            ],
            "usage": {
                "prompt_tokens": 120,
                "completion_tokens": 1,
                "total_tokens": 121,
                "prompt_tokens_details": {"cached_tokens": 96},
            },
        }
    )
    completion = _chat_completion(reply)
    assert (completion.prompt_tokens, completion.cached_tokens) == (120, 96)

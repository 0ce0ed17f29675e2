"""Several replicas per role: rendezvous hashing, failover, session headers, the vllm
backend starting one server per device set, and cache keys that do not move."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from interviewer.backends.base import Endpoint
from interviewer.backends.vllm import VLLMBackend, device_sets
from interviewer.cache import DiskCache
from interviewer.errors import EndpointError, InterviewerError, SettingsError
from interviewer.model import ModelContext
from interviewer.openai_compat import OpenAICompatibleModel
from interviewer.pool import ModelPool
from interviewer.replicas import ReplicaSet, persona_session, rendezvous_order
from interviewer.settings import RetrySettings, RoleSettings, VLLMSettings, load_settings
from tests.stub_server import StubState, running_stub

STUB = [sys.executable, str(Path(__file__).with_name("stub_server.py"))]
URLS = [f"http://10.0.0.{i}:8000/v1" for i in range(5)]
KEYS = [f"p{i:05d}" for i in range(2000)]


def first_choice(names: list[str]) -> dict[str, str]:
    return {key: names[rendezvous_order(key, names)[0]] for key in KEYS}


def test_removing_a_replica_moves_only_its_own_personas() -> None:
    before = first_choice(URLS)
    after = first_choice([u for u in URLS if u != URLS[2]])
    moved = {key for key in KEYS if before[key] != after[key]}
    assert moved == {key for key in KEYS if before[key] == URLS[2]}
    # ...and each moves to its second choice among all five.
    for key in moved:
        assert after[key] == URLS[rendezvous_order(key, URLS)[1]]
    # Spread: each of the 5 holds about a fifth of the 2,000.
    counts = [list(before.values()).count(u) for u in URLS]
    assert all(330 <= c <= 470 for c in counts), counts


def test_adding_a_replica_takes_keys_only_from_others_to_itself() -> None:
    before = first_choice(URLS[:4])
    after = first_choice(URLS)
    assert all(after[k] in (before[k], URLS[4]) for k in KEYS)


def test_order_is_stable_across_processes() -> None:
    # blake2b, not hash(): the same order in every process and run (hand-checked once).
    assert rendezvous_order("p00000", URLS) == rendezvous_order("p00000", list(URLS))
    assert sorted(rendezvous_order("p00001", URLS)) == [0, 1, 2, 3, 4]


def down(index: int) -> EndpointError:
    return EndpointError(URLS[index], "cannot connect")


def test_a_failed_replica_moves_its_pinned_personas_and_no_others() -> None:
    routes = ReplicaSet(URLS[:3], "m")
    pinned = {key: routes.choose(key, set()) for key in KEYS[:300]}
    assert all(pinned[k] == rendezvous_order(k, URLS[:3])[0] for k in pinned)  # idle: HRW
    routes.failed(1, down(1))
    again = {key: routes.choose(key, set()) for key in KEYS[:300]}
    for key, index in pinned.items():
        if index == 1:
            assert again[key] == rendezvous_order(key, URLS[:3])[1]
        else:
            assert again[key] == index


def test_load_bound_spreads_new_personas_away_from_a_busy_replica() -> None:
    routes = ReplicaSet(URLS[:2], "m")
    routes.in_flight = [10, 0]  # replica 0 is busy: under 1.25 × 11 / 2 = 6.9 takes a new one
    keys = [k for k in KEYS if rendezvous_order(k, URLS[:2])[0] == 0][:5]
    assert [routes.choose(k, set()) for k in keys] == [1] * 5
    assert all(routes.pins[k] == 1 for k in keys)  # and they stay there
    routes.in_flight = [0, 10]
    assert [routes.choose(k, set()) for k in keys] == [1] * 5


def test_all_down_still_tries_each_once() -> None:
    routes = ReplicaSet(URLS[:2], "m")
    routes.failed(0, down(0))
    routes.failed(1, down(1))
    first = routes.choose("p1", set())
    assert routes.choose("p1", {first}) == 1 - first


def test_failure_is_logged_once_per_replica(caplog: pytest.LogCaptureFixture) -> None:
    routes = ReplicaSet(URLS[:2], "m")
    for _ in range(5):
        routes.failed(0, down(0))
    lines = [r.getMessage() for r in caplog.records if "is down" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].startswith(f"replica {URLS[0]} of m is down (cannot connect)")


def two_stub_pool(tmp_path: Path, *urls: str, **role: object) -> ModelPool:
    chosen = {"backend": "vllm", "model": "m", "base_url": list(urls), **role}
    settings = load_settings(
        overrides={
            "cache": False,
            "cache_dir": str(tmp_path),
            "retry": {"attempts": 2, "initial_wait_s": 0.01, "max_wait_s": 0.02},
            "persona": chosen,
            "critic": chosen,
        }
    )
    return ModelPool(settings, roles=("persona", "critic"))


async def one_call_each(pool: ModelPool, personas: list[str], rounds: int = 1) -> None:
    async def call(pid: str) -> None:
        with persona_session(pid):
            for role in ("persona", "critic") * rounds:
                model = pool.model(role)
                await model.complete(model.request(f"{role} of {pid}"))

    await asyncio.gather(*(call(pid) for pid in personas))


def test_every_call_of_a_persona_goes_to_its_replica_with_a_session_header(
    tmp_path: Path,
) -> None:
    personas = [f"p{i:05d}" for i in range(40)]
    with (
        running_stub() as (url_a, a),
        running_stub() as (url_b, b),
        two_stub_pool(tmp_path, url_a, url_b) as pool,
    ):
        pool.run(one_call_each(pool, personas, rounds=2))
    seen: dict[str, set[str]] = {}
    for name, state in (("a", a), ("b", b)):
        for body, headers in zip(state.requests, state.headers, strict=True):
            pid = headers["x-session-id"]
            assert pid in body["prompt"]  # the header names the persona the call is for
            seen.setdefault(pid, set()).add(name)
    assert sorted(seen) == personas
    assert all(len(where) == 1 for where in seen.values()), seen  # 4 calls, 1 replica
    assert 10 <= len(a.requests) // 4 <= 30  # both replicas took a share


def test_no_session_header_outside_a_persona_or_when_turned_off(tmp_path: Path) -> None:
    with running_stub() as (url_a, a), running_stub() as (url_b, b):
        with two_stub_pool(tmp_path, url_a, url_b) as pool:
            model = pool.model("persona")
            pool.run(model.complete(model.request("no persona here")))
        with two_stub_pool(tmp_path, url_a, url_b, session_header=None) as pool:
            pool.run(one_call_each(pool, ["p00001"]))
        with two_stub_pool(tmp_path, url_a, url_b, session_header="X-User-ID") as pool:
            pool.run(one_call_each(pool, ["p00002"]))
    headers = a.headers + b.headers
    assert len(headers) == 1 + 2 + 2
    assert sum("x-session-id" in h for h in headers) == 0
    assert sum(h.get("x-user-id") == "p00002" for h in headers) == 2


def test_a_chat_call_carries_the_header_too() -> None:
    state = StubState()
    with running_stub(state) as (url, _):
        endpoint = Endpoint(base_url=url, model="m", identity="vllm:m", structured="none")
        once = ModelContext(retry=RetrySettings(attempts=1))
        model = OpenAICompatibleModel("persona", endpoint, RoleSettings(), once, api="chat")

        async def call() -> None:
            try:
                with persona_session("p00042"):
                    await model.complete(model.chat_request([("user", "hi")]))
            finally:
                await model.aclose()

        # The stub answers in the completions shape only; the header is the point here.
        with pytest.raises(InterviewerError, match="unexpected shape"):
            asyncio.run(call())
    assert state.headers and all(h.get("x-session-id") == "p00042" for h in state.headers)


def test_calls_move_to_the_other_replica_when_one_refuses_connections(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with running_stub() as (dead, _):
        pass  # closed: nothing listens at ``dead`` any more
    personas = [f"p{i:05d}" for i in range(20)]
    # openai: attaches without a health check (vllm refuses a dead URL at start)
    with (
        running_stub() as (alive, state),
        two_stub_pool(tmp_path, dead, alive, backend="openai", api="completions") as pool,
    ):
        pool.run(one_call_each(pool, personas))
        usage = pool.model("persona").usage.calls
    assert usage == 20 and len(state.requests) == 40  # every call answered, by the live one
    lines = [r.getMessage() for r in caplog.records if "is down" in r.getMessage()]
    assert len(lines) == 1 and dead in lines[0]


def test_cache_keys_are_the_ones_before_replicas_existed(tmp_path: Path) -> None:
    """Keys computed on main before this change (same endpoint, same requests): the
    persona session is not part of any key, so existing caches still answer."""
    cache = DiskCache(tmp_path / "r.sqlite")
    endpoint = Endpoint(
        base_url="http://127.0.0.1:9/v1",
        model="m",
        identity="vllm:m",
        structured="structured_outputs",
    )
    ctx = ModelContext(cache=cache)
    completions = OpenAICompatibleModel("persona", endpoint, RoleSettings(), ctx)
    chat = OpenAICompatibleModel("persona", endpoint, RoleSettings(), ctx, api="chat")
    plain = completions.request("Q: hello\nA:", temperature=0.0, seed=7)
    messages = chat.chat_request([("user", "hello")], temperature=0.0)
    want = (
        "5cd586d89f62b9ebb248f59112575f06db55d53e984c6bdb5674506eff58ab06",
        "0e8b756754e14316fa7d51888f936568ded88d1d80268214d2e08b2131a3ec7c",
    )
    assert (completions._cache_key(plain), chat._cache_key(messages)) == want
    with persona_session("p00007"):
        assert (completions._cache_key(plain), chat._cache_key(messages)) == want
    cache.close()


def test_a_replicated_role_keys_like_one_server(tmp_path: Path) -> None:
    with running_stub() as (url_a, _), running_stub() as (url_b, _):
        settings = load_settings(
            overrides={
                "cache_dir": str(tmp_path),
                "persona": {"backend": "vllm", "model": "m", "base_url": [url_a, url_b]},
            }
        )
        with ModelPool(settings, roles=("persona",)) as pool:
            routed = pool.model("persona")
            request = routed.request("x", temperature=0.0)
            keys = {routed._cache_key(request)}
            keys |= {r._cache_key(request) for r in routed.replicas}  # type: ignore[attr-defined]
        settings.persona.base_url = url_b
        with ModelPool(settings, roles=("persona",)) as pool:
            keys.add(pool.model("persona")._cache_key(request))
    assert len(keys) == 1 and None not in keys


def test_vllm_starts_one_server_per_device_set(tmp_path: Path) -> None:
    launches = tmp_path / "launches"
    launches.mkdir()
    settings = VLLMSettings(
        command=STUB,
        extra_args=["--launch-dir", str(launches)],
        startup_timeout_s=30,
        replicas=[[0, 1], [2, 3], [5]],
    )
    backend = VLLMBackend("m", None, settings, tmp_path / "logs")
    with backend as endpoint:
        procs = list(backend._procs)
        seen = {int(p.stem): json.loads(p.read_text()) for p in launches.glob("*.json")}
    assert len(endpoint.replicas) == 3 and endpoint.base_url == endpoint.replicas[0]
    ports = [int(url.rsplit(":", 1)[1].removesuffix("/v1")) for url in endpoint.replicas]
    assert sorted(seen) == sorted(ports) and len(set(ports)) == 3
    assert [seen[p]["CUDA_VISIBLE_DEVICES"] for p in ports] == ["0,1", "2,3", "5"]
    assert all("--enable-prefix-caching" in seen[p]["argv"] for p in ports)
    assert all(p.poll() is not None for p in procs)  # all stopped at exit


def test_vllm_replica_ports_count_up_from_the_port_given(tmp_path: Path) -> None:
    backend = VLLMBackend("m", None, VLLMSettings(port=18000, replicas=[[0], [1]]), tmp_path)
    assert backend._ports(2) == [18000, 18001]


def test_a_count_splits_the_visible_devices_evenly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3,4,5,6,7")
    assert device_sets(4) == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert device_sets(1) == [None]  # one server: the environment as it is
    with pytest.raises(SettingsError, match=r"vllm\.replicas: 3 servers cannot share 8"):
        device_sets(3)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-1a2b")
    with pytest.raises(SettingsError, match="UUID"):
        device_sets(2)


def test_replicas_with_a_base_url_is_refused(tmp_path: Path) -> None:
    settings = VLLMSettings(replicas=2)
    with pytest.raises(SettingsError, match=r"vllm\.replicas starts servers.*persona\.base_url"):
        VLLMBackend("m", "http://127.0.0.1:9/v1", settings, tmp_path).start()


def test_vllm_attaches_to_several(tmp_path: Path) -> None:
    with running_stub() as (url_a, _), running_stub() as (url_b, _):
        endpoint = VLLMBackend(None, (url_a, url_b), VLLMSettings(), tmp_path).start()
    assert endpoint.replicas == (url_a, url_b) and endpoint.model == "stub-model"
    assert "2 servers" in endpoint.label


def test_backends_probes_each_replica_on_its_own(tmp_path: Path) -> None:
    from interviewer.probe import probe_pool

    with running_stub() as (dead, _):
        pass
    with running_stub() as (alive, _):
        chosen = {"backend": "openai", "model": "m", "api": "completions"}
        settings = load_settings(
            overrides={
                "cache_dir": str(tmp_path),
                **{r: {**chosen, "base_url": [alive, dead]} for r in ("persona", "critic")},
                "interviewer": {**chosen, "base_url": alive},
                "respondent": {**chosen, "base_url": alive},
            }
        )
        results = probe_pool(settings)
    by_url = {r.endpoint.base_url: r for r in results if r.roles == ("persona", "critic")}
    assert sorted(by_url) == sorted([alive, dead])
    assert by_url[alive].error is None and by_url[alive].logprobs
    assert by_url[dead].error is not None and "connect" in by_url[dead].error


def test_base_url_flag_takes_comma_separated_replicas() -> None:
    from interviewer.cli._common import given_settings

    settings = given_settings(base_url="http://a:1/v1,http://a:2/v1").build()
    assert settings.persona.base_url == ["http://a:1/v1", "http://a:2/v1"]
    assert given_settings(base_url="http://a:1/v1").build().critic.base_url == "http://a:1/v1"
    with pytest.raises(SettingsError, match="listed twice"):
        given_settings(base_url="http://a:1/v1,http://a:1/v1/").build()


def test_a_survey_respondents_calls_carry_its_id(tmp_path: Path) -> None:
    import math

    from interviewer.contracts.questionnaire import load_questionnaire
    from interviewer.model import Completion, Request
    from interviewer.replicas import current_session
    from interviewer.survey.conditioning import Respondent
    from interviewer.survey.graph import SurveyContext
    from interviewer.survey.runner import run_survey
    from tests.fakes import MockModel

    seen: list[tuple[str | None, str]] = []

    def answer(request: Request) -> Completion:
        seen.append((current_session(), request.prompt))
        return Completion(text=" A", top_logprobs=({" A": math.log(0.7), " B": math.log(0.3)},))

    people = [Respondent("r1", "I am a nurse.", "Democrat"), Respondent("r2", "A farmer.", None)]
    questionnaire = load_questionnaire(Path(__file__).with_name("fixtures") / "trust.yaml")
    ctx = SurveyContext(model=MockModel([answer]), questionnaire=questionnaire)  # type: ignore[arg-type]
    asyncio.run(run_survey(people, ctx, tmp_path / "r.jsonl", "backstory"))
    assert {s for s, _ in seen} == {"r1", "r2"}
    assert all(("nurse" in p) == (s == "r1") for s, p in seen)  # each call its own respondent


def test_a_5xx_replica_fails_over_but_a_4xx_is_the_callers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    failing, fine = StubState(script=["500"]), StubState()
    with (
        running_stub(failing) as (url_a, _),
        running_stub(fine) as (url_b, _),
        two_stub_pool(tmp_path, url_a, url_b) as pool,
    ):
        pool.run(one_call_each(pool, [f"p{i:05d}" for i in range(10)]))
    assert len(fine.requests) == 20  # every call answered by the healthy one
    # The calls in flight there when it failed, 2 attempts each; after that (their
    # critic calls included) nothing more was sent to it.
    prompts = [r["prompt"] for r in failing.requests]  # sent as one string
    assert prompts and all(p.startswith("persona of") and prompts.count(p) == 2 for p in prompts)
    assert (
        sum("is down (gave up after 2 attempt(s): " in r.getMessage() for r in caplog.records) == 1
    )
    caplog.clear()
    refusing = StubState(script=["400"])
    with (
        running_stub(refusing) as (url_a, _),
        running_stub(StubState(script=["400"])) as (url_b, other),
        two_stub_pool(tmp_path, url_a, url_b) as pool,
        pytest.raises(EndpointError, match="HTTP 400"),
    ):
        pool.run(one_call_each(pool, ["p00001"]))
    assert len(refusing.requests) + len(other.requests) == 1  # not retried, not moved
    assert not [r for r in caplog.records if "is down" in r.getMessage()]


def test_a_down_replica_takes_personas_again_after_the_wait(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import interviewer.replicas as replicas

    routes = ReplicaSet(URLS[:2], "m")
    keys = [k for k in KEYS if rendezvous_order(k, URLS[:2])[0] == 0][:3]
    monkeypatch.setattr(replicas, "PROBE_AFTER_S", 0.0)
    routes.failed(0, down(0))
    assert routes.choose(keys[0], set()) == 0  # the wait is over: tried again
    routes.answered(0)
    assert any("answers again" in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(replicas, "PROBE_AFTER_S", 30.0)
    routes.failed(0, down(0))
    assert [routes.choose(k, set()) for k in keys[1:]] == [1, 1]  # down again: moved


def test_a_pilot_estimate_runs_on_replicas(tmp_path: Path) -> None:
    from bench.harness import load_server_settings
    from bench.load_server import LoadConfig, serving
    from interviewer.estimate import Pace, pilot_estimate

    with serving(LoadConfig()) as a, serving(LoadConfig()) as b:
        settings = load_server_settings(
            [a.base_url, b.base_url],
            http_concurrency=4,
            interview={"questions": 1, "target_words": 100},
            cache_dir=str(tmp_path),
        )
        estimate = pilot_estimate(settings, 10, 2, "interview", Pace())
        served = (a.server.stats.requests, b.server.stats.requests)
    assert "2 made, 0 failed" in " ".join(estimate.notes)
    assert sum(served) > 0


def test_demographics_calls_carry_the_persona_id(tmp_path: Path) -> None:
    import math

    from interviewer.model import Completion, Request
    from interviewer.replicas import current_session
    from interviewer.survey.fill_demographics import fill_demographics
    from tests.fakes import MockModel
    from tests.test_survey_run import persona_run

    seen: set[str | None] = set()

    def answer(request: Request) -> Completion:
        seen.add(current_session())
        return Completion(text=" A", top_logprobs=({" A": math.log(0.7), " B": math.log(0.3)},))

    run = persona_run(tmp_path)
    asyncio.run(fill_demographics(run, MockModel([answer])))
    assert seen == {"p00000", "p00001"}

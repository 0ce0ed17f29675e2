"""``--workers N``: one run made by N orchestrator processes sharing one engine."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.api import make_personas
from interviewer.cache import DiskCache
from interviewer.contracts.persona import Manifest, Persona
from interviewer.errors import UserInputError
from interviewer.interview.runner import RunPlan, parse_shard
from interviewer.interview.workers import share, worker_jobs
from interviewer.settings import Settings, load_settings
from interviewer.simulated.server import SimulatedServer
from interviewer.usage import Budget, RoleUsage, merge, read_usage, usage_files
from tests.test_reliability import interview_argv

N = 12
IDS = [f"p{i:05d}" for i in range(N)]


def personas(out: Path) -> list[Persona]:
    return [Persona.model_validate_json(p.read_bytes()) for p in sorted(out.glob("p*.json"))]


def load_settings_for(url: str, concurrency: int = 8) -> Settings:
    return load_server_settings(
        url, http_concurrency=concurrency, interview={"questions": 3, "target_words": 300}
    )


# ----------------------------------------------------------------- splitting the run


def test_worker_shards_partition_the_run_and_a_shard_of_it() -> None:
    settings = load_settings_for("http://127.0.0.1:1/v1")
    whole = RunPlan(out=Path("."), n=50, concurrency=8)
    jobs = worker_jobs(whole, settings, {}, 3, 300, Budget())
    ids = [pid for job in jobs for _, pid in job.plan.persona_ids()]
    assert sorted(ids) == [pid for _, pid in whole.persona_ids()]  # each once
    assert [job.plan.shard for job in jobs] == [(0, 3), (1, 3), (2, 3)]
    # --shard 1/4 --workers 3: the workers split shard 1/4, nothing outside it.
    shard = RunPlan(out=Path("."), n=50, concurrency=8, shard=parse_shard("1/4"))
    jobs = worker_jobs(shard, settings, {}, 3, 300, Budget())
    ids = [pid for job in jobs for _, pid in job.plan.persona_ids()]
    assert sorted(ids) == [pid for _, pid in shard.persona_ids()]
    assert [job.plan.shard for job in jobs] == [(1, 12), (5, 12), (9, 12)]


def test_what_may_be_in_flight_is_split_not_multiplied() -> None:
    settings = load_settings_for("http://127.0.0.1:1/v1", concurrency=10)
    settings.persona.rpm = 7
    plan = RunPlan(out=Path("."), n=50, concurrency=5)
    jobs = worker_jobs(plan, settings, {}, 3, 300, Budget(max_usd=3.0, max_tokens=1000))
    assert [j.plan.concurrency for j in jobs] == [2, 2, 1]
    assert [j.settings.persona.concurrency for j in jobs] == [4, 3, 3]
    assert [j.settings.persona.rpm for j in jobs] == [3, 2, 2]
    assert all(j.settings.critic.rpm is None for j in jobs)
    assert {(j.budget.max_usd, j.budget.max_tokens) for j in jobs} == {(1.0, 333)}
    assert settings.persona.concurrency == 10  # the caller's settings are not touched
    assert sum(share(10, i, 4) for i in range(4)) == 10


def test_a_split_that_leaves_a_worker_nothing_is_refused_in_one_line() -> None:
    settings = load_settings_for("http://127.0.0.1:1/v1")
    with pytest.raises(UserInputError, match=r"--workers 3: more workers .*--concurrency 2"):
        worker_jobs(RunPlan(out=Path("."), n=9, concurrency=2), settings, {}, 3, 300, Budget())
    settings.critic.rpm = 2
    with pytest.raises(UserInputError, match=r"critic\.rpm is 2"):
        worker_jobs(RunPlan(out=Path("."), n=9, concurrency=8), settings, {}, 3, 300, Budget())


def test_cli_refuses_more_workers_than_interviews_before_starting_models(
    tmp_path: Path,
) -> None:
    argv = [sys.executable, "-m", "interviewer", "interview", "--n", "4", "--out"]
    argv += [str(tmp_path / "run"), "--concurrency", "2", "--workers", "3"]
    argv += ["--backend", "vllm", "--base-url", "http://127.0.0.1:9/v1"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "interviewer: error: --workers 3: more workers than interviews in flight "
        "(--concurrency 2); each worker needs at least one"
    ]


# ------------------------------------------------------------------ one run, N processes


@pytest.mark.slow
def test_two_workers_make_the_same_personas_as_one_process(tmp_path: Path) -> None:
    with serving(LoadConfig(latency_s=0.02, concurrency=8)) as server:
        settings = load_settings_for(server.base_url)
        one = make_personas(tmp_path / "one", N, settings=settings, concurrency=4, progress=False)
        two = make_personas(
            tmp_path / "two", N, settings=settings, concurrency=4, progress=False, workers=2
        )
        requests = server.server.stats.requests
    assert two.summary is not None and one.summary is not None
    assert (two.summary.total, two.summary.done, two.summary.failed) == (N, N, 0)
    assert two.summary.tokens == one.summary.tokens
    made = personas(tmp_path / "two")
    assert [p.id for p in made] == IDS  # every id once, each file valid
    # The same seeds give the same interviews, whichever process made them.
    assert [p.transcript for p in made] == [p.transcript for p in personas(tmp_path / "one")]
    # The manifest reads as a one-process run's; usage sums to what the personas made.
    manifest = Manifest.model_validate_json((tmp_path / "two" / "manifest.json").read_bytes())
    assert (manifest.shard, manifest.status) == (None, {"total": N, "done": N, "failed": 0})
    assert sorted(p.name for p in usage_files(tmp_path / "two")) == [
        "shard-0of2.usage.json",
        "shard-1of2.usage.json",
    ]
    assert _usage(tmp_path / "two") == _usage(tmp_path / "one")
    calls = sum(c.calls for p in made for c in p.stats.calls.values())
    assert sum(e.calls for e in _usage(tmp_path / "two")) == calls
    assert requests == 2 * calls  # no cache in these settings: both runs asked the server


def _usage(run: Path) -> list[RoleUsage]:
    """What ``interviewer usage`` sums: every usage file of the run, per role and model."""
    return sorted(merge(e for f in usage_files(run) for e in read_usage(f)), key=lambda e: e.role)


@pytest.mark.slow
def test_workers_attach_to_the_one_engine_the_parent_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    servers: list[SimulatedServer] = []
    start = SimulatedServer.start

    def counted(self: SimulatedServer) -> str:
        servers.append(self)
        return start(self)

    monkeypatch.setattr(SimulatedServer, "start", counted)
    simulated = {"backend": "simulated"}
    settings = load_settings(
        overrides={
            **{role: simulated for role in ("interviewer", "persona", "critic")},
            "cache": False,
            "interview": {"questions": 2},
        }
    )
    run = make_personas(tmp_path / "run", 6, settings=settings, progress=False, workers=2)
    assert len(run) == 6
    assert len(servers) == 1  # the parent started one engine...
    calls = sum(c.calls for p in run for c in p.stats.calls.values())
    # ...and every call of both workers went to it (a worker's own server would leave
    # this one short of the calls the personas record).
    assert sum(servers[0].log.calls.values()) == calls


@pytest.mark.slow
def test_progress_counts_every_worker(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    screen = StringIO()
    with serving(LoadConfig(latency_s=0.02, concurrency=8)) as server:
        settings = load_settings_for(server.base_url)
        make_personas(
            tmp_path / "run",
            N,
            settings=settings,
            concurrency=4,
            workers=3,
            console=Console(file=screen, width=100),
        )
    assert f"{N}/{N}" in screen.getvalue()  # one display, all three workers' personas


def _interview_argv(out: Path, url: str, cache: Path, *extra: str) -> list[str]:
    """The reliability tests' command (12 personas, 3 in flight), on two workers."""
    return interview_argv(out, url, cache, "--workers", "2", *extra)


def _workers_of(parent: int, count: int) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        path = Path(f"/proc/{parent}/task/{parent}/children")
        children = [int(pid) for pid in path.read_text().split()]
        if len(children) >= count:
            return children
        time.sleep(0.05)
    raise AssertionError("the workers did not start")


def _wait_for_files(out: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(list(out.glob("p*.json"))) < count:
        assert time.monotonic() < deadline, "the run stalled"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("checkpoints", ["replay", "steps"])
def test_a_killed_worker_is_one_line_the_other_finishes_and_resume_completes(
    tmp_path: Path, checkpoints: str
) -> None:
    out, cache = tmp_path / "run", tmp_path / "cache"
    mode = ("--set", f"interview.checkpoints={checkpoints}")  # steps: one SQLite, 2 writers
    with serving(LoadConfig(latency_s=0.05, concurrency=8)) as server:
        proc = subprocess.Popen(
            _interview_argv(out, server.base_url, cache, *mode),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        first, _second = _workers_of(proc.pid, 2)
        _wait_for_files(out, 2)
        os.kill(first, signal.SIGKILL)
        _, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 1
        assert (
            stderr.strip()
            .splitlines()[-1]
            .startswith("interviewer: error: worker 1 of 2 stopped (killed by signal 9); the ")
        )
        kept = {p.id for p in personas(out)}
        assert {f"p{i:05d}" for i in range(1, N, 2)} <= kept  # worker 2 made all of its own
        assert len(kept) < N
        final = subprocess.run(
            _interview_argv(out, server.base_url, cache, *mode, "--resume"),
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert final.returncode == 0, final.stderr
    assert [p.id for p in personas(out)] == IDS
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
@pytest.mark.parametrize(
    "how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["KILL", "TERM", "INT"]
)
def test_the_workers_stop_when_their_parent_is_stopped(tmp_path: Path, how: int) -> None:
    out, cache = tmp_path / "run", tmp_path / "cache"
    # A call takes 1 s, so a worker that only noticed at its next report (a write to the
    # dead parent's pipe) would live on for seconds: they must stop at once.
    with serving(LoadConfig(latency_s=1.0, concurrency=8)) as server:
        proc = subprocess.Popen(
            _interview_argv(out, server.base_url, cache),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        children = _workers_of(proc.pid, 2)
        deadline = time.monotonic() + 60
        while server.server.stats.requests < 2:  # both workers are interviewing
            assert time.monotonic() < deadline, "the workers made no calls"
            time.sleep(0.05)
        os.kill(proc.pid, how)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 4
        while any(Path(f"/proc/{pid}").exists() and not _zombie(pid) for pid in children):
            assert time.monotonic() < deadline, "a worker outlived its parent"
            time.sleep(0.05)
    assert len(list(out.glob("p*.json"))) < N


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# --------------------------------------------------------- the response cache, shared


def _hammer(path: str, worker: int, start_at: float) -> None:
    while time.time() < start_at:  # every process opens the fresh file at once
        pass
    cache = DiskCache(Path(path))
    for i in range(200):
        cache.put(f"{worker}-{i}", {"i": i})
        cache.get(f"{(worker + 1) % 6}-{i}")  # reads while the others write
    cache.close()


def test_response_cache_is_safe_for_workers_opening_it_at_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"  # not created beforehand: the WAL switch races too
    start_at = time.time() + 1.5
    spawn = multiprocessing.get_context("spawn")
    procs = [spawn.Process(target=_hammer, args=(str(path), w, start_at)) for w in range(6)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0] * 6
    cache = DiskCache(path)
    assert len(cache) == 6 * 200
    assert cache.get("5-199") == {"i": 199}
    (mode,) = cache._db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


@pytest.mark.slow
def test_a_budget_is_shared_and_reaching_it_stops_the_run_resumably(tmp_path: Path) -> None:
    from interviewer.usage import BudgetReached

    with serving(LoadConfig(latency_s=0.01, concurrency=8)) as server:
        settings = load_settings_for(server.base_url)
        with pytest.raises(BudgetReached, match="--max-tokens 10,000"):
            make_personas(
                tmp_path / "run",
                N,
                settings=settings,
                concurrency=4,
                progress=False,
                workers=2,
                budget=Budget(max_tokens=20_000),  # 10,000 a worker
            )
    spent = sum(e.tokens for e in _usage(tmp_path / "run"))
    # Each worker stops at its half, give or take the calls in flight when it got there.
    assert 20_000 <= spent < 20_000 + 4 * 2_000
    assert len(personas(tmp_path / "run")) < N

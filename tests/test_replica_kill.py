"""One of three load-server replicas killed mid-run: every persona completes once,
valid, and the user sees one line about it."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from bench.harness import load_server_processes, load_server_settings, server_stats
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.pool import ModelPool
from tests.test_reliability import valid_personas

ROLES = ("interviewer", "persona", "critic")
N = 30


def kill_after(out: Path, files: int, url: str, pid: int, seen: dict[str, object]) -> None:
    """SIGKILL the server once ``out`` holds ``files`` personas; note what it served
    and which personas were done by then."""
    deadline = time.monotonic() + 120
    while len(list(out.glob("p*.json"))) < files and time.monotonic() < deadline:
        time.sleep(0.02)
    seen["served"] = int(server_stats(url)["requests"])
    seen["done"] = {path.stem for path in out.glob("p*.json")}
    os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_one_of_three_replicas_killed_mid_run_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="interviewer.replicas")
    with load_server_processes(3, "--latency", "0.05", "--concurrency", "8") as servers:
        urls = [url for url, _ in servers]
        settings = load_server_settings(
            urls,
            http_concurrency=8,
            interview={"questions": 3, "target_words": 300},
            retry={"attempts": 3, "initial_wait_s": 0.01, "max_wait_s": 0.05},
        )
        victim_url, victim = servers[1]
        seen: dict[str, object] = {}
        killer = threading.Thread(
            target=kill_after, args=(tmp_path, 6, victim_url, victim.pid, seen)
        )
        with ModelPool(settings, roles=ROLES) as pool:
            ctx = InterviewContext.from_pool(pool, settings, 300)
            killer.start()
            summary = pool.run(run_interviews(RunPlan(out=tmp_path, n=N, concurrency=12), ctx, {}))
            killer.join()
            routes = pool.model("persona").routes  # type: ignore[attr-defined]
        assert victim.wait(timeout=10) == -signal.SIGKILL
    assert int(str(seen["served"])) > 0  # it had answered calls before it died
    done_before = seen["done"]
    assert isinstance(done_before, set) and len(done_before) < N  # killed mid-run
    assert (summary.done, summary.failed) == (N, 0)
    personas = valid_personas(tmp_path)
    assert [p.id for p in personas] == [f"p{i:05d}" for i in range(N)]  # each once
    assert all(len([t for t in p.transcript if t.kind == "question"]) == 3 for p in personas)
    assert not (tmp_path / "failed").exists() or not list((tmp_path / "failed").iterdir())
    # Only personas finished before the kill are still pinned to it: the rest moved.
    on_victim = {k for k, i in routes.pins.items() if routes.urls[i] == victim_url}
    assert on_victim <= done_before
    lines = [r.getMessage() for r in caplog.records if "is down" in r.getMessage()]
    assert len(lines) == 1 and victim_url in lines[0], lines

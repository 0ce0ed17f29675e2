"""What the load benchmarks share: a load server in its own process (so the
orchestrator's CPU time is measured alone) and settings that point every role at it."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from interviewer.settings import ROLES, Settings

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def load_server_process(*args: str) -> Iterator[str]:
    """``python -m bench.load_server ARGS`` until the block ends; yields its base URL."""
    with load_server_processes(1, *args) as servers:
        yield servers[0][0]


@contextmanager
def load_server_processes(
    count: int, *args: str
) -> Iterator[list[tuple[str, subprocess.Popen[str]]]]:
    """``count`` load servers, each its own process (a replica that can be killed);
    yields (base URL, process) for each."""
    started: list[tuple[str, subprocess.Popen[str]]] = []
    try:
        for _ in range(count):
            started.append(_start_load_server(args))
        yield started
    finally:
        for _, proc in started:
            proc.terminate()
        for _, proc in started:
            proc.wait(timeout=30)


def _start_load_server(args: tuple[str, ...]) -> tuple[str, subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.load_server", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        proc.wait()
        raise RuntimeError(f"load server did not start: {line!r}")
    return line.split()[1], proc


def server_stats(base_url: str) -> dict[str, Any]:
    url = base_url.removesuffix("/v1") + "/stats"
    with urllib.request.urlopen(url, timeout=10) as reply:
        stats: dict[str, Any] = json.loads(reply.read())
    return stats


def load_server_settings(
    base_url: str | list[str], http_concurrency: int, **sections: Any
) -> Settings:
    """Every role on the load server (one endpoint, one limiter; a list: replicas, one
    limiter each), no response cache."""
    role = {"backend": "vllm", "base_url": base_url, "concurrency": http_concurrency}
    roles: dict[str, Any] = {name: dict(role) for name in ROLES}
    return Settings.model_validate({**roles, "cache": False, **sections})


class CpuClock:
    """Wall and CPU time of a block: this process's, plus that of the child processes
    that ended in it (``--workers``), less ``minus_s`` (what they spent before the block:
    importing); the load server, still running, is not counted."""

    def __init__(self, minus_s: float = 0.0) -> None:
        self.minus_s = minus_s

    def __enter__(self) -> CpuClock:
        self._wall, self._cpu = time.perf_counter(), _cpu_s()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = _cpu_s() - self._cpu - self.minus_s


def _cpu_s() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime

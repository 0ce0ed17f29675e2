"""``langgraph dev`` serves both graphs of langgraph.json; driven here over its HTTP API.

The models are the loopback load server's (bench/load_server.py), named to the server
through the same ``INTERVIEWER_*`` variables a user would set.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.load_server import LoadConfig, serving
from interviewer.settings import ROLES

ROOT = Path(__file__).parents[1]
LANGGRAPH = Path(sys.executable).with_name("langgraph")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(url: str, body: dict[str, Any] | None = None, timeout: float = 10) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST" if data else "GET",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


@contextmanager
def langgraph_dev(models_url: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
        "INTERVIEWER_CACHE_DIR": str(tmp_path / "cache"),
        "INTERVIEWER_INTERVIEW__QUESTIONS": "2",
        "INTERVIEWER_INTERVIEW__TARGET_WORDS": "100",
    }
    for role in ROLES:
        env[f"INTERVIEWER_{role.upper()}__BACKEND"] = "vllm"
        env[f"INTERVIEWER_{role.upper()}__BASE_URL"] = models_url
    # langgraph-cli[inmem] is a test extra: without it this fails rather than skips.
    command = [str(LANGGRAPH) if LANGGRAPH.exists() else "langgraph", "dev"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-browser", "--no-reload"]
    # The response cache (sqlite) and the run files are written synchronously, by design
    # (cache read ~6 µs, write ~34 µs); langgraph dev refuses any blocking call unless told.
    command += ["--allow-blocking"]

    log = (tmp_path / "langgraph-dev.log").open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _call(f"{base}/ok", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp_path / "langgraph-dev.log").read_text()[-3000:]
                    raise AssertionError(log_text) from None
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _run(base: str, graph: str, payload: dict[str, Any]) -> Any:
    thread = _call(f"{base}/threads", {})
    return _call(
        f"{base}/threads/{thread['thread_id']}/runs/wait",
        {"assistant_id": graph, "input": payload},
        timeout=240,
    )


TINY_SUITE = {
    "id": "tiny",
    "questionnaire": "humans/cces2018.yaml",
    "questions": ["economy", "trump_approval"],
    "humans": "humans/cces2018.csv",
    "sample": 4,
    "methods": [
        {"label": "anthology", "kind": "anthology", "n": 2},
        {"label": "qa", "kind": "qa"},
    ],
    "match": {"method": "greedy"},
    "splits": 4,
    "bootstrap": 0,
}


@pytest.mark.timeout(420)
def test_langgraph_dev_serves_and_runs_both_graphs(tmp_path: Path) -> None:
    with serving(LoadConfig()) as models, langgraph_dev(models.base_url, tmp_path) as base:
        graphs = {a["graph_id"] for a in _call(f"{base}/assistants/search", {"limit": 10})}
        assert {"interview", "study"} <= graphs
        interview = _run(base, "interview", {"persona_id": "p1", "seed": 3})
        assert interview["persona_id"] == "p1"
        assert sum(t["role"] == "persona" for t in interview["transcript"]) >= 2
        out = tmp_path / "study"
        study = _run(base, "study", {"suite": TINY_SUITE, "out": str(out)})
        assert set(study["responses"]) == {"anthology", "qa"}
        assert study["runs"]["anthology"]["done"] == 2
        assert set(study["scores"]) == {"anthology", "qa"}
        report = json.loads((out / "report" / "report.json").read_text())
        assert [m["label"] for m in report["methods"]] == ["anthology", "qa"]

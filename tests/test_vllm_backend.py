"""The vllm backend's own code path, with the stub standing in for ``vllm serve``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from interviewer.backends.vllm import VLLMBackend
from interviewer.errors import BackendStartError, SettingsError, UserInputError
from interviewer.pool import ModelPool
from interviewer.settings import VLLMSettings, load_settings
from tests.stub_server import running_stub

STUB = [sys.executable, str(Path(__file__).with_name("stub_server.py"))]


def test_starts_serves_and_stops(tmp_path: Path) -> None:
    argv_file = tmp_path / "argv.json"
    settings = VLLMSettings(
        command=STUB, extra_args=["--argv-file", str(argv_file)], startup_timeout_s=30
    )
    backend = VLLMBackend("/models/llama-base", None, settings, tmp_path / "logs")
    with backend as endpoint:
        argv = json.loads(argv_file.read_text())
        proc = backend._procs[0]
        assert proc is not None and proc.poll() is None
        assert argv[0] == "/models/llama-base"
        assert "--enable-prefix-caching" in argv
        assert endpoint.base_url.startswith("http://127.0.0.1:")
        assert endpoint.structured == "structured_outputs"
        assert endpoint.identity == "vllm:/models/llama-base"
    assert proc.poll() is not None  # stopped at exit


def test_a_pool_completes_through_a_started_server(tmp_path: Path) -> None:

    settings = load_settings(
        overrides={
            "cache": False,
            "cache_dir": str(tmp_path),
            "vllm": {"command": STUB, "startup_timeout_s": 30},
            "persona": {"backend": "vllm", "model": "m"},
            "critic": {"backend": "vllm", "model": "m"},
        }
    )
    with ModelPool(settings, roles=("persona", "critic")) as pool:
        assert len(pool.groups()) == 1  # one server shared by both roles
        model = pool.model("persona")
        completion = pool.run(model.complete(model.request("hi")))
    assert completion.text == " A"


def test_process_that_dies_is_reported_with_its_output(tmp_path: Path) -> None:
    settings = VLLMSettings(command=STUB, extra_args=["--fail"], startup_timeout_s=30)
    with pytest.raises(BackendStartError, match=r"exited with status 3.*refusing to start"):
        VLLMBackend("m", None, settings, tmp_path).start()


def test_missing_executable_is_a_user_error(tmp_path: Path) -> None:
    settings = VLLMSettings(command=["/nonexistent/vllm", "serve"])
    with pytest.raises(UserInputError, match="not found"):
        VLLMBackend("m", None, settings, tmp_path).start()


def test_needs_a_model(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"persona\.model"):
        VLLMBackend(None, None, VLLMSettings(), tmp_path).start()


def test_attaches_and_discovers_the_model(tmp_path: Path) -> None:
    with running_stub() as (url, _):
        endpoint = VLLMBackend(None, url, VLLMSettings(), tmp_path).start()
    assert endpoint.model == "stub-model"
    assert endpoint.base_url == url

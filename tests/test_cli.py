"""The command line as a user runs it: a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.stub_server import running_stub

COMMANDS = [
    "backends",
    "demo",
    "interview",
    "validate",
    "survey",
    "demographics",
    "match",
    "inspect",
    "show",
    "export",
]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_help_everywhere(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_version_prints_and_exits_0() -> None:
    from interviewer.version import __version__

    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"interviewer {__version__}"


def test_unknown_option_exits_2() -> None:
    result = run_cli("backends", "--no-such-flag")
    assert result.returncode == 2


def test_unreachable_base_url_exits_2_fast_with_one_line() -> None:
    started = time.monotonic()
    result = run_cli("backends", "--base-url", "http://127.0.0.1:9/v1")
    assert time.monotonic() - started < 10
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr


def test_backends_against_an_attached_server() -> None:
    with running_stub() as (url, state):
        result = run_cli("backends", "--base-url", url)
    assert result.returncode == 0, result.stderr
    assert "stub-model" in result.stdout
    assert state.requests[0]["logprobs"] == 5


def test_help_loads_none_of_the_heavy_modules() -> None:
    # Typer resolves every command's option types on each call: a choice typed with a
    # Literal from a heavy module would load it for every command.
    code = (
        "import sys; from interviewer.cli import main; main(['survey', '--help']); "
        "heavy = ('numpy', 'scipy', 'langchain_core', 'langgraph', 'textual'); "
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]", result.stderr

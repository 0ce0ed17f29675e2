"""What a run shows while it works, and what the probe leaves behind: nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from interviewer import progress
from interviewer.cli import given_settings
from interviewer.cli import interview as interview_cli
from interviewer.interview.runner import RunSummary
from interviewer.probe import probe_pool
from interviewer.progress import RunProgress
from tests.stub_server import StubState, running_stub


def test_probe_leaves_the_callers_settings_alone() -> None:
    with running_stub(StubState()) as (url, _):
        settings = given_settings(base_url=url).build()
        before = settings.model_dump()
        probe_pool(settings)
    assert settings.model_dump() == before
    assert settings.persona.timeout_s == 300.0 and settings.cache is True


def test_the_start_spinner_stops_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    class Status:
        def __enter__(self) -> Status:
            events.append("spinner on")
            return self

        def __exit__(self, *exc: object) -> None:
            events.append("spinner off")

        def stop(self) -> None:
            events.append("some other spinner off")

    class FakeConsole(Console):
        def status(self, text: str) -> Status:  # type: ignore[override]
            return Status()

    class Pool:
        roles = ()

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def __enter__(self) -> Pool:
            return self

        async def aclose(self) -> None:
            pass

        def close(self) -> None:
            events.append("models stopped")

    async def run(*args: object) -> RunSummary:
        events.append("run")
        return RunSummary(1, 0, 1, 0, 1.0, 10)

    monkeypatch.setattr("interviewer.pool.ModelPool", Pool)  # imported when the command runs
    monkeypatch.setattr("interviewer.interview.runner.run_interviews", run)
    monkeypatch.setattr(
        "interviewer.interview.context.InterviewContext.from_pool", lambda *a: object()
    )
    interview_cli.run_interview_command(
        given_settings().build(),
        FakeConsole(file=io.StringIO()),
        n=1,
        out=tmp_path / "o",
        method="interview",
        resume=False,
        concurrency=None,
        shard=None,
        seed_texts=None,
    )
    assert events == ["spinner on", "spinner off", "run", "models stopped"]


@pytest.mark.parametrize(
    ("seconds", "count", "unit", "shown"),
    [(10.0, 1, "answers", "10.0 s/answer"), (2.0, 100, "answers", "50 answers/s"),
     (4.0, 2, "tok", "2.0 s/tok"), (3.0, 1, "traits", "3.0 s/trait")],
)  # fmt: skip
def test_slow_rates_show_seconds_per_item(
    seconds: float, count: int, unit: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr(progress.time, "perf_counter", lambda: now[0])
    out = io.StringIO()
    with RunProgress("x", Console(file=out, width=200), unit=unit) as bar:
        bar.start(5, 0)
        now[0] += seconds
        bar.result("a", True, count)
    assert shown in out.getvalue(), out.getvalue()
    assert " 0 " + unit not in out.getvalue()

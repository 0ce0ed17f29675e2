"""The Python API (``interviewer.api``) on the loopback load server: the async forms
inside a running event loop (a notebook's situation), the plain forms both outside one
and inside one, and the objects over the file contracts."""

from __future__ import annotations

import asyncio
import csv
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import interviewer
from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.api import Report, Responses, Run
from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.errors import InterviewerError, UserInputError
from interviewer.paths import resource_dir
from interviewer.settings import Settings

HUMANS = resource_dir("evals") / "humans" / "cces2018.csv"
SMALL = {"interview": {"questions": 2, "target_words": 100}}


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serving(LoadConfig()) as server:
        yield server.base_url


@pytest.fixture
def settings(server_url: str) -> Settings:
    return load_server_settings(server_url, 8, **SMALL)


def two_items() -> Questionnaire:
    full = load_questionnaire(resource_dir("evals") / "humans" / "cces2018.yaml")
    return full.model_copy(update={"questions": full.questions[:2]})


def few_humans(tmp_path: Path, rows: int = 8) -> Path:
    with HUMANS.open(encoding="utf-8") as handle:
        lines = handle.readlines()[: rows + 1]
    path = tmp_path / "humans.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


async def test_the_async_api_runs_inside_a_running_loop(tmp_path: Path, settings: Settings) -> None:
    asyncio.get_running_loop()  # as in a Jupyter cell
    opts: dict[str, Any] = {"settings": settings, "progress": False}
    run = await interviewer.amake_personas(tmp_path / "run", 2, **opts)
    assert isinstance(run, Run) and len(run) == 2 and run.summary is not None
    assert run.manifest is not None and run.manifest.n == 2
    run = await interviewer.afill_demographics(run, **opts)
    assert all(p.demographics for p in run)
    q = two_items()
    responses = await interviewer.arun_survey(q, tmp_path / "r.jsonl", run=run, **opts)
    assert isinstance(responses, Responses)
    assert len(responses) == len(read_responses(tmp_path / "r.jsonl")) == 2 * 2
    humans = few_humans(tmp_path)
    matches = await interviewer.amatch(run, humans, tmp_path / "m.csv", method="greedy")
    report = await interviewer.aevaluate(
        {"interview": responses},
        q,
        tmp_path / "report",
        humans=humans,
        matches={"interview": matches},
        personas=[run],
        splits=4,
        bootstrap=0,
    )
    assert isinstance(report, Report) and report.result is not None
    assert [m["label"] for m in report.body["methods"]] == ["interview"]
    assert report.html.is_file()


async def test_the_plain_api_works_inside_a_running_loop(
    tmp_path: Path, settings: Settings
) -> None:
    # asyncio.run() here would raise "cannot be called from a running event loop".
    run = interviewer.make_personas(
        tmp_path / "run", 1, method="anthology", settings=settings, progress=False
    )
    assert [p.method for p in run] == ["anthology"]
    responses = interviewer.run_survey(
        two_items(),
        tmp_path / "qa.jsonl",
        conditioning="qa",
        humans=few_humans(tmp_path, 3),
        settings=settings,
        progress=False,
    )
    assert {r.persona_id for r in responses.records} == {
        row["respondent_id"] for row in csv.DictReader(few_humans(tmp_path, 3).open())
    }


def test_the_plain_api_works_without_a_loop(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    run = interviewer.make_personas(tmp_path / "run", 1, settings=settings, progress=False)
    again = interviewer.open_run(run.path)
    assert [p.id for p in again] == [p.id for p in run] == ["p00000"]
    assert again["p00000"].transcript == run["p00000"].transcript


def test_settings_layers_as_the_commands_do(tmp_path: Path) -> None:
    given = Settings.model_validate({"interview": {"questions": 3}})
    merged = interviewer.settings_from(
        given,
        {"interview.target_words": 123},
        base={"interview": {"questions": 9, "critic": False}},
    )
    # a suite's block < the settings object's explicit fields < overrides
    assert merged.interview.questions == 3
    assert merged.interview.critic is False
    assert merged.interview.target_words == 123
    path = tmp_path / "s.yaml"
    path.write_text("interview: {questions: 4}\n")
    assert interviewer.settings_from(path).interview.questions == 4


def test_open_errors_are_one_line_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="not a directory"):
        interviewer.open_run(tmp_path / "missing")
    with pytest.raises(UserInputError, match=r"no report\.json"):
        interviewer.open_report(tmp_path)
    (tmp_path / "bad.jsonl").write_text('{"persona_id": "a"}\n')
    with pytest.raises(UserInputError, match="line 1"):
        interviewer.open_responses(tmp_path / "bad.jsonl")


def test_import_interviewer_stays_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, interviewer; print('langgraph' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]


def test_failed_personas_raise_and_resume_finishes_them(tmp_path: Path) -> None:
    retry = {"attempts": 1, "initial_wait_s": 0}
    with serving(LoadConfig(faults={"500": 1.0})) as broken:
        settings = load_server_settings(broken.base_url, 4, retry=retry, **SMALL)
        with pytest.raises(InterviewerError, match="2 persona"):
            interviewer.make_personas(tmp_path / "run", 2, settings=settings, progress=False)
    assert len(list((tmp_path / "run" / "failed").iterdir())) == 2
    with serving(LoadConfig()) as server:
        settings = load_server_settings(server.base_url, 4, **SMALL)
        run = interviewer.make_personas(
            tmp_path / "run", 2, settings=settings, resume=True, progress=False
        )
    assert run.summary is not None and run.summary.done == 2 and len(run) == 2


def test_the_package_re_exports_exactly_the_api() -> None:
    import interviewer.api as api

    assert set(interviewer.__all__) - {"__version__"} == set(api.__all__)
    for name in api.__all__:
        assert getattr(interviewer, name) is getattr(api, name)
    with pytest.raises(AttributeError):
        _ = interviewer.no_such_name


def test_a_run_cancelled_while_its_models_start_stops_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl-C cancels the run while a worker thread starts the servers; the thread
    # cannot be stopped, so what it started must be stopped when it is done.
    from interviewer import api

    events: list[str] = []
    starting = threading.Event()

    class Pool:
        roles = ()

        def __init__(self, *args: object) -> None:
            pass

        def __enter__(self) -> Pool:
            starting.set()
            time.sleep(0.3)
            events.append("started")
            return self

        def close(self) -> None:
            events.append("stopped")

    monkeypatch.setattr("interviewer.pool.ModelPool", Pool)

    async def main() -> None:
        async def use() -> None:
            async with api._models(api.settings_from(), ()):
                events.append("used")

        task = asyncio.ensure_future(use())
        await asyncio.to_thread(starting.wait)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())  # returns once the worker thread has ended
    assert events == ["started", "stopped"]


def test_a_settings_object_edited_after_it_was_built_keeps_its_edits() -> None:
    """A notebook edits settings in place; none of it may be dropped silently."""
    from interviewer.api import settings_from

    settings = settings_from()
    settings.interview.target_words = 150
    settings.persona.temperature = 0.8
    merged = settings_from(settings, {"interview.questions": 3})
    assert merged.interview.target_words == 150
    assert merged.persona.temperature == 0.8
    assert merged.interview.questions == 3

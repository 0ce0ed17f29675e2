"""--max-usd / --max-tokens: a clean stop at the budget, valid files, and a resume that
finishes the run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import typer

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.cli._errors import run_app
from interviewer.contracts.persona_files import load_persona, persona_files
from interviewer.contracts.responses import read_responses
from interviewer.errors import UserInputError
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.model import Completion, Request
from interviewer.settings import Price
from interviewer.study import run_suite
from interviewer.study.schema import MethodSpec
from interviewer.survey.runner import run_survey
from interviewer.usage import Budget, BudgetReached, limited, read_usage, usage_files
from tests.fakes import MockModel
from tests.interview_fakes import context, persona_from
from tests.test_cli import run_cli
from tests.test_study_graph import QUIET, tiny_suite
from tests.test_survey_run import always_a, respondents
from tests.test_survey_run import context as survey_context


async def test_a_token_budget_stops_an_interview_run_cleanly_and_resume_finishes(
    tmp_path: Path,
) -> None:
    ctx = context(persona_from(lambda n, r: "A long enough answer here."), questions=2)
    await run_interviews(RunPlan(out=tmp_path / "one", n=1), ctx, {})
    per_persona = sum(e.tokens for e in read_usage(tmp_path / "one" / "usage.json"))
    budget = int(per_persona * 2.5)  # two personas and a half
    out = tmp_path / "run"
    plan = RunPlan(out=out, n=6, concurrency=2)
    with (
        pytest.raises(BudgetReached, match=f"--max-tokens {budget:,}"),
        limited({}, Budget(max_tokens=budget), []),
    ):
        await run_interviews(plan, ctx, {})
    made = persona_files(out)
    assert 0 < len(made) < 6
    for path in made:
        load_persona(path)  # whole files only
    assert not (out / "failed").exists()  # a budget stop fails no persona
    stopped = sum(e.tokens for e in read_usage(out / "usage.json"))
    assert stopped >= budget
    summary = await run_interviews(RunPlan(out=out, n=6, concurrency=2, resume=True), ctx, {})
    assert summary.done_before + summary.done == 6 and summary.failed == 0
    assert sum(e.tokens for e in read_usage(out / "usage.json")) > stopped


async def test_a_dollar_budget_stops_a_survey_and_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"

    def counted(request: Request) -> Completion:
        return replace(always_a(request), prompt_tokens=1, completion_tokens=1)

    model = MockModel([counted], role="respondent")
    ctx = survey_context(model)
    prices = {"mock:v1": Price(input=1_000_000.0, output=1_000_000.0)}  # $1 a token: $2 a call
    with (
        pytest.raises(BudgetReached, match="--max-usd"),
        limited(prices, Budget(max_usd=3), ["mock:v1"]),
    ):
        await run_survey(respondents(), ctx, out, "backstory", concurrency=1)
    partial = read_responses(out) if out.exists() else []
    assert len(partial) < 5
    await run_survey(respondents(), ctx, out, "backstory", resume=True)
    assert len(read_responses(out)) == 5


def test_a_dollar_budget_needs_a_price_for_every_model() -> None:
    with (
        pytest.raises(UserInputError, match="has none for gpt-x"),
        limited({}, Budget(max_usd=1), ["gpt-x"]),
    ):
        pass


def test_the_cli_stops_at_the_budget_with_one_line_and_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    common = ["--n", "4", "--out", str(out), "--target-words", "100"]
    common += ["--set", "interview.questions=2", "--set", "cache=false"]
    with serving(LoadConfig()) as server:
        url = ["--base-url", server.base_url, "--backend", "vllm", "--model", "m"]
        stopped = run_cli("interview", *common, *url, "--max-tokens", "3000")
        assert stopped.returncode == 3, stopped.stderr
        lines = stopped.stderr.strip().splitlines()
        assert len(lines) == 1 and "budget reached: --max-tokens 3,000" in lines[0]
        assert "--resume continues it" in lines[0]
        assert len(persona_files(out)) < 4
        resumed = run_cli("interview", *common, *url, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert len(persona_files(out)) == 4


def test_a_suite_stops_at_its_budget_and_a_second_run_finishes(tmp_path: Path) -> None:
    suite = tiny_suite(
        methods=[
            MethodSpec(label="interview", kind="interview", n=3),
            MethodSpec(label="qa", kind="qa"),
        ]
    )
    with serving(LoadConfig()) as server:
        settings = load_server_settings(
            server.base_url, 8, interview={"questions": 2, "target_words": 100}
        )
        with pytest.raises(BudgetReached, match="--max-tokens 5,000"):
            run_suite(suite, settings, tmp_path, QUIET, Budget(max_tokens=5000))
        assert not (tmp_path / "report" / "report.json").exists()
        spent = sum(e.tokens for f in usage_files(tmp_path) for e in read_usage(f))
        assert spent >= 5000
        result = run_suite(suite, settings, tmp_path, QUIET)
    assert result.runs["interview"].done + result.runs["interview"].done_before == 3
    assert (tmp_path / "report" / "report.json").exists()
    assert sum(e.tokens for f in usage_files(tmp_path) for e in read_usage(f)) > spent


@pytest.mark.parametrize(
    ("command", "hint"),
    [("survey", "--resume continues it"), ("eval", "run the command again to continue")],
)
def test_a_budget_stop_is_one_line_and_exit_3(
    command: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    app = typer.Typer()

    @app.command(name=command)
    def stop() -> None:
        raise BudgetReached("budget reached: --max-usd 1 ($1.0003 spent)")

    @app.command(name="other")
    def other() -> None:  # two commands, so typer keeps the command name in argv
        pass

    assert run_app(app, [command]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("interviewer: budget reached: --max-usd 1") and hint in err

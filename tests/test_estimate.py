"""``interviewer estimate``: from the settings and from a pilot, against a real run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.estimate_accuracy import compare
from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.cli import app
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.estimate import BLOCK_CHARS, Assumptions, Pace, PrefixMeter, simulate_survey
from interviewer.pool import ModelPool, run_loop
from interviewer.survey.conditioning import from_persona
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey
from interviewer.usage import read_usage, responses_usage_path
from tests.test_survey_run import FIXTURES, SAMPLES


def test_a_20_persona_run_lands_within_15_percent_of_both_estimates() -> None:
    with serving(LoadConfig()) as server:
        figures = compare(server.base_url, 20, 3, {"target_words": 600})
    real = figures.pop("actual")
    assert real.calls > 0
    for name, estimate in figures.items():
        for field in ("calls", "prompt_tokens", "completion_tokens"):
            ratio = getattr(estimate, field) / getattr(real, field)
            assert 0.85 <= ratio <= 1.15, (name, field, ratio)


def test_the_prefix_meter_counts_only_unseen_blocks() -> None:
    meter = PrefixMeter()
    base = "x" * (BLOCK_CHARS * 3)
    assert meter.new_chars(base) == len(base)
    assert meter.new_chars(base + "tail") == 4  # the three blocks are cached
    assert meter.new_chars("y" + base) == len(base) + 1  # no shared prefix


def test_the_estimate_command_prices_the_roles(tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text(
        "interview: {questions: 2}\nprices:\n  gemma-3-270m: {input: 1.0, output: 2.0}\n"
    )
    result = CliRunner().invoke(app, ["estimate", "--n", "3", "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    persona = next(line for line in result.output.splitlines() if "│ persona" in line)
    assert "$" in persona
    assert "time ≈" in result.output


@pytest.mark.parametrize("flag", ["--followup-rate", "--flag-rate", "--answer-fill"])
def test_assumed_rates_must_be_shares(flag: str) -> None:
    result = CliRunner().invoke(app, ["estimate", flag, "1.5"])
    assert result.exit_code != 0


def test_a_survey_estimate_matches_the_survey_run(tmp_path: Path) -> None:
    respondents = [from_persona(p) for p in load_personas(SAMPLES)]
    questionnaire = load_questionnaire(FIXTURES / "trust.yaml")
    out = tmp_path / "r.jsonl"
    with serving(LoadConfig()) as server:
        settings = load_server_settings(server.base_url, http_concurrency=8)
        settings.survey.debias = "cyclic"  # K orders per question
        with ModelPool(settings, roles=("respondent",)) as pool:
            ctx = SurveyContext(
                model=pool.model("respondent"), questionnaire=questionnaire, debias="cyclic"
            )
            pool.run(run_survey(respondents, ctx, out, "backstory"))
    real = read_usage(responses_usage_path(out))
    estimate = run_loop(
        simulate_survey(settings, respondents, questionnaire, Pace(), Assumptions())
    )
    assert estimate.calls == sum(e.calls for e in real) > len(respondents)
    prompt = sum(e.prompt_tokens for e in real)
    assert abs(estimate.prompt_tokens / prompt - 1) < 0.02


def test_the_estimate_command_estimates_a_survey_of_given_personas() -> None:
    args = ["estimate", "-q", str(FIXTURES / "trust.yaml"), "--personas", str(SAMPLES)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "│ respondent" in result.output
    assert "│ persona" not in result.output  # the personas exist: no interviews


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--personas", str(SAMPLES)], "describe a survey"),
        (["-q", str(FIXTURES / "trust.yaml"), "--personas", str(SAMPLES), "--n", "5"], "--n"),
    ],
)
def test_flags_the_estimate_would_not_use_are_refused(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["estimate", *args])
    assert result.exit_code != 0
    assert message in str(result.exception) or message in result.output

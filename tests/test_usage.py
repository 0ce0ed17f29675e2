"""Token accounting: usage files of interviews, surveys and demographics; cost; the command."""

from __future__ import annotations

import asyncio
import json
import math
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cache import DiskCache
from interviewer.cli import app
from interviewer.contracts.persona_files import persona_files
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.model import Completion, ModelContext
from interviewer.openai_compat import completion_from_body
from interviewer.settings import Price, RoleSettings
from interviewer.survey.fill_demographics import fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey
from interviewer.usage import (
    Ledger,
    RoleUsage,
    cost,
    read_usage,
    recording,
    responses_usage_path,
    run_usage_path,
)
from tests.fakes import MockModel
from tests.interview_fakes import context, persona_from
from tests.test_survey_run import FIXTURES, SAMPLES, always_a, respondents


def by_role(path: Path) -> dict[str, RoleUsage]:
    return {e.role: e for e in read_usage(path)}


async def test_an_interview_run_records_usage_per_role_and_resume_adds(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: f"Answer {n} here."), questions=2)
    await run_interviews(RunPlan(out=tmp_path, n=2), ctx, {})
    first = by_role(tmp_path / "usage.json")
    assert first["persona"].calls == 4  # 2 personas x 2 questions
    assert first["critic"].calls == 6  # one per answer, one final pass per persona
    assert first["interviewer"].calls == 4  # a follow-up decision after each answer
    assert first["persona"].completion_tokens == 4 * 3  # MockModel: words of the reply
    assert first["persona"].model == "mock:v1"
    assert "usage.json" not in {p.name for p in persona_files(tmp_path)}
    await run_interviews(RunPlan(out=tmp_path, n=3, resume=True), ctx, {})
    assert by_role(tmp_path / "usage.json")["persona"].calls == 6  # the third added to it


async def test_cache_hits_count_as_cached_calls_and_send_nothing(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c.sqlite")
    model = MockModel(["hello there"], context=ModelContext(cache=cache))
    request = model.request("prompt words", temperature=0.0)
    ledger = Ledger()
    with recording(ledger):
        await model.complete(request)
        await model.complete(request)
    entry = ledger.entries[("persona", "mock:v1")]
    assert (entry.calls, entry.cached_calls) == (2, 1)
    assert (entry.prompt_tokens, entry.saved_prompt_tokens) == (2, 2)
    cache.close()


async def test_a_survey_records_usage_beside_its_responses(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    model = MockModel([always_a], role="respondent")
    ctx = SurveyContext(model=model, questionnaire=load_questionnaire(FIXTURES / "trust.yaml"))
    await run_survey(respondents(), ctx, out, "backstory")
    usage = by_role(responses_usage_path(out))
    assert usage["respondent"].calls == len(model.calls) > 0


async def test_demographics_record_usage_in_the_run_dir(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(SAMPLES, run)
    model = MockModel([always_a], role="respondent")
    await fill_demographics(run, model, samples=1)
    assert by_role(run_usage_path(run))["respondent"].calls == len(model.calls) > 0


async def test_an_interrupted_run_adds_what_it_spent_to_earlier_runs(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    await run_interviews(RunPlan(out=tmp_path, n=1), ctx, {})
    before = by_role(tmp_path / "usage.json")["persona"].calls
    plan = RunPlan(out=tmp_path, n=5, resume=True, concurrency=1)
    run: asyncio.Task[object] | None = None

    def stop_after_one(pid: str, ok: bool, tokens: int) -> None:
        assert run is not None
        run.cancel()  # what Ctrl-C does to the main task under asyncio.run

    run = asyncio.ensure_future(run_interviews(plan, ctx, {}, on_result=stop_after_one))
    with pytest.raises(asyncio.CancelledError):
        await run
    assert by_role(tmp_path / "usage.json")["persona"].calls == before + 1


def test_cost_uses_the_price_table_and_none_without_a_price() -> None:
    entry = RoleUsage(
        "persona", "m", prompt_tokens=1_000_000, cached_tokens=400_000, completion_tokens=500_000
    )
    price = Price(input=2.0, cached=0.5, output=8.0)
    assert math.isclose(cost(entry, {"m": price}) or 0, 0.6 * 2 + 0.4 * 0.5 + 0.5 * 8)
    no_cached_price = Price(input=2.0, output=8.0)
    assert math.isclose(cost(entry, {"m": no_cached_price}) or 0, 2.0 + 4.0)
    assert cost(entry, {"other": price}) is None


def test_endpoint_reported_cached_tokens_are_read() -> None:
    usage = {"prompt_tokens": 10, "completion_tokens": 2}
    details = {"prompt_tokens_details": {"cached_tokens": 8}}
    choice = {"text": "x", "finish_reason": "stop"}
    body = {"choices": [choice], "usage": {**usage, **details}}
    assert completion_from_body(body).cached_tokens == 8
    assert completion_from_body({"choices": [choice], "usage": usage}).cached_tokens == 0


def test_the_usage_command_prints_roles_and_na_for_unpriced(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "manifest.json").write_text("{}")
    rows = [
        RoleUsage("persona", "priced", calls=3, prompt_tokens=2_000_000, completion_tokens=10),
        RoleUsage("critic", "free-model", calls=2, cached_calls=1, prompt_tokens=5),
    ]
    body = {"version": 1, "usage": [r.__dict__ for r in rows]}
    (run / "usage.json").write_text(json.dumps(body))
    settings = tmp_path / "s.yaml"
    settings.write_text("prices:\n  priced: {input: 1.0, output: 2.0}\n")
    result = CliRunner().invoke(app, ["usage", str(run), "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    persona = next(line for line in lines if "persona" in line)
    critic = next(line for line in lines if "critic" in line)
    total = next(line for line in lines if "total" in line)
    assert "$2.0000" in persona
    assert "n/a" in critic and "$0" not in critic
    assert "n/a" in total  # a total over an unpriced model is not a number


def test_the_usage_command_sums_a_suite_dir(tmp_path: Path) -> None:
    entry = {"version": 1, "usage": [RoleUsage("respondent", "m", calls=2).__dict__]}
    for name in ("a/usage.json", "b/r.jsonl.usage.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(json.dumps(entry))
    result = CliRunner().invoke(app, ["usage", str(tmp_path)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "respondent" in line)
    assert " 4 " in row


def test_completion_default_reports_no_cached_tokens() -> None:
    assert Completion(text="x").cached_tokens == 0
    assert RoleSettings().rpm is None

"""Survey runs on scripted models: the JSONL contract, resume, demographics."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from interviewer.contracts.persona_files import load_persona
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.errors import UserInputError
from interviewer.model import Completion, Request
from interviewer.survey.conditioning import Respondent, from_persona, leaning_party
from interviewer.survey.fill_demographics import fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey
from tests.fakes import MockModel

FIXTURES = Path(__file__).with_name("fixtures")
SAMPLES = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m" / "interview"


def always_a(request: Request) -> Completion:
    return Completion(
        text=" A", top_logprobs=({" A": math.log(0.7), " B": math.log(0.2), " C": math.log(0.1)},)
    )


def respondents() -> list[Respondent]:
    return [
        Respondent("r1", "I am a nurse.", "Democrat"),
        Respondent("r2", "I am a farmer.", "Republican"),
        Respondent("r3", "I keep to myself.", None),
    ]


def context(model: MockModel, **kwargs: object) -> SurveyContext:
    return SurveyContext(
        model=model, questionnaire=load_questionnaire(FIXTURES / "trust.yaml"), **kwargs
    )  # type: ignore[arg-type]


async def test_lines_follow_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    model = MockModel([always_a])
    summary = await run_survey(respondents(), context(model), out, "backstory")
    lines = read_responses(out)
    # r3 has no party: only q_fair (no placeholder) is asked.
    assert sorted((r.persona_id, r.question_id) for r in lines) == [
        ("r1", "q_fair"),
        ("r1", "q_trust"),
        ("r2", "q_fair"),
        ("r2", "q_trust"),
        ("r3", "q_fair"),
    ]
    for line in lines:
        assert sum(line.probs) == pytest.approx(1.0, abs=1e-6)
        assert 0 <= line.answer < len(line.probs)
        assert line.conditioning == "backstory" and line.model == "mock:v1"
    assert summary.answered == 5
    # Placeholders were filled per respondent.
    prompts = [c.prompt for c in model.calls]
    assert any("How much do you trust Democrats?" in p for p in prompts)
    assert any("How much do you trust Republicans?" in p for p in prompts)


async def test_reversed_order_cancels_a_pure_position_bias(tmp_path: Path) -> None:
    # The model always puts .7 on A, .2 on B, .1 on C whatever the options say. For
    # q_fair (3 options) listed → (.7, .2, .1); reversed → options get (.1, .2, .7).
    # Mean: (.4, .2, .4): symmetric, as a bias-free reading should be.
    out = tmp_path / "r.jsonl"
    await run_survey(respondents()[:1], context(MockModel([always_a])), out, "backstory")
    fair = next(r for r in read_responses(out) if r.question_id == "q_fair")
    assert fair.probs == pytest.approx([0.4, 0.2, 0.4])


async def test_answers_are_seeded_per_respondent_and_question(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    await run_survey(respondents(), context(MockModel([always_a]), seed=5), first, "qa")
    await run_survey(
        list(reversed(respondents())), context(MockModel([always_a]), seed=5), second, "qa"
    )
    key = lambda r: (r.persona_id, r.question_id)  # noqa: E731
    assert {key(r): r.answer for r in read_responses(first)} == {
        key(r): r.answer for r in read_responses(second)
    }


async def test_resume_skips_done_answers_and_drops_a_torn_line(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    await run_survey(respondents()[:1], context(MockModel([always_a])), out, "backstory")
    with out.open("a") as handle:
        handle.write('{"persona_id": "r2", "question_id": "q_tr')  # a crash mid-line
    with pytest.raises(UserInputError, match="--resume"):
        await run_survey(respondents(), context(MockModel([always_a])), out, "backstory")
    model = MockModel([always_a])
    summary = await run_survey(respondents(), context(model), out, "backstory", resume=True)
    assert summary.answered == 3  # r2 × 2, r3 × 1; r1 was done
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 5


async def test_resume_refuses_another_conditioning(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    await run_survey(respondents()[:1], context(MockModel([always_a])), out, "backstory")
    with pytest.raises(UserInputError, match="different conditioning"):
        await run_survey(respondents(), context(MockModel([always_a])), out, "qa", resume=True)


async def test_carried_answers_appear_in_later_prompts(tmp_path: Path) -> None:
    model = MockModel([always_a])
    await run_survey(
        respondents()[:1], context(model, carry_answers=True), tmp_path / "r.jsonl", "backstory"
    )
    last = model.calls[-1].prompt
    assert "Question: How much do you trust Democrats?\nAnswer: " in last


def persona_run(tmp_path: Path) -> Path:
    """A copy of the sample personas with their demographics emptied."""
    run = tmp_path / "run"
    shutil.copytree(SAMPLES, run)
    for path in run.glob("p*.json"):
        persona = load_persona(path)
        persona.demographics = {}
        path.write_text(persona.model_dump_json())
    return run


async def test_demographics_fill_every_trait(tmp_path: Path) -> None:
    run = persona_run(tmp_path)
    summary = await fill_demographics(run, MockModel([always_a]))
    assert summary.filled == 2 and not summary.failed
    persona = load_persona(run / "p00000.json")
    assert set(persona.demographics) == {
        "age",
        "gender",
        "race",
        "education",
        "income",
        "party",
        "ideology",
        "region",
        "religion",
    }
    assert sum(persona.demographics["party"].values()) == pytest.approx(1.0)
    again = await fill_demographics(run, MockModel([always_a]))
    assert again.skipped == 2 and again.filled == 0


def test_a_persona_leans_to_the_likelier_party() -> None:
    assert leaning_party({"Democrat": 0.2, "Republican": 0.3, "Independent": 0.5}) == "Republican"
    assert leaning_party({"Independent": 1.0}) is None
    persona = load_persona(SAMPLES / "p00000.json")
    assert from_persona(persona).context.endswith(persona.transcript[-1].text)


async def test_resume_refuses_another_seed_or_sampling(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    await run_survey(respondents()[:1], context(MockModel([always_a])), out, "backstory")
    with pytest.raises(UserInputError, match=r"seed \(0 in the run, 5 now\)"):
        await run_survey(
            respondents(), context(MockModel([always_a]), seed=5), out, "backstory", resume=True
        )
    hot = MockModel([always_a])
    hot.defaults = hot.defaults.model_copy(update={"temperature": 0.5})
    with pytest.raises(UserInputError, match=r"sampling\.temperature"):
        await run_survey(respondents(), context(hot), out, "backstory", resume=True)


async def test_a_second_survey_process_on_the_file_is_refused(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "r.jsonl"
    await run_survey(respondents()[:1], context(MockModel([always_a])), out, "backstory")
    with (tmp_path / "r.jsonl.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(UserInputError, match="another process"):
            await run_survey(
                respondents(), context(MockModel([always_a])), out, "backstory", resume=True
            )


def test_an_exact_party_tie_leans_nowhere() -> None:
    assert leaning_party({"Democrat": 0.4, "Republican": 0.4, "Independent": 0.2}) is None
    assert leaning_party({"Democrat": 0.41, "Republican": 0.4}) == "Democrat"

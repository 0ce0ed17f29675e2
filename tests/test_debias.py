"""Option-order debiasing: what each scheme returns for a purely position-biased model,
and that the scheme is recorded per response and in the survey's meta file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from interviewer.contracts.questionnaire import Questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.errors import UserInputError
from interviewer.model import Completion, Request
from interviewer.survey.conditioning import Respondent
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import meta_path, run_survey
from tests.fakes import MockModel
from tests.stub_server import StubState, running_stub
from tests.test_survey_cli import bio_survey


def position_biased(request: Request) -> Completion:
    """Whatever the options say: A .7, B .3, every other letter 0."""
    return Completion(text=" A", top_logprobs=({" A": math.log(0.7), " B": math.log(0.3)},))


def four_options(**fields: object) -> Questionnaire:
    question: dict[str, object] = {"id": "q", "text": "Q?", "options": ["w", "x", "y", "z"]}
    question.update(fields.pop("question", {}))  # type: ignore[call-overload]
    return Questionnaire.model_validate({"id": "four", "questions": [question], **fields})


async def survey(
    tmp_path: Path, questionnaire: Questionnaire, debias: str | None, people: int = 1
) -> list[tuple[list[float], str | None]]:
    ctx = SurveyContext(
        model=MockModel([position_biased]), questionnaire=questionnaire, debias=debias
    )  # type: ignore[arg-type]
    out = tmp_path / f"{debias}.jsonl"
    respondents = [Respondent(f"r{i}", "ctx", None) for i in range(people)]
    await run_survey(respondents, ctx, out, "qa")
    return [(line.probs, line.debias) for line in read_responses(out)]


# The table of the report: a pure position bias A .7 / B .3 / C 0 / D 0 on four options.
#   as_listed  (.7, .3, 0, 0)       the bias itself
#   reversed   (.35, .15, .15, .35) listed (.7 .3 0 0) and reversed (0 0 .3 .7), averaged:
#                                   mass pushed to the ends, not cancelled
#   cyclic     (.25, .25, .25, .25) 4 rotations: each option is shown once at A, B, C, D
#   random     one permutation of (.7, .3, 0, 0) per respondent: uniform on average
@pytest.mark.parametrize(
    ("debias", "orders", "expected", "recorded"),
    [
        (None, "as_listed", [0.7, 0.3, 0.0, 0.0], "as_listed"),
        (None, "reversed", [0.35, 0.15, 0.15, 0.35], "reversed"),
        ("reversed", "as_listed", [0.35, 0.15, 0.15, 0.35], "reversed"),
        ("cyclic", "reversed", [0.25, 0.25, 0.25, 0.25], "cyclic"),
    ],
)
async def test_each_scheme_on_a_pure_position_bias(
    tmp_path: Path, debias: str | None, orders: str, expected: list[float], recorded: str
) -> None:
    [(probs, scheme)] = await survey(tmp_path, four_options(orders=orders), debias)
    assert probs == pytest.approx(expected)
    assert scheme == recorded


async def test_random_shows_one_seeded_permutation_per_respondent(tmp_path: Path) -> None:
    lines = await survey(tmp_path, four_options(), "random", people=200)
    assert {scheme for _, scheme in lines} == {"random"}
    for probs, _ in lines:  # one order: the bias itself, moved to the options it showed
        assert sorted(probs) == pytest.approx([0.0, 0.0, 0.3, 0.7])
    assert len({tuple(p) for p, _ in lines}) == 12  # every placement of A and B occurs
    mean = np.mean([p for p, _ in lines], axis=0)
    assert mean == pytest.approx([0.25] * 4, abs=0.05)  # cancels over respondents
    again = await survey(tmp_path / "again", four_options(), "random", people=200)
    assert [p for p, _ in again] == [p for p, _ in lines]


async def test_a_questions_own_orders_win(tmp_path: Path) -> None:
    # The file lists one order for the item: cyclic does not override it.
    questionnaire = four_options(question={"orders": [[0, 1, 2, 3]]})
    [(probs, scheme)] = await survey(tmp_path, questionnaire, "cyclic")
    assert probs == pytest.approx([0.7, 0.3, 0.0, 0.0])
    assert scheme == "question's orders"


async def test_random_draws_one_of_a_questions_own_orders(tmp_path: Path) -> None:
    # As the Anthology code does with a question's randomisation patterns.
    questionnaire = four_options(question={"orders": [[0, 1, 2, 3], [3, 2, 1, 0]]})
    lines = await survey(tmp_path, questionnaire, "random", people=40)
    seen = {tuple(round(x, 9) for x in probs) for probs, _ in lines}
    assert seen == {(0.7, 0.3, 0.0, 0.0), (0.0, 0.0, 0.3, 0.7)}
    assert {scheme for _, scheme in lines} == {"random (question's orders)"}


async def test_meta_records_the_scheme_and_resume_refuses_another(tmp_path: Path) -> None:
    questionnaire = four_options()
    model = MockModel([position_biased])
    out = tmp_path / "r.jsonl"
    ctx = SurveyContext(model=model, questionnaire=questionnaire, debias="cyclic")
    await run_survey([Respondent("r0", "ctx", None)], ctx, out, "qa")
    assert json.loads(meta_path(out).read_text())["debias"] == "cyclic"
    other = SurveyContext(model=model, questionnaire=questionnaire, debias="reversed")
    with pytest.raises(UserInputError, match="different debias"):
        await run_survey([Respondent("r1", "ctx", None)], other, out, "qa", resume=True)


def test_survey_debias_flag_over_http(tmp_path: Path) -> None:
    # The stub always answers A e^-.5, B e^-1.5, C e^-2.5: a pure position bias.
    # Cyclic over q_fair's 3 options gives (1/3, 1/3, 1/3).
    out = tmp_path / "r.jsonl"
    with running_stub(StubState(script=["ok"])) as (url, _):
        result = bio_survey(out, "--debias", "cyclic", "--base-url", url)
    assert result.returncode == 0, result.stderr
    fair = [r for r in read_responses(out) if r.question_id == "q_fair"]
    assert fair and all(r.probs == pytest.approx([1 / 3] * 3) for r in fair)
    assert {r.debias for r in read_responses(out)} == {"cyclic"}


def test_an_unknown_debias_scheme_is_exit_2(tmp_path: Path) -> None:
    result = bio_survey(tmp_path / "r.jsonl", "--debias", "shuffled")
    assert result.returncode == 2
    assert "'--debias'" in result.stderr and "'shuffled'" in result.stderr, result.stderr
    assert all(f"'{s}'" in result.stderr for s in ("reversed", "cyclic", "random"))

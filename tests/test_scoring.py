from __future__ import annotations

import math
from pathlib import Path

import pytest

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.errors import ModelOutputError
from interviewer.model import Completion, Request
from interviewer.survey.answering import ask, map_back, options_block
from interviewer.survey.conditioning import Respondent
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey
from tests.fakes import MockModel

FIXTURES = Path(__file__).with_name("fixtures")


def test_map_back_by_hand() -> None:
    # Reversed order [2, 1, 0]: letter A showed option 2, B option 1, C option 0.
    assert map_back([0.1, 0.3, 0.6], [2, 1, 0]) == [0.6, 0.3, 0.1]
    assert map_back([0.5, 0.3, 0.2], [0, 1, 2]) == [0.5, 0.3, 0.2]


def test_options_block_letters_follow_the_order() -> None:
    assert options_block(["x", "y", "z"], [2, 0, 1]) == "A. z\nB. x\nC. y"


def logprob_reply(listed: dict[str, float], reversed_: dict[str, float]):
    """Listed order → letter probs ``listed``; reversed order → ``reversed_``."""

    def reply(request: Request) -> Completion:
        table = listed if "A. low" in request.prompt else reversed_
        return Completion(text=" A", top_logprobs=({k: math.log(v) for k, v in table.items()},))

    return reply


async def test_orders_are_mapped_back_and_averaged() -> None:
    # Listed [low, mid, high]: A .5, B .3, C .2 (letter mass 1.0).
    # Reversed [high, mid, low]: A .1, B .3, C .6 (+ "\n" .0 → mass 1.0).
    # Back to options: listed (.5, .3, .2), reversed (.6, .3, .1) → mean (.55, .30, .15).
    model = MockModel(
        [logprob_reply({" A": 0.5, " B": 0.3, " C": 0.2}, {" A": 0.1, " B": 0.3, " C": 0.6})]
    )
    answer = await ask(model, "ctx", "", "Q?", ["low", "mid", "high"], [[0, 1, 2], [2, 1, 0]])
    assert answer.probs == pytest.approx((0.55, 0.30, 0.15))
    assert answer.letter_mass == pytest.approx(1.0)
    assert answer.mode == "logprobs"
    assert len(model.calls) == 2


async def test_letter_mass_is_the_mean_over_orders() -> None:
    # Listed: letters hold .4 + .2 = .6 of the mass; reversed: .2 + .2 = .4 → mean .5.
    model = MockModel(
        [logprob_reply({" A": 0.4, " B": 0.2, "\n": 0.4}, {" A": 0.2, " B": 0.2, " the": 0.6})]
    )
    answer = await ask(model, "ctx", "", "Q?", ["low", "high"], [[0, 1], [1, 0]])
    # Listed: (.4, .2)/.6 = (2/3, 1/3); reversed letters (.5, .5) → options (.5, .5).
    assert answer.probs == pytest.approx(((2 / 3 + 0.5) / 2, (1 / 3 + 0.5) / 2))
    assert answer.letter_mass == pytest.approx(0.5)


async def test_sampling_fallback_parses_strictly() -> None:
    # No logprobs: 5 samples per order. Valid: "A", " B.", "(A)"; invalid: "maybe", "Apple".
    texts = iter(["A", " B.", "(A)", "maybe", "Apple"] * 2)
    model = MockModel([lambda request: Completion(text=next(texts))])
    answer = await ask(model, "ctx", "", "Q?", ["x", "y"], [[0, 1]], samples=5)
    # The first call asks for logprobs and gets none; then 5 samples: A, B, A valid.
    assert answer.mode == "sampling"
    assert answer.probs == pytest.approx((2 / 3, 1 / 3))
    assert answer.letter_mass == pytest.approx(3 / 5)


async def test_no_valid_sample_is_an_error_not_a_uniform_guess() -> None:
    model = MockModel([Completion(text="I think so")])
    with pytest.raises(ModelOutputError, match="no sampled answer was an option letter"):
        await ask(model, "ctx", "", "Q?", ["x", "y"], [[0, 1]], samples=3)


def no_letter_then_samples(texts: list[str]):
    """Logprob calls get top-k alternatives with no option letter; sampled calls get
    the next of ``texts``."""
    samples = iter(texts)

    def reply(request: Request) -> Completion:
        if request.top_logprobs:
            return Completion(
                text="\n", top_logprobs=({"\n": math.log(0.6), " the": math.log(0.3)},)
            )
        return Completion(text=next(samples))

    return reply


async def test_no_letter_in_top_k_falls_back_to_sampling() -> None:
    # The top-k holds "\n" and " the" only. Four samples: A, B, A, "so" (invalid):
    # A 2/3, B 1/3, letter mass 3/4, and the mode says why sampling was used.
    model = MockModel([no_letter_then_samples(["A", "B", "A", "so"])])
    answer = await ask(model, "ctx", "", "Q?", ["x", "y"], [[0, 1]], samples=4)
    assert answer.mode == "sampling (no letter in top-k)"
    assert answer.probs == pytest.approx((2 / 3, 1 / 3))
    assert answer.letter_mass == pytest.approx(3 / 4)
    assert sum(1 for call in model.calls if not call.top_logprobs) == 4


async def test_modes_of_orders_are_all_recorded() -> None:
    # Listed order: letters in the top-k; reversed order: none, so it is sampled
    # (3 samples, all "A" = option 1 shown first). Mapped back: listed (.5, .5),
    # reversed (0, 1) -> mean (.25, .75); the mode names both ways.
    def reply(request: Request) -> Completion:
        if request.top_logprobs and "A. low" in request.prompt:
            return Completion(text=" A", top_logprobs=({" A": math.log(0.5), " B": math.log(0.5)},))
        if request.top_logprobs:
            return Completion(text="\n", top_logprobs=({"\n": 0.0},))
        return Completion(text="A")

    model = MockModel([reply])
    answer = await ask(model, "ctx", "", "Q?", ["low", "high"], [[0, 1], [1, 0]], samples=3)
    assert answer.probs == pytest.approx((0.25, 0.75))
    assert answer.mode == "logprobs + sampling (no letter in top-k)"


async def test_a_respondent_without_letters_is_surveyed_not_failed(tmp_path: Path) -> None:
    # Every logprob reply lacks a letter and every sample is "A": the run writes the
    # answers (not a failure) and each line's mode names the fallback.
    questionnaire = load_questionnaire(FIXTURES / "trust.yaml")
    ctx = SurveyContext(
        model=MockModel([no_letter_then_samples(["A"] * 1000)]),
        questionnaire=questionnaire,
        samples=2,
    )
    out = tmp_path / "r.jsonl"
    summary = await run_survey([Respondent("r1", "I farm.", "Democrat")], ctx, out, "qa")
    assert summary.failed == {}
    lines = read_responses(out)
    assert len(lines) == 2
    assert {line.mode for line in lines} == {"sampling (no letter in top-k)"}

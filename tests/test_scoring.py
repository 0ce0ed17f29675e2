from __future__ import annotations

import math

import pytest

from interviewer.errors import ModelOutputError
from interviewer.model import Completion, Request
from interviewer.survey.scoring import ask, map_back, options_block
from tests.fakes import MockModel


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

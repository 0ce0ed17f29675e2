from __future__ import annotations

import math

import pytest

from interviewer.logprobs import NoOptionLetter, option_distribution, top_logprobs_by_position


def test_reads_llama_cpp_form() -> None:
    raw = {
        "content": [
            {
                "token": " A",
                "logprob": -0.1,
                "top_logprobs": [
                    {"token": " A", "logprob": -0.1},
                    {"token": " B", "logprob": -2.0},
                ],
            }
        ]
    }
    assert top_logprobs_by_position(raw) == [{" A": -0.1, " B": -2.0}]


def test_reads_legacy_vllm_form() -> None:
    raw = {"tokens": [" A"], "top_logprobs": [{" A": -0.1, " B": -2.0}]}
    assert top_logprobs_by_position(raw) == [{" A": -0.1, " B": -2.0}]


def test_none_and_empty_give_no_positions() -> None:
    assert top_logprobs_by_position(None) == []
    assert top_logprobs_by_position({"content": None, "top_logprobs": None}) == []


def test_duplicate_token_strings_add_probabilities() -> None:
    # Two token ids decoding to " A" with p = 0.2 each: one entry with p = 0.4.
    raw = {
        "content": [
            {
                "token": " A",
                "logprob": math.log(0.2),
                "top_logprobs": [
                    {"token": " A", "logprob": math.log(0.2)},
                    {"token": " A", "logprob": math.log(0.2)},
                ],
            }
        ]
    }
    assert math.exp(top_logprobs_by_position(raw)[0][" A"]) == pytest.approx(0.4)


def test_renormalisation_by_hand() -> None:
    # p(" A") = 0.5, p("B") = 0.2, p(" B") = 0.1 (same letter), p("\n") = 0.2.
    # Letter mass = 0.5 + 0.3 = 0.8; A = 0.5/0.8 = 0.625, B = 0.3/0.8 = 0.375, C = 0.
    top = {" A": math.log(0.5), "B": math.log(0.2), " B": math.log(0.1), "\n": math.log(0.2)}
    scores = option_distribution(top, "ABC")
    assert scores.letter_mass == pytest.approx(0.8)
    assert scores.probs == pytest.approx((0.625, 0.375, 0.0))
    assert sum(scores.probs) == pytest.approx(1.0, abs=1e-12)


def test_lowercase_and_longer_tokens_are_not_letters() -> None:
    top = {" a": math.log(0.5), " A.": math.log(0.3), " A": math.log(0.1)}
    scores = option_distribution(top, "AB")
    assert scores.probs == pytest.approx((1.0, 0.0))
    assert scores.letter_mass == pytest.approx(0.1)


def test_no_letter_at_all_is_an_error_not_zeros() -> None:
    with pytest.raises(NoOptionLetter, match="no option letter"):
        option_distribution({"\n": -0.1, " the": -2.0}, "ABCD")

"""Coverage in the known-answer world (bench/inference_coverage.py): with a planted bias
in the personas' predictions, rectified 90% intervals still cover the truth 90% ± 3% of
the time over many drawn pilots of n = 100, persona-only (naive) intervals do not, and
with a good simulation the rectified intervals are narrower than the pilot's alone."""

from __future__ import annotations

from functools import cache

import pytest

from bench.inference_coverage import Draws, build_world, past_survey
from bench.inference_coverage import run as run_draws

DRAWS = 1000


@cache
def run(setting: str, draws: int, n: int, weighted: bool = False) -> Draws:
    return run_draws(setting, draws, n=n, weighted=weighted)  # shared by the tests below


def test_the_planted_bias_is_there() -> None:
    w = build_world()
    assert w.predictions["biased"].mean() - w.truth < -0.15
    assert abs(w.predictions["good"].mean() - w.truth) < 0.05


@pytest.mark.parametrize("setting", ["biased", "good"])
def test_rectified_covers_at_the_nominal_rate_and_naive_does_not(setting: str) -> None:
    d = run(setting, DRAWS, n=100)
    assert 0.87 <= d.coverage("rectified") <= 0.93, d.coverage("rectified")
    assert 0.87 <= d.coverage("pilot") <= 0.93, d.coverage("pilot")
    assert d.coverage("naive") < 0.5, d.coverage("naive")


@pytest.mark.parametrize("setting", ["biased", "good"])
def test_weighted_pilots_keep_coverage(setting: str) -> None:
    d = run(setting, 600, n=100, weighted=True)
    assert 0.87 <= d.coverage("rectified") <= 0.93, d.coverage("rectified")


def test_a_good_simulation_narrows_the_interval() -> None:
    d = run("good", DRAWS, n=100)
    assert d.width("rectified") < 0.8 * d.width("pilot")
    assert (d.widths["rectified"] < d.widths["pilot"]).mean() > 0.95
    assert float(d.ess.mean()) > 150  # worth more than the 100 real respondents


def test_a_poor_simulation_costs_little() -> None:
    # Power tuning shrinks λ toward 0 when the predictions are weak: the rectified
    # interval is about the pilot's, never much wider.
    d = run("biased", DRAWS, n=100)
    assert d.width("rectified") < 1.05 * d.width("pilot")


def test_the_past_survey_tells_the_simulations_apart() -> None:
    # The same two simulations over all 27 options of the known-answer questions: the
    # good one is worth hundreds of respondents (k̂), the biased one fewer than 30; the
    # biased personas (demographics only) have about half people's rating variance.
    past = past_survey()
    assert past.sizes["good"].k >= 200, past.sizes["good"].k
    assert past.sizes["biased"].k == 0, past.sizes["biased"].k
    assert max(past.ratios["biased"]) < 0.7 and min(past.ratios["good"]) > 0.9

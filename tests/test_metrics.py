"""Metrics against numbers worked out by hand (in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interviewer.metrics import (
    bootstrap_ci,
    cohens_d,
    cronbach_alpha,
    fro,
    split_half,
    wd,
    weighted_corr,
    weighted_distribution,
)

nan = float("nan")


def test_weighted_distribution() -> None:
    # Answers 0, 1, 1, (none) with weights 1, 2, 1, 5: option 0 has 1, option 1 has 3
    # of 4 answering weight → (.25, .75, 0). The non-answer's weight does not count.
    dist = weighted_distribution(np.array([0, 1, 1, nan]), np.array([1.0, 2, 1, 5]), 3)
    assert dist is not None
    assert dist.tolist() == pytest.approx([0.25, 0.75, 0.0])
    assert weighted_distribution(np.array([nan, nan]), np.ones(2), 3) is None


def test_wd_by_hand() -> None:
    # All mass at option 0 vs all at option 2: the mass moves 2 positions → 2.0.
    assert wd([1, 0, 0], [0, 0, 1]) == pytest.approx(2.0)
    # CDFs (.5, 1, 1) and (0, .5, 1): |.5| + |.5| = 1.0.
    assert wd([0.5, 0.5, 0], [0, 0.5, 0.5]) == pytest.approx(1.0)
    assert wd([0.2, 0.8], [0.2, 0.8]) == 0.0


def test_wd_one_option_is_zero_by_convention() -> None:
    assert wd([1.0], [1.0]) == 0.0


def test_weighted_corr_by_hand() -> None:
    # x = 1, 2, 3 and y = 1, 3, 2: deviations (-1, 0, 1) and (-1, 1, 0); covariance
    # 1/3, variances 2/3 each → r = (1/3) / (2/3) = 0.5.
    corr = weighted_corr(np.array([[1, 1], [2, 3], [3, 2]], dtype=float), np.ones(3))
    assert corr[0, 1] == pytest.approx(0.5)
    assert corr[0, 0] == pytest.approx(1.0)


def test_a_weight_of_two_is_a_duplicated_row() -> None:
    data = np.array([[1, 1], [2, 3], [3, 2], [4, 4]], dtype=float)
    weighted = weighted_corr(data, np.array([1.0, 2, 1, 1]))
    duplicated = weighted_corr(np.vstack([data, data[1]]), np.ones(5))
    assert weighted == pytest.approx(duplicated)


def test_zero_variance_item_gives_nan_not_zero() -> None:
    corr = weighted_corr(np.array([[1, 2], [1, 3], [1, 5]], dtype=float), np.ones(3))
    assert math.isnan(corr[0, 1]) and math.isnan(corr[0, 0])


def test_fro_by_hand() -> None:
    # Off-diagonals .5 vs -.5 differ by 1 in two entries: sqrt(1 + 1) = sqrt 2.
    result = fro(np.array([[1, 0.5], [0.5, 1]]), np.array([[1, -0.5], [-0.5, 1]]))
    assert result.value == pytest.approx(math.sqrt(2))
    assert result.entries == 4
    # An undefined entry on either side is left out, and counted as left out.
    partial = fro(np.array([[1, nan], [nan, 1]]), np.array([[1, 0.3], [0.3, 1]]))
    assert (partial.value, partial.entries) == (0.0, 2)
    assert math.isnan(fro(np.full((2, 2), nan), np.eye(2)).value)


def test_cronbach_alpha_by_hand() -> None:
    # Items (1, 2, 3) and (2, 3, 5): variances 1 and 7/3; totals (3, 5, 8) have variance
    # 19/3. alpha = 2/1 × (1 − (10/3)/(19/3)) = 18/19.
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 5]], dtype=float)) == pytest.approx(18 / 19)
    # Incomplete rows are dropped: the (nan, 4) row does not change the result.
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 5], [nan, 4]])) == pytest.approx(18 / 19)


def test_cronbach_alpha_degenerate_cases_are_nan() -> None:
    assert math.isnan(cronbach_alpha(np.array([[1.0], [2.0]])))  # one item
    assert math.isnan(cronbach_alpha(np.array([[1.0, 2.0]])))  # one respondent
    assert math.isnan(cronbach_alpha(np.array([[1.0, 1.0], [1.0, 1.0]])))  # no variance


def test_cohens_d_by_hand() -> None:
    # Means 4 and 2, each sample variance 1 → pooled SD 1 → d = 2.
    assert cohens_d([3, 4, 5], [1, 2, 3]) == pytest.approx(2.0)
    assert math.isnan(cohens_d([1], [2, 3]))
    assert math.isnan(cohens_d([2, 2], [2, 2]))


def test_split_half_of_identical_rows_is_zero() -> None:
    values = np.array([3.0] * 10)
    bound = split_half(10, lambda a, b: abs(values[a].mean() - values[b].mean()), splits=20)
    assert bound == 0.0


def test_bootstrap_ci_brackets_the_mean() -> None:
    values = np.random.default_rng(1).normal(5, 1, size=400)
    low, high = bootstrap_ci(400, lambda idx: float(values[idx].mean()), resamples=300)
    assert low < values.mean() < high and high - low < 0.5

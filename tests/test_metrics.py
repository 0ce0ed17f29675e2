"""Metrics against numbers worked out by hand (in the comments)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from interviewer.contracts.questionnaire import Questionnaire
from interviewer.evaluation.metrics import (
    bootstrap_ci,
    cohens_d,
    cronbach_alpha,
    dispersion_ratio,
    fro,
    js_distance,
    representativeness,
    simbench,
    split_half,
    wd,
    weighted_corr,
    weighted_distribution,
)
from interviewer.evaluation.scoring import Table, score

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


def test_wd_equals_scipy() -> None:
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(5)
    for size in range(2, 9):
        h, s = rng.dirichlet(np.ones(size)), rng.dirichlet(np.ones(size))
        positions = np.arange(size)
        expected = wasserstein_distance(positions, positions, h, s)
        assert wd(h.tolist(), s.tolist()) == pytest.approx(expected, abs=1e-12)


def test_weighted_corr_by_hand() -> None:
    # x = 1, 2, 3 and y = 1, 3, 2: deviations (-1, 0, 1) and (-1, 1, 0); covariance
    # 1/3, variances 2/3 each → r = (1/3) / (2/3) = 0.5.
    corr = weighted_corr(np.array([[1, 1], [2, 3], [3, 2]], dtype=float), np.ones(3))
    assert corr.matrix[0, 1] == pytest.approx(0.5)
    assert corr.matrix[0, 0] == pytest.approx(1.0)
    assert (corr.n, corr.degenerate) == (3, [])


def test_a_weight_of_two_is_a_duplicated_row() -> None:
    data = np.array([[1, 1], [2, 3], [3, 2], [4, 4]], dtype=float)
    weighted = weighted_corr(data, np.array([1.0, 2, 1, 1])).matrix
    duplicated = weighted_corr(np.vstack([data, data[1]]), np.ones(5)).matrix
    assert weighted == pytest.approx(duplicated)


def test_complete_cases_and_pairwise_by_hand() -> None:
    # Columns x, y, z; the last row has no x. Complete cases: rows 1-3, where
    # r(x, y) = .5 (as above) and y, z = (1, 3, 2), (1, 2, 3) also give .5.
    # Pairwise, r(y, z) uses all four rows: y = 1, 3, 2, 5 (mean 2.75), z = 1, 2, 3, 1
    # (mean 1.75); cross products sum to -1.25, squares to 8.75 and 2.75:
    # r = -1.25 / sqrt(8.75 × 2.75).
    data = np.array([[1, 1, 1], [2, 3, 2], [3, 2, 3], [nan, 5, 1]])
    complete = weighted_corr(data, np.ones(4))
    assert complete.matrix[1, 2] == pytest.approx(0.5) and complete.n == 3
    pairwise = weighted_corr(data, np.ones(4), missing="pairwise")
    assert pairwise.matrix[1, 2] == pytest.approx(-1.25 / math.sqrt(8.75 * 2.75))
    assert pairwise.matrix[0, 1] == pytest.approx(0.5)
    assert pairwise.n == 3  # the fewest rows behind any pair


def test_zero_variance_item_has_no_association() -> None:
    # Everyone answers item 0 the same: its correlations count as 0 (no association),
    # its self-correlation as 1, and the item is named.
    corr = weighted_corr(np.array([[1, 2], [1, 3], [1, 5]], dtype=float), np.ones(3))
    assert corr.matrix.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert corr.degenerate == [0]
    # Fewer than two rows: nothing can be estimated; undefined, not zero.
    single = weighted_corr(np.array([[1.0, 2.0]]), np.ones(1))
    assert np.isnan(single.matrix).all() and single.n == 1


def test_fro_by_hand() -> None:
    # Off-diagonals .5 vs -.5 differ by 1 in two entries: sqrt(1 + 1) = sqrt 2.
    assert fro(np.array([[1, 0.5], [0.5, 1]]), np.array([[1, -0.5], [-0.5, 1]])) == pytest.approx(
        math.sqrt(2)
    )
    # A degenerate simulated item (correlations 0) against human .5: sqrt(.25 + .25).
    assert fro(np.array([[1, 0.5], [0.5, 1]]), np.eye(2)) == pytest.approx(math.sqrt(0.5))
    # An undefined matrix (too few rows) makes fro undefined, never a smaller number.
    assert math.isnan(fro(np.full((2, 2), nan), np.eye(2)))


def test_cronbach_alpha_by_hand() -> None:
    # Items (1, 2, 3) and (2, 3, 5): variances 1 and 7/3; totals (3, 5, 8) have variance
    # 19/3. alpha = 2/1 × (1 − (10/3)/(19/3)) = 18/19.
    data = np.array([[1, 2], [2, 3], [3, 5]], dtype=float)
    assert cronbach_alpha(data).value == pytest.approx(18 / 19)
    # Complete rows: the (nan, 4) row does not change the result, and n says 3.
    result = cronbach_alpha(np.vstack([data, [nan, 4]]))
    assert (result.value, result.n) == (pytest.approx(18 / 19), 3)


def test_cronbach_alpha_weighted_by_hand() -> None:
    # Weight 2 on the middle row = rows (1,2), (2,3), (2,3), (3,5): squared deviations
    # sum to 2 and 4.75 for the items and 12.75 for the totals (3, 5, 5, 8); the common
    # 1/(n-1) cancels: alpha = 2 × (1 − 6.75 / 12.75) = 16/17.
    data = np.array([[1, 2], [2, 3], [3, 5]], dtype=float)
    assert cronbach_alpha(data, np.array([1.0, 2, 1])).value == pytest.approx(16 / 17)


def test_cronbach_alpha_pairwise_by_hand() -> None:
    # pingouin's default form: each covariance over the rows that answered both.
    # Item 1 (rows 1-3) variance 1; item 2 (all four rows: 2, 3, 5, 4) variance 5/3;
    # their covariance over rows 1-3 is 3/2. Sum of C = 1 + 5/3 + 3 = 17/3, trace 8/3:
    # alpha = 2 × (1 − 8/17) = 18/17.
    data = np.array([[1, 2], [2, 3], [3, 5], [nan, 4]])
    result = cronbach_alpha(data, missing="pairwise")
    assert (result.value, result.n) == (pytest.approx(18 / 17), 4)


def test_cronbach_alpha_against_pingouin() -> None:
    pingouin = pytest.importorskip("pingouin")
    import pandas as pd

    rng = np.random.default_rng(7)
    data = np.clip(np.round(rng.normal(2, 1, size=(60, 1)) + rng.normal(0, 1, size=(60, 4))), 0, 4)
    data[rng.random(data.shape) < 0.08] = nan
    frame = pd.DataFrame(data)
    for missing, policy in (("complete", "listwise"), ("pairwise", "pairwise")):
        expected = pingouin.cronbach_alpha(frame, nan_policy=policy)[0]
        assert cronbach_alpha(data, missing=missing).value == pytest.approx(expected, abs=1e-12)
    # Integer weights are duplicated rows (complete rows: the 1/(n-1) cancels).
    weights = rng.integers(1, 4, size=60)
    duplicated = pd.DataFrame(np.repeat(data, weights, axis=0))
    expected = pingouin.cronbach_alpha(duplicated, nan_policy="listwise")[0]
    assert cronbach_alpha(data, weights.astype(float)).value == pytest.approx(expected, abs=1e-12)


def test_cronbach_alpha_degenerate_cases_are_nan() -> None:
    assert math.isnan(cronbach_alpha(np.array([[1.0], [2.0]])).value)  # one item
    assert math.isnan(cronbach_alpha(np.array([[1.0, 2.0]])).value)  # one respondent
    assert math.isnan(cronbach_alpha(np.array([[1.0, 1.0], [1.0, 1.0]])).value)  # no variance


def test_representativeness_by_hand() -> None:
    # OpinionQA: 1 − WD / (K − 1). All mass at opposite ends of 3 options: WD 2 = the
    # maximum, so 0; CDFs (.5, 1, 1) vs (0, .5, 1): WD 1 → 1 − 1/2 = .5.
    assert representativeness([1, 0, 0], [0, 0, 1]) == pytest.approx(0.0)
    assert representativeness([0.5, 0.5, 0], [0, 0.5, 0.5]) == pytest.approx(0.5)
    assert representativeness([0.2, 0.8], [0.2, 0.8]) == pytest.approx(1.0)


def test_simbench_by_hand() -> None:
    # SimBench: 100 (1 − TV(h, s) / TV(h, uniform)). h = (.5, .5, 0): TV to uniform
    # = .5 (1/6 + 1/6 + 1/3) = 1/3; s = (0, .5, .5): TV = .5 (.5 + 0 + .5) = .5 →
    # 100 (1 − 1.5) = −50. s = h → 100; s = uniform → 0.
    human = [0.5, 0.5, 0.0]
    assert simbench(human, [0, 0.5, 0.5]) == pytest.approx(-50.0)
    assert simbench(human, human) == pytest.approx(100.0)
    assert simbench(human, [1 / 3] * 3) == pytest.approx(0.0)
    assert math.isnan(simbench([1 / 3] * 3, [1, 0, 0]))  # a uniform human: no baseline gap


def test_js_distance_by_hand() -> None:
    # Disjoint supports: JS divergence 1 bit, distance 1. h = (.5, .5) vs s = (1, 0):
    # m = (.75, .25); KL(h‖m) = .5 log2(.5/.75) + .5 log2(.5/.25), KL(s‖m) = log2(1/.75).
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    divergence = 0.5 * (0.5 * math.log2(0.5 / 0.75) + 0.5 * 1.0) + 0.5 * math.log2(1 / 0.75)
    assert js_distance([0.5, 0.5], [1, 0]) == pytest.approx(math.sqrt(divergence))


def test_dispersion_ratio_by_hand() -> None:
    # Positions 0, 1, 2. h = (.5, 0, .5): mean 1, variance 1. s = (.25, .5, .25):
    # variance .5 → ratio .5; everyone in the middle → 0; a constant human → undefined.
    assert dispersion_ratio([0.5, 0, 0.5], [0.25, 0.5, 0.25]) == pytest.approx(0.5)
    assert dispersion_ratio([0.5, 0, 0.5], [0, 1, 0]) == pytest.approx(0.0)
    assert math.isnan(dispersion_ratio([0, 1, 0], [0.5, 0, 0.5]))


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


def collapsing(seed: int = 3) -> tuple[Table, list[Table], Questionnaire]:
    """Humans with correlated items and a simulated population that collapses item by
    item: each step makes one more simulated item constant (everyone answers 'b')."""
    rng = np.random.default_rng(seed)
    items, rows = 5, 400
    questionnaire = Questionnaire.model_validate(
        {
            "id": "c",
            "questions": [
                {"id": f"q{i}", "text": "?", "options": ["a", "b", "c"]} for i in range(items)
            ],
        }
    )

    def population(n: int) -> np.ndarray:
        latent = rng.normal(size=(n, 1))
        return np.clip(np.round(1 + latent + rng.normal(scale=0.8, size=(n, items))), 0, 2)

    human = Table([f"h{i}" for i in range(rows)], population(rows), rng.uniform(0.5, 2, rows))
    answers = population(rows)
    steps = []
    for step in range(items + 1):
        collapsed = answers.copy()
        collapsed[:, :step] = 1
        probs = [
            {f"q{i}": np.eye(3)[int(a)].tolist() for i, a in enumerate(row)} for row in collapsed
        ]
        steps.append(Table([f"s{i}" for i in range(rows)], collapsed, np.ones(rows), probs))
    return human, steps, questionnaire


def test_fro_never_improves_as_the_population_collapses() -> None:
    human, steps, questionnaire = collapsing()
    values = [score(human, table, questionnaire).fro for table in steps]
    assert all(np.isfinite(values))
    assert all(later >= earlier for earlier, later in itertools.pairwise(values)), values
    # Fully collapsed: no simulated association at all, so fro is the norm of the human
    # off-diagonal correlations.
    h = weighted_corr(human.answers, human.weights).matrix
    assert values[-1] == pytest.approx(np.linalg.norm(h - np.eye(len(h))))
    assert score(human, steps[2], questionnaire).degenerate == ["q0", "q1"]


@pytest.mark.parametrize("missing", ["complete", "pairwise"])
def test_a_constant_item_is_degenerate_whatever_the_weights(missing: str) -> None:
    # Everyone answers 3 on item 0; with uneven weights the weighted mean of 3s may be
    # off by an ulp, which must not turn into a (meaningless) non-zero correlation.
    rng = np.random.default_rng(11)
    data = np.column_stack([np.full(500, 3.0), rng.integers(0, 5, 500), rng.integers(0, 5, 500)])
    data[rng.random(data.shape) < 0.05] = nan
    corr = weighted_corr(data, rng.uniform(0.1, 7.3, 500), missing=missing)  # type: ignore[arg-type]
    assert corr.degenerate == [0]
    assert corr.matrix[0, 1:].tolist() == [0.0, 0.0]

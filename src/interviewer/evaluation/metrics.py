"""Distribution and structure metrics between human and simulated answers (docs/DESIGN.md).

Every rule is written out with its source in docs/metrics.md; in short (and tested):

- ``wd`` of a one-option question is 0.0: both distributions are the same point mass.
- A question nobody answered has no distribution: it is left out of the means and
  the caller reports it.
- Correlations and alpha use one named missing-data rule: ``complete`` (the rows that
  answered every item, as the Anthology code's weighted covariance) or ``pairwise``
  (each pair, or each covariance, over the rows that answered both).
- A zero-variance item has no association: its correlations count as 0 (its own as 1)
  and it is named, so a population that collapses onto one answer can never look
  *more* like the humans by dropping entries. Fewer than two rows is undefined (NaN).
- Cronbach's alpha needs at least two items, two rows and a total score that varies;
  otherwise it is NaN.
- Human statistics use the survey weights; simulated respondents weigh 1 each (or
  the number of humans matched to them). Weights are analytic (``np.cov(aweights=)``):
  a weight of 2 is a duplicated row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import jensenshannon

from interviewer.contracts.choices import MISSING_RULES as MISSING_RULES
from interviewer.contracts.choices import MissingRule as MissingRule

Array = np.ndarray


def weighted_distribution(answers: Array, weights: Array, options: int) -> Array | None:
    """Weighted share of each option among those who answered (NaN = no answer)."""
    answered = ~np.isnan(answers)
    total = weights[answered].sum()
    if not answered.any() or total <= 0:
        return None
    counts = np.bincount(
        answers[answered].astype(int), weights=weights[answered], minlength=options
    )
    return np.asarray(counts / total, dtype=float)


def wd(human: Sequence[float], simulated: Sequence[float]) -> float:
    """Wasserstein distance between two distributions over option positions 0..K-1.

    ``scipy.stats.wasserstein_distance(range(K), range(K), h, s)`` (tested equal), in
    its closed form for unit-spaced points: the sum of |CDF_h − CDF_s| over the K − 1
    gaps, each distribution normalised as scipy does. scipy's general routine sorts and
    searches; the split-half bounds call this some 40,000 times per subgroup table."""
    if len(human) != len(simulated):
        raise ValueError(f"distributions over {len(human)} and {len(simulated)} options")
    h, s = np.asarray(human, dtype=float), np.asarray(simulated, dtype=float)
    return float(np.abs(np.cumsum(h / h.sum() - s / s.sum())[:-1]).sum())


def representativeness(human: Sequence[float], simulated: Sequence[float]) -> float:
    """OpinionQA's 1 − WD / WD_max (Santurkar et al. 2023), WD_max = K − 1: all mass
    at one end against all at the other. One option: 1.0 (``wd`` is 0 there)."""
    return 1.0 if len(human) == 1 else 1.0 - wd(human, simulated) / (len(human) - 1)


def total_variation(p: Sequence[float], q: Sequence[float]) -> float:
    return float(0.5 * np.abs(np.asarray(p, dtype=float) - np.asarray(q, dtype=float)).sum())


def simbench(human: Sequence[float], simulated: Sequence[float]) -> float:
    """SimBench's 100 (1 − TV(h, s) / TV(h, uniform)) (Hu et al. 2025): 100 is exact,
    0 is no better than answering uniformly, negative is worse. NaN when the human
    distribution is uniform within 1e-12 in TV (no baseline distance to beat)."""
    baseline = total_variation(human, [1 / len(human)] * len(human))
    if baseline < 1e-12:  # uniform up to rounding: weighted shares miss 1/K by an ulp
        return float("nan")
    return 100.0 * (1.0 - total_variation(human, simulated) / baseline)


def js_distance(human: Sequence[float], simulated: Sequence[float]) -> float:
    """Jensen–Shannon distance in bits (scipy, base 2): 0 identical, 1 disjoint."""
    return float(jensenshannon(human, simulated, base=2))


def dispersion_ratio(human: Sequence[float], simulated: Sequence[float]) -> float:
    """Variance of the option position (0..K−1) under the simulated distribution over
    that under the human one: below 1 is the under-dispersion simulated populations
    are known for. NaN when every human gives the same answer."""
    human_var = _position_variance(human)
    return float("nan") if human_var <= 0 else _position_variance(simulated) / human_var


def _position_variance(dist: Sequence[float]) -> float:
    p = np.asarray(dist, dtype=float)
    positions = np.arange(len(p))
    mean = float((p * positions).sum())
    return float((p * (positions - mean) ** 2).sum())


@dataclass(frozen=True)
class Correlations:
    matrix: Array
    """Weighted Pearson correlations; a zero-variance item's are 0 (its own 1); NaN
    only where fewer than two rows (or no weight) are behind an entry."""
    n: int
    """Rows behind the matrix: complete cases, or (pairwise) the fewest behind a pair."""
    degenerate: list[int]
    """Item columns with no variance over the rows used."""


def weighted_corr(
    answers: Array, weights: Array, missing: MissingRule = "complete"
) -> Correlations:
    """Weighted Pearson correlations between columns under the ``missing`` rule. Rows of
    weight 0 are left out first: they count for nothing, so they cannot make an item vary."""
    answers, weights = answers[weights > 0], weights[weights > 0]
    if missing == "complete":
        rows = ~np.isnan(answers).any(axis=1)
        complete = answers[rows]
        cov = _weighted_cov(complete, weights[rows])
        constant = np.ptp(complete, axis=0) == 0 if len(complete) else np.zeros(len(cov), bool)
        return _correlations(cov, int(rows.sum()), constant)
    cov, var, count = _pairwise_cov(answers, weights)
    constant = _constant_on_pairs(answers)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = cov / np.sqrt(var * var.T)
    # A pair on whose rows either item takes one value: no association.
    matrix[constant | constant.T] = 0.0
    np.fill_diagonal(matrix, 1.0)
    matrix[count < 2] = np.nan  # too few rows: undefined, whatever the values
    # An item constant on any pair's rows had that pair's correlation set to 0: list it.
    degenerate = [i for i in range(len(cov)) if (constant[i] & (count[i] >= 2)).any()]
    off_diagonal = count[~np.eye(len(cov), dtype=bool)]
    fewest = int(off_diagonal.min()) if off_diagonal.size else len(answers)
    return Correlations(matrix, fewest, degenerate)


def _constant_on_pairs(answers: Array) -> Array:
    """[i, j]: item i takes a single value on the rows that answered i and j. Decided on
    the values, not on a variance: a weighted mean of 3s can miss 3 by an ulp."""
    answered = ~np.isnan(answers)
    items = answers.shape[1]
    constant = np.zeros((items, items), dtype=bool)
    for j in range(items):
        rows = answers[answered[:, j]]
        if len(rows):
            # fmin / fmax skip NaN (unanswered) without warning on all-NaN columns.
            constant[:, j] = np.fmin.reduce(rows, axis=0) == np.fmax.reduce(rows, axis=0)
    return constant


def _pairwise_cov(answers: Array, weights: Array) -> tuple[Array, Array, Array]:
    """For every pair (i, j), over the rows that answered both: the weighted covariance
    of i and j, the variance of i on those rows, and how many rows. Analytic weights as
    ``_weighted_cov``; NaN where fewer than two rows. Sums as matrix products, so a
    15-item questionnaire costs a few products, not 105 passes over the rows."""
    answered = ~np.isnan(answers)
    mask = answered.astype(float)
    x = np.where(answered, answers, 0.0)
    w = weights[:, None]
    v1 = (w * mask).T @ mask
    v2 = (w**2 * mask).T @ mask
    sx = (w * x).T @ mask  # [i, j]: sum of w x_i over the rows answering i and j
    sxx = (w * x**2).T @ mask
    sxy = (w * x).T @ x  # x is 0 where unanswered: only rows answering both count
    count = mask.T @ mask
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = v1 - v2 / v1
        cov = (sxy - sx * sx.T / v1) / norm
        var = (sxx - sx**2 / v1) / norm
    undefined = (count < 2) | ~(norm > 0)
    cov[undefined] = var[undefined] = np.nan
    return cov, var, count


def _correlations(cov: Array, n: int, constant: Array) -> Correlations:
    items = len(cov)
    if np.isnan(cov).all():
        return Correlations(np.full((items, items), np.nan), n, [])
    degenerate = [i for i in range(items) if constant[i]]
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = cov / np.outer(sd, sd)
    matrix[degenerate, :] = 0.0
    matrix[:, degenerate] = 0.0
    np.fill_diagonal(matrix, 1.0)
    return Correlations(matrix, n, degenerate)


def _weighted_cov(rows: Array, weights: Array) -> Array:
    """Covariance of the columns of ``rows`` with analytic weights, normalised by
    V1 − V2/V1 (np.cov's ``aweights``: n − 1 for unit weights). NaN below two rows."""
    items = rows.shape[1]
    v1 = float(weights.sum())
    v2 = float((weights**2).sum())
    if len(rows) < 2 or v1 <= 0 or v1 - v2 / v1 <= 0:
        return np.full((items, items), np.nan)
    centred = rows - (weights[:, None] * rows).sum(axis=0) / v1
    return np.asarray((weights[:, None] * centred).T @ centred / (v1 - v2 / v1))


def fro(human_corr: Array, simulated_corr: Array) -> float:
    """Frobenius norm of the difference of two correlation matrices (every entry:
    degenerate items already count as 0); NaN if either matrix has an undefined entry."""
    if np.isnan(human_corr).any() or np.isnan(simulated_corr).any():
        return float("nan")
    return float(np.linalg.norm(human_corr - simulated_corr))


@dataclass(frozen=True)
class Alpha:
    value: float
    n: int
    """Rows behind it: complete rows, or (pairwise) rows with at least one answer."""


def cronbach_alpha(
    answers: Array, weights: Array | None = None, missing: MissingRule = "complete"
) -> Alpha:
    """Cronbach's alpha k/(k−1) (1 − tr C / ΣC) from the weighted item covariance C.

    ``complete``: C over the rows that answered every item (pingouin's ``listwise``).
    ``pairwise``: each C_ij over the rows that answered i and j (pingouin's default,
    the form the Anthology code calls). Unit weights give pingouin's numbers exactly."""
    w = np.ones(len(answers)) if weights is None else weights
    items = answers.shape[1]
    answered = ~np.isnan(answers)
    if missing == "complete":
        rows = answered.all(axis=1)
        cov, n = _weighted_cov(answers[rows], w[rows]), int(rows.sum())
    else:
        cov, n = _pairwise_cov(answers, w)[0], int(answered.any(axis=1).sum())
    if items < 2 or n < 2 or np.isnan(cov).any() or cov.sum() <= 0:
        return Alpha(float("nan"), n)
    return Alpha(float(items / (items - 1) * (1 - np.trace(cov) / cov.sum())), n)


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float:
    """(mean a − mean b) / pooled SD; NaN when either group is too small or SD is 0."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        return float("nan")
    pooled = ((len(x) - 1) * x.var(ddof=1) + (len(y) - 1) * y.var(ddof=1)) / (len(x) + len(y) - 2)
    if pooled <= 0:
        return float("nan")
    return float((x.mean() - y.mean()) / np.sqrt(pooled))


def split_half(
    rows: int, statistic: Callable[[Array, Array], float], splits: int = 100, seed: int = 0
) -> float:
    """Mean of ``statistic(half_a, half_b)`` over seeded random halvings of ``rows`` rows.

    The human lower bound: how far two halves of the same population are apart.
    """
    return finite_mean([statistic(a, b) for a, b in halvings(rows, splits, seed)])


def halvings(rows: int, splits: int, seed: int = 0) -> Iterator[tuple[Array, Array]]:
    """``splits`` seeded random halvings of ``rows`` row indices."""
    rng = np.random.default_rng(seed)
    for _ in range(splits):
        order = rng.permutation(rows)
        yield order[: rows // 2], order[rows // 2 :]


def finite_mean(values: Sequence[float]) -> float:
    """Mean of the finite values; NaN when none is."""
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def bootstrap_ci(
    rows: int,
    statistic: Callable[[Array], float],
    resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of ``statistic`` over seeded resamples of ``rows`` rows."""
    rng = np.random.default_rng(seed)
    values = [statistic(rng.integers(0, rows, size=rows)) for _ in range(resamples)]
    finite = np.asarray([v for v in values if np.isfinite(v)])
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)

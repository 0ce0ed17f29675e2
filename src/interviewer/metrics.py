"""Distribution and structure metrics between human and simulated answers (DESIGN.md).

Conventions, stated once and tested (never a silent 0):

- ``wd`` of a one-option question is 0.0: both distributions are the same point mass.
- A question nobody answered has no distribution: it is left out of ``wd_mean`` and
  the caller reports it.
- A correlation with a zero-variance item is undefined (NaN); ``fro`` leaves those
  entries out and says how many it used. ``fro`` over no defined entry is NaN.
- Cronbach's alpha needs at least two items, two complete respondents and a total
  score that varies; otherwise it is NaN.
- Human statistics use the survey weights; simulated respondents weigh 1 each (or
  the number of humans matched to them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import wasserstein_distance

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
    """Wasserstein distance between two distributions over option positions 0..K-1."""
    if len(human) != len(simulated):
        raise ValueError(f"distributions over {len(human)} and {len(simulated)} options")
    if len(human) == 1:
        return 0.0
    positions = np.arange(len(human))
    return float(wasserstein_distance(positions, positions, human, simulated))


def weighted_corr(answers: Array, weights: Array) -> Array:
    """Weighted Pearson correlations between columns, pairwise complete (NaN: undefined)."""
    items = answers.shape[1]
    corr = np.full((items, items), np.nan)
    for i in range(items):
        for j in range(i, items):
            both = ~np.isnan(answers[:, i]) & ~np.isnan(answers[:, j])
            corr[i, j] = corr[j, i] = _corr(answers[both, i], answers[both, j], weights[both])
    return corr


def _corr(x: Array, y: Array, w: Array) -> float:
    if len(x) < 2 or w.sum() <= 0:
        return float("nan")
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    cov = np.average((x - mx) * (y - my), weights=w)
    vx, vy = np.average((x - mx) ** 2, weights=w), np.average((y - my) ** 2, weights=w)
    if vx <= 0 or vy <= 0:
        return float("nan")
    return float(cov / np.sqrt(vx * vy))


@dataclass(frozen=True)
class Frobenius:
    value: float
    entries: int
    """Matrix entries defined in both (the others were left out)."""


def fro(human_corr: Array, simulated_corr: Array) -> Frobenius:
    """Frobenius norm of the difference over entries defined in both matrices."""
    defined = ~np.isnan(human_corr) & ~np.isnan(simulated_corr)
    if not defined.any():
        return Frobenius(float("nan"), 0)
    diff = (human_corr - simulated_corr)[defined]
    return Frobenius(float(np.sqrt((diff**2).sum())), int(defined.sum()))


def cronbach_alpha(answers: Array) -> float:
    """Cronbach's alpha over complete rows (respondents × items)."""
    complete = answers[~np.isnan(answers).any(axis=1)]
    respondents, items = complete.shape
    if items < 2 or respondents < 2:
        return float("nan")
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    item_var = complete.var(axis=0, ddof=1).sum()
    return float(items / (items - 1) * (1 - item_var / total_var))


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

"""How many simulated answers to trust when there is no pilot but a past survey.

Huang, Wu & Wang 2025, "How many human survey respondents is a large language model
worth? An uncertainty quantification perspective" (arXiv 2502.17773). An interval from
k simulated answers, ``mean ± √c·z·sd/√k``, narrows as k grows, but the simulation's
bias does not shrink with it: with too many simulated answers the interval misses the
human answer. On past questions, where both the personas' answers and people's are
known, the miscoverage G(k) — the share of past questions whose k-answer interval
misses the human estimate — is computed for each candidate k, and

    k̂ = the largest k before G first exceeds α/2.

For a new question of the same kind, the interval from k̂ simulated answers then keeps
about (1 − α) average coverage of the human answer, whatever the model's fidelity; k̂
is the paper's *effective human sample size* of the model: it counts as k̂ respondents.
(Compared by width instead, the dilated k̂-answer interval is as wide as a people-only
interval of k̂/c respondents with the same answer spread; we report k̂, as the paper does,
and say which in the report.)

Pass simulated *answers* (one sampled answer per simulated respondent: a 0/1 indicator
of an option, or a rating), not per-persona probabilities: the interval's sd must be
that of single answers, as a human sample's is; probabilities carry only the
between-persona spread (``dispersion``) and would make the intervals too narrow.

Details as the authors' method defines them (read from the paper's abstract and the
authors' public code; our implementation): the interval uses the first k answers in the
order given (so pass them in random order), sd with ``ddof=1``, a dilation ``c = 2``
(the margin is √2 times the CLT margin, which leaves room for the human estimate's own
noise), and the "simple" test: the human sample mean must lie inside the interval,
against a threshold α/2. The human estimate is a sample mean, itself noisy, which the
halved threshold and the dilation absorb (valid when people's samples are large
against k̂). A k̂ of 0 means even the smallest candidate k failed: the model is worth
less than that many respondents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike

from interviewer.errors import UserInputError
from interviewer.inference.checks import column, z_value
from interviewer.inference.estimators import Estimate, normal_interval

K_MIN = 30
"""Smallest default candidate k: below it the CLT interval of a 0/1 share under-covers
by itself (at k = 10 a perfect simulation misses 6% of the time, k = 3 often gives a
zero-width interval), and G(k) would cross α/2 for reasons unrelated to fidelity."""

DILATION = 2.0
"""c: the simulated interval's variance is inflated c-fold (margin × √c)."""


@dataclass(frozen=True)
class SimSize:
    """The chosen simulation size and the miscoverage curve it was read from."""

    k: int
    """k̂: the effective human sample size (0 when no candidate k kept coverage)."""
    ks: tuple[int, ...]
    miscoverage: tuple[float, ...]
    """G(k) for each candidate in ``ks``: share of past questions missed."""
    threshold: float
    questions: int


def interval_at(
    yhat_sims: ArrayLike, k: int, alpha: float = 0.1, dilation: float = DILATION
) -> Estimate:
    """The interval from the first ``k`` simulated answers: mean ± √c·z·sd/√k."""
    z = z_value(alpha)
    sims = column(yhat_sims, "yhat_sims")
    if not 2 <= k <= len(sims):
        raise UserInputError(f"k must lie in 2..{len(sims)} (the simulated answers), got {k}")
    _check_dilation(dilation)
    first = sims[:k]
    se = np.sqrt(dilation) * float(first.std(ddof=1)) / np.sqrt(k)
    return normal_interval(float(first.mean()), float(se), z, k)


def simulation_size(
    past: Sequence[tuple[ArrayLike, float]],
    alpha: float = 0.1,
    ks: Sequence[int] | None = None,
    dilation: float = DILATION,
) -> SimSize:
    """k̂ from past questions, each ``(simulated answers, human estimate)``: the
    largest k (of ``ks``, increasing; default ``K_MIN``..the fewest simulated answers) before
    the share of past questions whose k-answer interval misses the human estimate
    first exceeds α/2."""
    if len(past) < 1:
        raise UserInputError("simulation_size needs at least one past question")
    sims = [column(s, f"past question {i} simulated answers") for i, (s, _) in enumerate(past)]
    humans = [float(h) for _, h in past]
    if not all(np.isfinite(humans)):
        raise UserInputError("a past question's human estimate is missing or infinite")
    _check_dilation(dilation)
    candidates = _candidates(ks, min(len(s) for s in sims))
    threshold = alpha / 2
    z = z_value(alpha)
    misses = np.array(
        [_misses(a, h, candidates, z, dilation) for a, h in zip(sims, humans, strict=True)]
    )
    curve = tuple(float(m) for m in misses.mean(axis=0))
    return SimSize(
        _first_crossing(candidates, curve, threshold), candidates, curve, threshold, len(past)
    )


def _misses(
    sims: np.ndarray, human: float, ks: tuple[int, ...], z: float, dilation: float
) -> np.ndarray:
    """For each k of ``ks``: does the first-k interval miss ``human``? (Prefix sums:
    all k at once, the same numbers as ``interval_at``.)"""
    k = np.asarray(ks, dtype=np.float64)
    index = np.asarray(ks) - 1
    mean = np.cumsum(sims)[index] / k
    centred = np.cumsum((sims - sims[0]) ** 2)[index] - k * (mean - sims[0]) ** 2
    sd = np.sqrt(np.maximum(centred, 0.0) / (k - 1))  # shifted by sims[0]: stable sums
    margin = z * np.sqrt(dilation) * sd / np.sqrt(k)
    missed: np.ndarray = np.abs(human - mean) > margin
    return missed


def _first_crossing(ks: tuple[int, ...], curve: tuple[float, ...], threshold: float) -> int:
    # The first crossing, not the largest k under the threshold: G(k) rises with k in
    # expectation, and a later dip below the line is noise, not coverage regained.
    for index, missed in enumerate(curve):
        if missed > threshold:
            return ks[index - 1] if index > 0 else 0
    return ks[-1]


def _candidates(ks: Sequence[int] | None, available: int) -> tuple[int, ...]:
    if ks is None:
        if available < K_MIN:
            raise UserInputError(
                f"a past question has {available} simulated answers; the default candidates "
                f"need at least {K_MIN} (or pass ks)"
            )
        return tuple(range(K_MIN, available + 1))
    chosen = tuple(int(k) for k in ks)
    if not chosen or any(b <= a for a, b in pairwise(chosen)):
        raise UserInputError(f"ks must be increasing and not empty, got {list(chosen)}")
    if chosen[0] < 2 or chosen[-1] > available:
        raise UserInputError(
            f"ks must lie in 2..{available} (the fewest simulated answers of a past question)"
        )
    return chosen


def _check_dilation(dilation: float) -> None:
    if not dilation >= 1:
        raise UserInputError(f"dilation must be at least 1, got {dilation}")

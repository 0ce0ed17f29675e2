"""Are the personas' answers as spread out as people's? Per question, on the answer scale.

Simulated populations are known to be under-dispersed: the personas' answers vary less
than people's. This module compares the spread of one answer from a random persona with
the spread of one answer from a random (weighted) person:

- ordinal questions: the variance of the rating 1..K;
- nominal questions: the Gini–Simpson index ``1 − Σ p_k²``, the chance that two
  independent answers differ (a variance for categories: it is the total variance of
  the one-hot answer vector).

A persona is given as a probability distribution over the options (read from the
model's log-probabilities, or a one-hot row for a single sampled answer). For both
measures the spread of the pooled answers splits exactly into two parts:

    mixture  = within + between
    ordinal:  Var(rating)  = mean_i Var_i(rating) + Var_i(mean rating of persona i)
    nominal:  GS(p̄)       = mean_i GS(p_i)       + mean_i ‖p_i − p̄‖²

``mixture`` is what a person's answer is compared with: both are the spread of a single
answer. ``between`` is the part due to personas differing from each other — the only
part a persona-level prediction carries into an estimator such as ``naive`` or
``rectified`` (their ŷ is the persona's expected answer). A model that gives every
persona the same diffuse distribution can match people's mixture spread with a
``between`` of 0; one-hot personas have ``within`` = 0. We warn on ``mixture`` (the
like-for-like comparison) and report ``between`` beside it.

The warning threshold, ``UNDER_DISPERSED = 0.5``: if persona answers have a fraction r
of people's variance, an interval computed from them as if they were people's is √r
times as wide as it should be, so even with no bias a nominal (1 − α) interval covers
only ``2Φ(z_{1−α/2}·√r) − 1`` — 76% instead of 90% at r = 0.5 (and the personas' bias
comes on top). Below that we call naive intervals misleading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

from interviewer.errors import UserInputError
from interviewer.inference.checks import normalised

UNDER_DISPERSED = 0.5
"""Simulated / human spread under which naive intervals are called misleading."""

Scale = Literal["ordinal", "nominal"]


@dataclass(frozen=True)
class Dispersion:
    """One question's spread of answers, human and simulated, on one ``scale``."""

    scale: Scale
    human: float
    simulated: float
    """Mixture spread of the personas' answers (within + between)."""
    between: float
    """The part of ``simulated`` due to personas differing from each other."""

    @property
    def ratio(self) -> float:
        """simulated / human (inf when people all gave one answer and personas did not)."""
        if self.human == 0:
            return float("inf") if self.simulated > 0 else 1.0
        return self.simulated / self.human

    def warning(self, alpha: float = 0.1, threshold: float = UNDER_DISPERSED) -> str | None:
        """A one-line warning when the personas are under-dispersed, else None."""
        if self.ratio >= threshold:
            return None
        covers = naive_coverage(self.ratio, alpha)
        measure = "variance" if self.scale == "ordinal" else "Gini–Simpson spread"
        return (
            f"personas under-dispersed: their answers' {measure} is {self.ratio:.2f} of "
            f"people's (threshold {threshold}); a naive {1 - alpha:.0%} interval would "
            f"cover about {covers:.0%} even if unbiased"
        )


def naive_coverage(ratio: float, alpha: float = 0.1) -> float:
    """Coverage of a nominal (1 − α) interval whose width is √ratio of the right one."""
    z = float(norm.ppf(1 - alpha / 2))
    return float(2 * norm.cdf(z * np.sqrt(ratio)) - 1)


def dispersion(
    human_answers: ArrayLike,
    persona_probs: ArrayLike,
    scale: Scale,
    human_weights: ArrayLike | None = None,
    persona_weights: ArrayLike | None = None,
) -> Dispersion:
    """Compare people's answers (0-based option indices, optionally survey-weighted)
    with the personas' (one row per persona: a distribution over the same options,
    in listed order; ordinal ratings are the option positions 1..K). ``persona_weights``
    weight the personas' rows (e.g. the frame weights of the rows they stand for)."""
    probs = _probabilities(persona_probs)
    options = probs.shape[1]
    answers = _answers(human_answers, options)
    weights = normalised(human_weights, len(answers), "human_weights")
    human_dist = np.bincount(answers, weights=weights, minlength=options) / weights.sum()
    share = normalised(persona_weights, len(probs), "persona_weights") / len(probs)
    if scale == "ordinal":
        human, simulated, between = _ordinal(human_dist, probs, share)
    elif scale == "nominal":
        human, simulated, between = _nominal(human_dist, probs, share)
    else:
        raise UserInputError(f"scale must be 'ordinal' or 'nominal', got {scale!r}")
    return Dispersion(scale, human, simulated, between)


Floats = NDArray[np.float64]


def _ordinal(human_dist: Floats, probs: Floats, share: Floats) -> tuple[float, float, float]:
    """``share``: each persona's weight, summing to 1."""
    ratings = np.arange(1, probs.shape[1] + 1, dtype=np.float64)
    means = probs @ ratings
    between = float(share @ (means - share @ means) ** 2)
    return _variance(human_dist, ratings), _variance(share @ probs, ratings), between


def _nominal(human_dist: Floats, probs: Floats, share: Floats) -> tuple[float, float, float]:
    pooled = share @ probs
    between = float(share @ np.sum((probs - pooled) ** 2, axis=1))
    return _gini_simpson(human_dist), _gini_simpson(pooled), between


def _variance(dist: Floats, ratings: Floats) -> float:
    mean = float(dist @ ratings)
    return float(dist @ (ratings - mean) ** 2)


def _gini_simpson(dist: Floats) -> float:
    return float(1.0 - np.sum(dist**2))


def _probabilities(persona_probs: ArrayLike) -> Floats:
    probs = np.asarray(persona_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] < 1 or probs.shape[1] < 2:
        raise UserInputError(
            f"persona_probs must be personas × options (≥ 2 options), got shape {probs.shape}"
        )
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
        raise UserInputError("persona_probs must be finite and non-negative")
    sums = probs.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-6):
        worst = int(np.argmax(np.abs(sums - 1.0)))
        raise UserInputError(f"persona_probs row {worst} sums to {sums[worst]:.6g}, not 1")
    return probs


def _answers(human_answers: ArrayLike, options: int) -> NDArray[np.int64]:
    raw = np.asarray(human_answers, dtype=np.float64)
    if raw.ndim != 1 or len(raw) < 2:
        raise UserInputError(f"human_answers must be a 1-D array of ≥ 2 answers, got {raw.shape}")
    if not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw)):
        raise UserInputError("human_answers must be whole option indices (no missing values)")
    if raw.min() < 0 or raw.max() >= options:
        raise UserInputError(
            f"human_answers must be option indices 0..{options - 1}, got {raw.min():g}..{raw.max():g}"
        )
    return raw.astype(np.int64)

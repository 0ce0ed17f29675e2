"""Mean estimators with normal (CLT) confidence intervals: classical, naive, rectified.

The estimand is a population mean: an option's share (y is its 0/1 indicator) or a
mean rating. Three readings of it:

- ``classical``: real answers only (the pilot), ``mean(y) ± z·sd(y)/√n``.
- ``naive``: persona predictions over the frame only, the same formula on ``yhat_frame``.
  Its interval is a statement about the personas, not the population: it ignores the
  simulation's bias, so it under-covers whenever the personas are off (labelled naive).
- ``rectified``: prediction-powered inference with power tuning (PPI++; Angelopoulos,
  Bates, Fannjiang, Jordan & Zrnic, Science 2023; Angelopoulos, Duchi & Zrnic 2023,
  arXiv 2311.01453). With ``N`` frame rows and ``n`` pilot rows,

      θ̂_λ = λ·mean(ŷ_frame) + mean(y − λ·ŷ)
      se² = λ²·var(ŷ_frame)/N + var(y − λ·ŷ)/n

  valid for every fixed λ however biased ŷ is (the pilot term corrects the bias). The
  power-tuned λ minimises se² to first order:
  ``λ* = cov(y, ŷ) / ((1 + n/N)·var(ŷ))``, with ``var(ŷ)`` pooled over pilot and frame
  rows; it is clipped to [0, 1], so λ = 0 falls back to the pilot alone and λ = 1 is
  plain PPI.

Conventions (those of the authors' ``ppi-python``, our test oracle, so the two agree to
1e-9): variances of the terms use ``ddof=0``, except the pooled ``var(ŷ)`` of λ*
(``ddof=1``); λ* is estimated at the λ = 1 point estimate; z is the two-sided normal
quantile ``Φ⁻¹(1 − α/2)``.

Weights: survey weights are rescaled to mean 1 within their sample (pilot weights over
the pilot, frame weights over the frame), so only their ratios matter, and each mean is
the ratio (Hájek) mean ``mean(w·y)``. Its variance is the linearised one,
``var(w·(y − θ̂))/n`` = ``Σ w²·(y − θ̂)² / (Σ w)²``: every weighted row enters centred at
its own sample's weighted mean (``w·(y − μ_y)``, ``w·(ŷ − μ_ŷ)``,
``w_frame·(ŷ_frame − m_frame)``). Unweighted this is the formula above, and ppi-python's
exactly. ppi-python instead holds the normalised weights fixed, ``var(w·y)/n``, which
counts the weights' own spread as uncertainty: a pilot whose members all answer alike
got a non-zero width, the GSS shares' variance came out 1.26× the linearised one, and
the excess, partly cancelled by any prediction, showed up as a spurious effective sample
size (ESS 620 for a 100-person pilot of a flat model). The tests check ours against
ppi-python on rows centred this way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from interviewer.errors import UserInputError
from interviewer.inference.checks import Array, column, normalised, z_value


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its two-sided (1 − α) interval."""

    value: float
    lower: float
    upper: float
    n: int
    """Labelled rows used (pilot) for classical and rectified; frame rows for naive."""
    lam: float | None = None
    """PPI++ power-tuning weight (rectified only): 0 = pilot only, 1 = plain PPI."""

    @property
    def width(self) -> float:
        return self.upper - self.lower


def classical(y: ArrayLike, alpha: float = 0.1, weights: ArrayLike | None = None) -> Estimate:
    """The CLT interval of a (weighted) mean of real answers ``y``."""
    return _mean_interval(y, alpha, weights, ("y", "weights"))


def naive(
    yhat_frame: ArrayLike, alpha: float = 0.1, frame_weights: ArrayLike | None = None
) -> Estimate:
    """Personas only: the CLT interval of the predictions' (weighted) mean over the frame.

    Its width shrinks with the number of personas whatever their bias, which is why it
    is labelled naive: it is an interval for the personas' mean, not the population's."""
    return _mean_interval(yhat_frame, alpha, frame_weights, ("yhat_frame", "frame_weights"))


def rectified(
    y: ArrayLike,
    yhat: ArrayLike,
    yhat_frame: ArrayLike,
    alpha: float = 0.1,
    weights: ArrayLike | None = None,
    frame_weights: ArrayLike | None = None,
    lam: float | None = None,
) -> Estimate:
    """PPI++: pilot answers ``y`` with their predictions ``yhat`` rectify the frame's
    predictions ``yhat_frame``. ``lam=None`` power-tunes λ (clipped to [0, 1]);
    ``lam=1`` is plain PPI, ``lam=0`` the classical pilot interval."""
    z = z_value(alpha)
    labels, paired, frame = (
        column(y, "y"),
        column(yhat, "yhat"),
        column(yhat_frame, "yhat_frame"),
    )
    if len(paired) != len(labels):
        raise UserInputError(f"yhat has {len(paired)} rows but y has {len(labels)}: pair them")
    w = normalised(weights, len(labels), "weights")
    w_frame = normalised(frame_weights, len(frame), "frame_weights")
    wy, wyhat, wframe = w * labels, w * paired, w_frame * frame
    if lam is None:
        lam = _tuned_lambda(wy, wyhat, wframe, w, w_frame)
    elif not np.isfinite(lam):
        raise UserInputError(f"lam must be a finite number, got {lam}")
    rectifier = wy - lam * wyhat
    value = lam * float(wframe.mean()) + float(rectifier.mean())
    # linearised: each weighted row centred at its own sample's weighted mean
    frame_term = _centred(w_frame, frame).var() / len(frame)
    pilot_term = (_centred(w, labels) - lam * _centred(w, paired)).var() / len(labels)
    se = np.sqrt(lam**2 * frame_term + pilot_term)
    estimate = normal_interval(value, float(se), z, len(labels))
    return Estimate(estimate.value, estimate.lower, estimate.upper, estimate.n, float(lam))


def effective_sample_size(pilot: Estimate, rectified: Estimate) -> float:
    """Real respondents the rectified estimate is worth: the pilot size a pilot-only
    interval would need to be as narrow, ``n_pilot·(pilot.width / rectified.width)²``
    (widths scale as 1/√n). Respondents of the pilot's own design: a weighted pilot's
    design effect is in both widths, so it cancels out of the ratio."""
    if rectified.width <= 0:
        raise UserInputError("the rectified interval has zero width: no sample size matches it")
    return pilot.n * (pilot.width / rectified.width) ** 2


# ── helpers ────────────────────────────────────────────────────────────────


def _mean_interval(
    values: ArrayLike, alpha: float, weights: ArrayLike | None, names: tuple[str, str]
) -> Estimate:
    z = z_value(alpha)
    observed = column(values, names[0])
    w = normalised(weights, len(observed), names[1])
    value = float((w * observed).mean())
    se = float(_centred(w, observed).std()) / np.sqrt(len(observed))
    return normal_interval(value, se, z, len(observed))


def _centred(w: Array, values: Array) -> Array:
    """``w·(values − weighted mean)``, the rows of the linearised variance (``w`` at
    mean 1)."""
    return w * (values - float((w * values).mean()))


def _tuned_lambda(wy: Array, wyhat: Array, wframe: Array, w: Array, w_frame: Array) -> float:
    """λ* = cov(y, ŷ) / ((1 + n/N)·var(ŷ)) on the weighted rows, centred at the λ = 1
    estimate θ̂ (the weighted rows are w·(value − θ̂): the centring matters when
    weights vary, since pilot and frame rows then shift by different amounts)."""
    n, big_n = len(wy), len(wframe)
    theta = float(wframe.mean() + (wy - wyhat).mean())
    labelled = wy - w * theta
    predicted = wyhat - w * theta
    pooled = np.concatenate([predicted, wframe - w_frame * theta])
    covariance = float(np.mean((labelled - labelled.mean()) * (predicted - predicted.mean())))
    variance = float(pooled.var(ddof=1))
    if variance == 0.0:
        # constant predictions carry no information: the pilot alone (ppi-python: NaN)
        return 0.0
    return float(np.clip(covariance / ((1 + n / big_n) * variance), 0.0, 1.0))


def normal_interval(value: float, se: float, z: float, n: int) -> Estimate:
    """``value ± z·se``."""
    return Estimate(float(value), float(value - z * se), float(value + z * se), n)

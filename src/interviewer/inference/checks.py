"""Input checks shared by the inference modules: each bad input is one clear line."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

from interviewer.errors import UserInputError

Array = NDArray[np.float64]


def column(values: ArrayLike, name: str) -> Array:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise UserInputError(f"{name} must be a 1-D array, got shape {array.shape}")
    if len(array) < 2:
        raise UserInputError(f"{name} needs at least 2 rows for an interval, got {len(array)}")
    if not np.all(np.isfinite(array)):
        raise UserInputError(
            f"{name} has {int(np.sum(~np.isfinite(array)))} missing or infinite values"
        )
    return array


def normalised(weights: ArrayLike | None, n: int, name: str) -> Array:
    """Weights rescaled to mean 1 (all ones when None)."""
    if weights is None:
        return np.ones(n)
    array = np.asarray(weights, dtype=np.float64)
    if array.shape != (n,):
        raise UserInputError(f"{name} must have one value per row ({n}), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise UserInputError(f"{name} has missing or infinite values")
    if np.any(array < 0):
        raise UserInputError(f"{name} must not be negative (smallest is {array.min()})")
    if array.sum() <= 0:
        raise UserInputError(f"{name} sum to 0: nothing to weight by")
    return array / float(array.mean())


def z_value(alpha: float) -> float:
    """Φ⁻¹(1 − α/2), the two-sided normal quantile."""
    if not 0.0 < alpha < 1.0:
        raise UserInputError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    return float(norm.ppf(1.0 - alpha / 2.0))

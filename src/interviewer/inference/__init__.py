"""Population estimates from personas and a small pilot of real answers.

Pure statistics over numpy arrays (no model, no file I/O): the estimators of
``estimators`` (classical, naive, rectified = PPI++), the dispersion check of
``dispersion``, and the adaptive simulation size of ``simsize``.
"""

from __future__ import annotations

from interviewer.inference.dispersion import UNDER_DISPERSED, Dispersion, dispersion
from interviewer.inference.estimators import (
    Estimate,
    classical,
    effective_sample_size,
    naive,
    rectified,
)
from interviewer.inference.simsize import SimSize, interval_at, simulation_size

__all__ = [
    "UNDER_DISPERSED",
    "Dispersion",
    "Estimate",
    "SimSize",
    "classical",
    "dispersion",
    "effective_sample_size",
    "interval_at",
    "naive",
    "rectified",
    "simulation_size",
]

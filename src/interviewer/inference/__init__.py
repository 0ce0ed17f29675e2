"""Population estimates from personas and a small pilot of real answers.

Pure statistics over numpy arrays (no model, no file I/O): the estimators of
``estimators`` (classical, naive, rectified = PPI++), the dispersion check of
``dispersion``, and the adaptive simulation size of ``simulation_size``.
"""

from __future__ import annotations

from interviewer.inference.estimators import (
    Estimate,
    classical,
    effective_sample_size,
    naive,
    rectified,
)

__all__ = ["Estimate", "classical", "effective_sample_size", "naive", "rectified"]

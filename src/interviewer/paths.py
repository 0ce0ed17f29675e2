"""Where run-time resources (prompts, evals, sample personas) and caches live.

The folders sit at the repository root so people can read and edit them. A built wheel
carries copies under ``interviewer/_data``; an editable install reads the checkout.
"""

from __future__ import annotations

import functools
from pathlib import Path

from interviewer.errors import InterviewerError

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parents[1]


@functools.cache  # asked on every prompt render; where the package lies does not change
def resource_dir(name: str) -> Path:
    """The folder ``name`` (prompts, evals, personas, graphs) from a wheel or a checkout."""
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = _CHECKOUT_DIR / name
    if checkout.is_dir():
        return checkout
    raise InterviewerError(
        f"resource folder {name!r} not found in {packaged} or {checkout}; reinstall the package"
    )


def default_cache_dir() -> Path:
    """Per-user cache for the assembled model file, the LLM response cache and logs."""
    return Path.home() / ".cache" / "interviewer"

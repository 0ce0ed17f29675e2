"""Read top logprobs from any OpenAI-compatible completion, and score options with them.

Two shapes exist in the wild, and one adapter reads both:

* legacy / vLLM: ``{"tokens": [...], "top_logprobs": [{" A": -0.1, " B": -2.3}, ...]}``
* llama.cpp: ``{"content": [{"token": " A", "logprob": -0.1,
  "top_logprobs": [{"token": " A", "logprob": -0.1}, ...]}, ...]}``
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from interviewer.errors import ModelOutputError


def top_logprobs_by_position(raw: Mapping[str, Any] | None) -> list[dict[str, float]]:
    """One {token: logprob} dict per generated position; [] when there are none."""
    if not raw:
        return []
    content = raw.get("content")
    if content:
        return [
            _merge((alt["token"], alt["logprob"]) for alt in pos.get("top_logprobs") or [])
            for pos in content
        ]
    legacy = raw.get("top_logprobs")
    if legacy:
        return [_merge((dict(pos or {})).items()) for pos in legacy]
    return []


def _merge(pairs: Any) -> dict[str, float]:
    # Distinct token ids can decode to the same string; their probabilities add up.
    merged: dict[str, float] = {}
    for token, logprob in pairs:
        value = float(logprob)
        merged[token] = float(np.logaddexp(merged[token], value)) if token in merged else value
    return merged


class NoOptionLetter(ModelOutputError):
    """Logprobs came back, but no option letter was among the top-k alternatives; the
    caller falls back to sampling for that answer."""


@dataclass(frozen=True)
class OptionScores:
    """A distribution over answer options read from next-token logprobs."""

    probs: tuple[float, ...]
    """Renormalised over the options; sums to 1."""
    letter_mass: float
    """Probability the model put on any option letter before renormalising."""


def option_distribution(top: Mapping[str, float], letters: Sequence[str]) -> OptionScores:
    """Probability of each option letter (" A", "A", ... count alike), renormalised.

    Letters missing from the top-k get probability 0. Raises ``NoOptionLetter`` when
    no letter is among the alternatives at all: the survey then falls back to sampling
    (``survey/answering.py``) and records it in the answer's ``mode``.
    """
    mass = dict.fromkeys(letters, 0.0)
    for token, logprob in top.items():
        key = token.strip()
        if key in mass:
            mass[key] += math.exp(logprob)
    total = sum(mass.values())
    if total <= 0.0:
        shown = ", ".join(repr(t) for t in list(top)[:5])
        raise NoOptionLetter(f"no option letter among the top logprobs ({shown})")
    return OptionScores(probs=tuple(mass[letter] / total for letter in letters), letter_mass=total)

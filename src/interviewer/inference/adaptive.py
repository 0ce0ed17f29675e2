"""No pilot, but a past survey: how many simulated answers to trust (``simsize``, the
adaptive simulation size of Huang, Wu & Wang 2025, arXiv 2502.17773).

A simulated respondent is a frame respondent drawn in proportion to its weight, who
answers by drawing from its matched persona's distribution (seeded). On the past
survey (past questions answered by the same personas, and by people whose file gives
the human shares), ``simulation_size`` finds k̂, the number of simulated answers whose
interval still covers people's share at the nominal rate; on the new questions each
option's interval is then the one from k̂ simulated answers (``interval_at``), and k̂ is
the personas' effective human sample size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interviewer.inference.estimators import Estimate
from interviewer.inference.population import Population, Predicted
from interviewer.inference.simsize import SimSize, interval_at, simulation_size


@dataclass(frozen=True)
class Adaptive:
    size: SimSize
    intervals: dict[str, list[Estimate]]
    """Question id -> each option's interval from k̂ simulated answers (empty at k̂ = 0)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "k": self.size.k,
            "past_targets": self.size.questions,
            "threshold": self.size.threshold,
            "ks": [self.size.ks[0], self.size.ks[-1]],
            "method": "Huang, Wu & Wang 2025 (arXiv 2502.17773): the largest k before the "
            "share of past options whose k-answer interval misses people's share exceeds "
            "alpha/2",
        }


def simulated_answers(side: Predicted, qid: str, size: int, seed: int) -> np.ndarray:
    """``size`` simulated answers (option indices) in random order: frame rows drawn by
    weight, each answering from its persona's probabilities."""
    rng = np.random.default_rng([seed, sum(map(ord, qid))])
    weights = side.people.weights / side.people.weights.sum()
    rows = rng.choice(len(weights), size, p=weights)
    probs = side.probs[qid][rows]
    cumulative = probs.cumsum(axis=1)
    draws = (rng.random((size, 1)) > cumulative).sum(axis=1)
    answers: np.ndarray = np.minimum(draws, probs.shape[1] - 1)
    return answers


def adaptive(population: Population, past: Population, alpha: float, seed: int = 0) -> Adaptive:
    """k̂ from ``past`` (its pilot holds people's past answers), intervals for the new
    questions of ``population`` at k̂."""
    assert past.pilot is not None  # api.infer builds the past with its humans as pilot
    humans = past.pilot.people
    targets: list[tuple[np.ndarray, float]] = []
    for question in past.questionnaire.questions:
        answers = humans.answers[question.id]
        kept = ~np.isnan(answers)
        sims = simulated_answers(past.frame, question.id, len(humans), seed)
        for k in range(len(question.options)):
            share = float(np.average(answers[kept] == k, weights=humans.weights[kept]))
            targets.append(((sims == k).astype(np.float64), share))
    size = simulation_size(targets, alpha)
    intervals: dict[str, list[Estimate]] = {}
    if size.k:
        for question in population.questionnaire.questions:
            sims = simulated_answers(population.frame, question.id, size.k, seed)
            intervals[question.id] = [
                interval_at((sims == k).astype(np.float64), size.k, alpha)
                for k in range(len(question.options))
            ]
    return Adaptive(size, intervals)

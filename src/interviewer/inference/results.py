"""The estimates of ``interviewer infer``: per question, option and subgroup, three
intervals side by side, and their effective sample size.

- ``naive``: the personas only (their predictions averaged over the frame).
- ``pilot``: the pilot's real answers only.
- ``rectified``: PPI++ (power-tuned λ), the frame's predictions corrected by the pilot.

With a pilot, each question's dispersion: the variance of the rating 1..K of the
personas' answers (one row per frame respondent, frame-weighted) against the pilot's (``dispersion``),
with a warning where the personas are under-dispersed enough to mislead a naive
interval.

Targets: each option's share (y = 1 when the respondent chose it) and the mean option
number (1 = first listed; a rating where the options are ordered). A pilot respondent
who left a question blank is out of that question's pilot (``n`` says how many count).

Effective sample size of one estimate: ``n · (pilot width / rectified width)²``, the
pilot size a pilot-only interval would need to be as narrow (``estimators``). Over a
question's options, and over all questions: the same ratio on the summed squared widths
(the mean variance), so a near-certain option cannot dominate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interviewer.contracts.questionnaire import Question
from interviewer.errors import UserInputError
from interviewer.inference.dispersion import Dispersion, dispersion
from interviewer.inference.estimators import (
    Estimate,
    classical,
    effective_sample_size,
    naive,
    rectified,
)
from interviewer.inference.population import Population, Predicted

MIN_PILOT = 2
"""Fewer pilot answers than this in a group: no pilot or rectified interval there."""


@dataclass(frozen=True)
class Target:
    """One estimand (an option's share, or the mean option number) in one group."""

    label: str
    naive: Estimate
    pilot: Estimate | None
    rectified: Estimate | None

    @property
    def ess(self) -> float | None:
        if self.pilot is None or self.rectified is None or self.rectified.width <= 0:
            return None  # a zero-width rectified interval matches no sample size
        return effective_sample_size(self.pilot, self.rectified)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "naive": estimate_json(self.naive),
            "pilot": estimate_json(self.pilot),
            "rectified": estimate_json(self.rectified),
            "ess": finite_or_none(self.ess),
        }


@dataclass(frozen=True)
class Group:
    """One question's estimates within one group of the frame."""

    n_frame: int
    n_pilot: int
    options: list[Target]
    mean: Target
    note: str | None = None
    """Why pilot and rectified are missing here (too few pilot answers)."""
    dispersion: Dispersion | None = None
    """The personas' spread of answers against the pilot's (None: no pilot here)."""
    alpha: float = 0.1

    @property
    def ess(self) -> float | None:
        return pooled_ess(self.options)

    def to_json(self) -> dict[str, Any]:
        return {
            "n_frame": self.n_frame,
            "n_pilot": self.n_pilot,
            "ess": finite_or_none(self.ess),
            "options": [t.to_json() for t in self.options],
            "mean": self.mean.to_json(),
            "note": self.note,
            "dispersion": _dispersion_json(self.dispersion, self.alpha),
        }


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    overall: Group
    by: dict[str, Group] = field(default_factory=dict)
    """Subgroup value -> its estimates (``--by``)."""


def pooled_ess(targets: Sequence[Target]) -> float | None:
    """``n · Σ pilot width² / Σ rectified width²`` over targets that have both, ``n``
    the mean pilot answers behind them (``pooled_n``)."""
    pairs = [(t.pilot, t.rectified) for t in targets if t.ess is not None]
    n = pooled_n(targets)
    if not pairs or n is None:
        return None
    pilot = sum(p.width**2 for p, _ in pairs if p is not None)
    rect = sum(r.width**2 for _, r in pairs if r is not None)
    return n * pilot / rect


def pooled_n(targets: Sequence[Target]) -> float | None:
    """Mean pilot answers over the targets with an ESS: what the pooled ESS compares
    with (below the pilot's size where some left a question blank)."""
    counts = [t.pilot.n for t in targets if t.ess is not None and t.pilot is not None]
    return float(np.mean(counts)) if counts else None


@dataclass(frozen=True)
class Estimates:
    questions: list[QuestionResult]
    notes: list[str]
    """Groups left out, and why."""

    @property
    def ess(self) -> float | None:
        """Over every question's options, overall (``pooled_ess``)."""
        return pooled_ess(self.targets)

    @property
    def n(self) -> float | None:
        """The mean pilot answers the overall ESS compares with (``pooled_n``)."""
        return pooled_n(self.targets)

    @property
    def targets(self) -> list[Target]:
        return [t for r in self.questions for t in r.overall.options]


def estimate(population: Population, alpha: float, by: str | None = None) -> Estimates:
    """Every question's estimates, overall and (``by`` a demographic trait) per group."""
    groups, notes = _subgroups(population, by)
    results = []
    for question in population.questionnaire.questions:
        everyone = _rows(population.frame), _rows(population.pilot)
        overall = _group(population, question, alpha, *everyone)
        within = {
            value: _group(population, question, alpha, *rows) for value, rows in groups.items()
        }
        results.append(QuestionResult(question, overall, within))
    return Estimates(results, notes)


def _rows(side: Predicted | None) -> np.ndarray:
    return np.arange(len(side.people)) if side is not None else np.arange(0)


def _subgroups(
    population: Population, by: str | None
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[str]]:
    """Group value -> (frame rows, pilot rows), in the trait's order of options; groups
    with fewer than two frame respondents are left out, with a note."""
    if by is None:
        return {}, []
    frame_values = population.frame.people.demographics[by]
    pilot_values = population.pilot.people.demographics[by] if population.pilot else []
    present = [v for v in dict.fromkeys(frame_values) if v is not None]
    if not present:
        raise UserInputError(f"--by {by}: no frame respondent has a value for {by}")
    groups, notes = {}, []
    for value in sorted(present, key=_option_order(by)):
        frame_rows = np.flatnonzero([v == value for v in frame_values])
        if len(frame_rows) < MIN_PILOT:
            notes.append(
                f"--by {by}: group {value!r} has {len(frame_rows)} frame respondent(s), left out"
            )
            continue
        pilot_rows = np.flatnonzero([v == value for v in pilot_values]).astype(np.int64)
        groups[value] = (frame_rows, pilot_rows)
    blank = sum(v is None for v in frame_values)
    if blank:
        notes.append(f"--by {by}: {blank} frame respondent(s) with no {by} value are in no group")
    return groups, notes


def _option_order(by: str) -> Any:
    from interviewer.contracts.demographics import traits

    options = traits()[by].options
    return lambda value: options.index(value) if value in options else len(options)


def _group(
    population: Population,
    question: Question,
    alpha: float,
    frame_rows: np.ndarray,
    pilot_rows: np.ndarray,
) -> Group:
    frame, pilot = population.frame, population.pilot
    f_probs = frame.probs[question.id][frame_rows]
    f_weights = frame.people.weights[frame_rows]
    numbers = np.arange(1, len(question.options) + 1, dtype=np.float64)
    answers = np.empty(0)
    p_probs, p_weights = np.empty((0, len(question.options))), np.empty(0)
    if pilot is not None:
        answered = pilot_rows[~np.isnan(pilot.people.answers[question.id][pilot_rows])]
        answers = pilot.people.answers[question.id][answered]
        p_probs, p_weights = pilot.probs[question.id][answered], pilot.people.weights[answered]
    usable = len(answers) >= MIN_PILOT and p_weights.sum() > 0
    note = None
    if pilot is not None and not usable:
        note = f"{len(answers)} pilot answer(s) here: too few for a pilot or rectified interval"

    def target(label: str, y: np.ndarray, yhat: np.ndarray, yhat_frame: np.ndarray) -> Target:
        first = naive(yhat_frame, alpha, f_weights)
        if not usable:
            return Target(label, first, None, None)
        return Target(
            label,
            first,
            classical(y, alpha, p_weights),
            rectified(y, yhat, yhat_frame, alpha, p_weights, f_weights),
        )

    options = [
        target(label, (answers == k).astype(np.float64), p_probs[:, k], f_probs[:, k])
        for k, label in enumerate(question.options)
    ]
    mean = target("mean option number", answers + 1.0, p_probs @ numbers, f_probs @ numbers)
    # The personas as the frame sees them (one row per frame respondent, frame-weighted)
    # against the pilot's weighted answers; options are ordered (the questionnaire
    # contract).
    spread = dispersion(answers, f_probs, "ordinal", p_weights, f_weights) if usable else None
    return Group(len(frame_rows), len(answers), options, mean, note, spread, alpha)


def estimate_json(e: Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "value": e.value,
        "lower": e.lower,
        "upper": e.upper,
        "width": e.width,
        "n": e.n,
        "lam": e.lam,
    }


def _dispersion_json(d: Dispersion | None, alpha: float) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "scale": d.scale,
        "human": d.human,
        "simulated": d.simulated,
        "between": d.between,
        "ratio": finite_or_none(d.ratio),
        "warning": d.warning(alpha),
    }


def finite_or_none(value: float | None) -> float | None:
    """JSON has no inf/NaN: an undefined figure is null, never 0."""
    return value if value is not None and math.isfinite(value) else None

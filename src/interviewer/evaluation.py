"""Score simulated answers against real human answers (DESIGN.md metric definitions).

The simulated distribution of a question is the mean of the respondents' ``probs``;
individual answers (for correlations and alpha) are the drawn ``answer``. Humans use
their survey weights; a simulated respondent weighs the number of humans matched to it
(when a match file is given), else 1. The human lower bound compares random halves of
the humans with each other. Subgroups label simulated respondents by the human they
stand for: the same respondent for demographic baselines, the matched human for
personas (or, without a match file, the persona's most likely demographics).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.demographics import most_likely
from interviewer.errors import UserInputError
from interviewer.humans import HumanData
from interviewer.metrics import (
    bootstrap_ci,
    cronbach_alpha,
    finite_mean,
    fro,
    halvings,
    wd,
    weighted_corr,
    weighted_distribution,
)
from interviewer.survey.questionnaire import Questionnaire
from interviewer.survey.responses import SimulatedResponse

SUBGROUP_TRAITS = ("party", "race", "age")


@dataclass(frozen=True)
class Table:
    """Respondents × questions: answers (NaN = none), weights, and per-row probs."""

    ids: list[str]
    answers: np.ndarray
    weights: np.ndarray
    probs: list[dict[str, list[float]]] = field(default_factory=list)
    """Simulated only: question id -> probs, per row."""
    prob_cache: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """``probs`` as arrays per question, filled on first use (see ``_prob_matrix``)."""

    def rows(self, index: np.ndarray) -> Table:
        return Table(
            [self.ids[i] for i in index],
            self.answers[index],
            self.weights[index],
            [self.probs[i] for i in index] if self.probs else [],
        )


@dataclass
class Scores:
    """The metrics of one simulated table (or one half of the humans) against humans."""

    n: int
    wd: dict[str, float]
    wd_mean: float
    fro: float
    fro_entries: int
    alpha: float
    wd_mean_ci: tuple[float, float] | None = None
    fro_ci: tuple[float, float] | None = None
    extremity: float = float("nan")
    """Share of drawn answers at either end of the scale."""


@dataclass
class MethodReport:
    label: str
    overall: Scores
    subgroups: dict[str, dict[str, Scores | None]]
    """trait -> value -> scores (None: no simulated or no human respondents)."""
    distributions: dict[str, list[float]]


@dataclass
class Report:
    questionnaire: str
    humans: str
    n_humans: int
    alpha_human: float
    bound: Scores
    """Human split-half lower bound (mean over splits)."""
    methods: list[MethodReport]
    human_distributions: dict[str, list[float]]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = json_safe(asdict(self))
        return cleaned


def human_table(humans: HumanData, questionnaire: Questionnaire) -> Table:
    ids = [q.id for q in questionnaire.questions]
    missing = [q for q in ids if q not in humans.answers]
    if missing:
        raise UserInputError(f"{humans.path}: no column for question(s) {missing}")
    return Table(
        list(humans.ids),
        np.column_stack([humans.answers[q] for q in ids]),
        np.asarray(humans.weights, dtype=float),
    )


def simulated_table(
    responses: Sequence[SimulatedResponse],
    questionnaire: Questionnaire,
    weights: dict[str, float] | None = None,
) -> Table:
    ids = [q.id for q in questionnaire.questions]
    column = {q: i for i, q in enumerate(ids)}
    rows: dict[str, dict[str, SimulatedResponse]] = {}
    for response in responses:
        if response.question_id in column:
            rows.setdefault(response.persona_id, {})[response.question_id] = response
    respondents = [r for r in rows if weights is None or weights.get(r, 0) > 0]
    if not respondents:
        raise UserInputError(
            "no simulated respondent answered this questionnaire "
            "(or none of them is in the match file)"
        )
    answers = np.full((len(respondents), len(ids)), np.nan)
    for i, respondent in enumerate(respondents):
        for qid, response in rows[respondent].items():
            answers[i, column[qid]] = response.answer
    w = np.array([weights[r] if weights else 1.0 for r in respondents])
    probs = [{qid: r.probs for qid, r in rows[respondent].items()} for respondent in respondents]
    return Table(respondents, answers, w, probs)


@dataclass(frozen=True)
class HumanSide:
    """What every comparison needs of the humans, computed once per human table."""

    distributions: dict[str, list[float]]
    corr: np.ndarray


def human_side(human: Table, questionnaire: Questionnaire) -> HumanSide:
    return HumanSide(
        human_distributions(human, questionnaire), weighted_corr(human.answers, human.weights)
    )


def score(
    human: Table,
    simulated: Table,
    questionnaire: Questionnaire,
    *,
    resamples: int = 0,
    seed: int = 0,
) -> Scores:
    side = human_side(human, questionnaire)
    result = _compare(
        side, simulated, questionnaire, simulated_distributions(simulated, questionnaire)
    )
    if resamples and len(simulated.ids) > 1:

        def stat_wd(index: np.ndarray) -> float:
            wds = _wds(side, simulated_distributions(simulated, questionnaire, index))
            return float(np.mean(list(wds.values()))) if wds else float("nan")

        def stat_fro(index: np.ndarray) -> float:
            sim_corr = weighted_corr(simulated.answers[index], simulated.weights[index])
            return fro(side.corr, sim_corr).value

        rows = len(simulated.ids)
        result.wd_mean_ci = bootstrap_ci(rows, stat_wd, resamples, seed)
        result.fro_ci = bootstrap_ci(rows, stat_fro, resamples, seed + 1)
    return result


def simulated_distributions(
    table: Table, questionnaire: Questionnaire, index: np.ndarray | None = None
) -> dict[str, list[float]]:
    """Weighted mean of the respondents' probs per question (questions nobody answered:
    absent); over the rows ``index`` picks (a bootstrap resample), else all rows."""
    out: dict[str, list[float]] = {}
    weights = table.weights if index is None else table.weights[index]
    for question in questionnaire.questions:
        probs, present = _prob_matrix(table, question.id, len(question.options))
        if index is not None:
            probs, present = probs[index], present[index]
        w = np.where(present, weights, 0.0)
        total = w.sum()
        if total > 0:
            mean = (probs * w[:, None]).sum(axis=0) / total
            out[question.id] = [float(x) for x in mean]
    return out


def _prob_matrix(table: Table, qid: str, options: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows × options probs of one question (zeros where unanswered) and who answered.

    Built once per table and question: a bootstrap resamples rows of these arrays
    instead of walking 40,000 dicts 200 times."""
    key = (qid, options)
    cached = table.prob_cache.get(key)
    if cached is None:
        probs = np.zeros((len(table.ids), options))
        present = np.zeros(len(table.ids), dtype=bool)
        for row, by_question in enumerate(table.probs):
            if qid in by_question:
                probs[row] = by_question[qid]
                present[row] = True
        cached = table.prob_cache[key] = (probs, present)
    return cached


def human_distributions(table: Table, questionnaire: Questionnaire) -> dict[str, list[float]]:
    out = {}
    for i, question in enumerate(questionnaire.questions):
        dist = weighted_distribution(table.answers[:, i], table.weights, len(question.options))
        if dist is not None:
            out[question.id] = dist.tolist()
    return out


def _wds(side: HumanSide, sim_dists: dict[str, list[float]]) -> dict[str, float]:
    return {q: wd(h, sim_dists[q]) for q, h in side.distributions.items() if q in sim_dists}


def _compare(
    side: HumanSide,
    simulated: Table,
    questionnaire: Questionnaire,
    sim_dists: dict[str, list[float]],
) -> Scores:
    wds = _wds(side, sim_dists)
    frob = fro(side.corr, weighted_corr(simulated.answers, simulated.weights))
    return Scores(
        n=len(simulated.ids),
        wd=wds,
        wd_mean=float(np.mean(list(wds.values()))) if wds else float("nan"),
        fro=frob.value,
        fro_entries=frob.entries,
        alpha=cronbach_alpha(simulated.answers),
        extremity=_extremity(simulated, questionnaire),
    )


def _extremity(table: Table, questionnaire: Questionnaire) -> float:
    ends = total = 0
    for i, question in enumerate(questionnaire.questions):
        column = table.answers[:, i]
        column = column[~np.isnan(column)]
        if len(question.options) > 2:
            ends += int(np.isin(column, (0, len(question.options) - 1)).sum())
            total += len(column)
    return ends / total if total else float("nan")


def human_bound(human: Table, questionnaire: Questionnaire, splits: int, seed: int) -> Scores:
    """Split the humans in random halves; mean over ``splits`` of the half-vs-half metrics."""
    halves = []
    for a, b in halvings(len(human.ids), splits, seed):
        first, second = human.rows(a), human.rows(b)
        halves.append(
            _compare(
                human_side(first, questionnaire),
                second,
                questionnaire,
                human_distributions(second, questionnaire),
            )
        )
    return Scores(
        n=len(human.ids) // 2,
        wd={},
        wd_mean=finite_mean([h.wd_mean for h in halves]),
        fro=finite_mean([h.fro for h in halves]),
        fro_entries=0,
        alpha=cronbach_alpha(human.answers),
    )


def subgroup_labels(
    ids: Sequence[str],
    humans: HumanData,
    matches: dict[str, str],
    persona_demographics: dict[str, dict[str, dict[str, float]]],
    trait: str,
) -> list[str | None]:
    """The subgroup value each simulated respondent stands for."""
    labels: list[str | None] = []
    for rid in ids:
        profile = humans.profile_of(matches.get(rid, rid))
        if profile is not None:
            labels.append(profile.get(trait))
        else:
            labels.append(most_likely(persona_demographics.get(rid, {}).get(trait, {})))
    return labels


def read_matches(path: Path) -> tuple[dict[str, float], dict[str, str]]:
    """Persona weights (humans matched to each) and persona -> first matched human."""
    weights: dict[str, float] = {}
    stands_for: dict[str, str] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                persona, human = row["persona_id"], row["respondent_id"]
                weights[persona] = weights.get(persona, 0.0) + 1.0
                stands_for.setdefault(persona, human)
    except FileNotFoundError:
        raise UserInputError(f"{path}: file does not exist") from None
    except KeyError:
        raise UserInputError(f"{path}: expected columns respondent_id, persona_id") from None
    return weights, stands_for


def json_safe(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null (a stated undefined, never 0)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value

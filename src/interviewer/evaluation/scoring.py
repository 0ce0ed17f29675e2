"""Score simulated answers against real human answers (docs/DESIGN.md metric definitions;
every formula and rule, as implemented, in docs/metrics.md).

The simulated distribution of a question is the mean of the respondents' ``probs`` by
default, or the histogram of their drawn answers (``Rules.sim_dist``); individual
answers (for correlations and alpha) are the drawn ``answer``. Humans use their survey
weights; a simulated respondent weighs the number of humans matched to it (when a
match file is given), else 1. The human lower bound compares random halves of the
humans with each other, overall and within every subgroup. Subgroups label simulated
respondents by the human they stand for: the same respondent for demographic
baselines, the matched human for personas (or, without a match file, the persona's
most likely demographics).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.contracts.choices import SIM_DISTS as SIM_DISTS
from interviewer.contracts.choices import SimDist as SimDist
from interviewer.contracts.demographics import most_likely
from interviewer.contracts.humans import HumanData
from interviewer.contracts.persona import Demographics
from interviewer.contracts.questionnaire import Questionnaire
from interviewer.contracts.responses import SimulatedResponse
from interviewer.errors import UserInputError
from interviewer.evaluation.metrics import (
    Correlations,
    MissingRule,
    bootstrap_ci,
    cronbach_alpha,
    dispersion_ratio,
    finite_mean,
    fro,
    halvings,
    js_distance,
    representativeness,
    simbench,
    wd,
    weighted_corr,
    weighted_distribution,
)
from interviewer.storage import read_user_text

SUBGROUP_TRAITS = ("party", "race", "age")


@dataclass(frozen=True)
class Rules:
    """The named choices every number depends on (docs/metrics.md)."""

    missing: MissingRule = "complete"
    """Correlations and alpha: complete cases over the items, or pairwise complete."""
    sim_dist: SimDist = "probs"
    """Simulated distribution: mean of ``probs``, or histogram of drawn ``answer``s."""

    def describe(self, splits: int) -> dict[str, str]:
        """The rules in force, in words, for report.json."""
        rows = (
            "complete cases (rows that answered every item of the questionnaire)"
            if self.missing == "complete"
            else "pairwise complete (each pair over the rows that answered both)"
        )
        simulated = (
            "weighted mean of the respondents' probs"
            if self.sim_dist == "probs"
            else "weighted histogram of the drawn answers (as the Anthology code)"
        )
        return {
            "missing": self.missing,
            "sim_dist": self.sim_dist,
            "weights": "humans: survey weights; simulated: humans matched to each, else 1",
            "wd": "Wasserstein distance over option positions 0..K-1 (closed form, equal to "
            "scipy.stats.wasserstein_distance) between "
            f"the weighted human shares of those who answered and the {simulated}",
            "fro": "Frobenius norm of human minus simulated weighted Pearson correlation "
            f"matrices over the questionnaire's items, both over {rows}; a zero-variance "
            "item's correlations count as 0 and it is listed under 'degenerate'",
            "alpha": "Cronbach's alpha k/(k-1)(1 - tr C / sum C), weighted covariance C over "
            + (
                "complete rows (pingouin nan_policy='listwise')"
                if self.missing == "complete"
                else "pairwise complete rows (pingouin's default form, as the Anthology code)"
            ),
            "representativeness": "OpinionQA (Santurkar et al. 2023): 1 - WD/(K-1), "
            "mean over questions",
            "simbench": "SimBench (Hu et al. 2025): 100 (1 - TV/TV(human, uniform)), mean "
            "over questions whose human distribution is not uniform",
            "jsd": "Jensen-Shannon distance, scipy.spatial.distance.jensenshannon base 2, "
            "mean over questions",
            "dispersion": "variance of the option position, simulated / human, mean over "
            "questions (below 1: under-dispersed)",
            "bound": f"humans split at random into halves, {splits} seeded splits, metric "
            "between halves averaged; overall and within every subgroup",
            "docs": "docs/metrics.md",
        }


DEFAULT_RULES = Rules()


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
    alpha: float
    corr_n: int = 0
    """Rows behind the correlation matrix: complete cases, or (pairwise) the fewest
    behind any pair."""
    degenerate: list[str] = field(default_factory=list)
    """Items with no variance: their correlations counted as 0 in ``fro``."""
    alpha_n: int = 0
    """Rows behind alpha under the missing-data rule."""
    representativeness: float = float("nan")
    simbench: float = float("nan")
    jsd: float = float("nan")
    dispersion: float = float("nan")
    questions: dict[str, dict[str, float]] = field(default_factory=dict)
    """Question id -> representativeness, simbench, jsd and dispersion of that question
    (the fields above are their means over questions)."""
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
    models: list[str] = field(default_factory=list)
    """The respondent models that answered (a chat model's identity ends ``[chat]``)."""
    modes: list[str] = field(default_factory=list)
    """How the answers were scored (``logprobs``, ``sampling``, ...)."""


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
    n_complete_humans: int = 0
    """Humans who answered every item of the questionnaire (under the ``complete``
    rule, the rows behind the human correlation matrix and alpha)."""
    alpha_human_n: int = 0
    subgroup_bounds: dict[str, dict[str, Scores | None]] = field(default_factory=dict)
    """trait -> value -> the split-half bound within that subgroup (None: < 2 humans)."""
    rules: dict[str, str] = field(default_factory=dict)
    simulated: bool = False
    """Some answers came from the simulated engine: every output says so."""

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
    # Sorted: the file's line order is the order answers arrived, and sums must not depend on it.
    respondents = sorted(r for r in rows if weights is None or weights.get(r, 0) > 0)
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
    corr: Correlations


def human_side(human: Table, questionnaire: Questionnaire, rules: Rules) -> HumanSide:
    return HumanSide(
        human_distributions(human, questionnaire),
        weighted_corr(human.answers, human.weights, rules.missing),
    )


def score(
    human: Table,
    simulated: Table,
    questionnaire: Questionnaire,
    *,
    resamples: int = 0,
    seed: int = 0,
    rules: Rules = DEFAULT_RULES,
) -> Scores:
    side = human_side(human, questionnaire, rules)
    sim_dists = simulated_distributions(simulated, questionnaire, rules.sim_dist)
    result = _compare(side, simulated, questionnaire, sim_dists, rules)
    if resamples and len(simulated.ids) > 1:

        def stat_wd(index: np.ndarray) -> float:
            dists = simulated_distributions(simulated, questionnaire, rules.sim_dist, index)
            wds = _wds(side, dists)
            return float(np.mean(list(wds.values()))) if wds else float("nan")

        def stat_fro(index: np.ndarray) -> float:
            answers, weights = simulated.answers[index], simulated.weights[index]
            return fro(side.corr.matrix, weighted_corr(answers, weights, rules.missing).matrix)

        rows = len(simulated.ids)
        result.wd_mean_ci = bootstrap_ci(rows, stat_wd, resamples, seed)
        result.fro_ci = bootstrap_ci(rows, stat_fro, resamples, seed + 1)
    return result


def simulated_distributions(
    table: Table,
    questionnaire: Questionnaire,
    source: SimDist = "probs",
    index: np.ndarray | None = None,
) -> dict[str, list[float]]:
    """Per question, the weighted mean of the respondents' probs (``probs``) or the
    weighted histogram of their drawn answers (``answers``); questions nobody answered
    are absent. Over the rows ``index`` picks (a bootstrap resample), else all rows."""
    out: dict[str, list[float]] = {}
    weights = table.weights if index is None else table.weights[index]
    if source == "answers":
        answers = table.answers if index is None else table.answers[index]
        for i, question in enumerate(questionnaire.questions):
            dist = weighted_distribution(answers[:, i], weights, len(question.options))
            if dist is not None:
                out[question.id] = dist.tolist()
        return out
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
    rules: Rules,
) -> Scores:
    wds = _wds(side, sim_dists)
    questions = {q: _per_question(side.distributions[q], sim_dists[q]) for q in wds}
    corr = weighted_corr(simulated.answers, simulated.weights, rules.missing)
    alpha = cronbach_alpha(simulated.answers, simulated.weights, rules.missing)
    return Scores(
        n=len(simulated.ids),
        wd=wds,
        wd_mean=float(np.mean(list(wds.values()))) if wds else float("nan"),
        fro=fro(side.corr.matrix, corr.matrix),
        alpha=alpha.value,
        corr_n=corr.n,
        degenerate=[questionnaire.questions[i].id for i in corr.degenerate],
        alpha_n=alpha.n,
        questions=questions,
        representativeness=finite_mean([v["representativeness"] for v in questions.values()]),
        simbench=finite_mean([v["simbench"] for v in questions.values()]),
        jsd=finite_mean([v["jsd"] for v in questions.values()]),
        dispersion=finite_mean([v["dispersion"] for v in questions.values()]),
        extremity=_extremity(simulated, questionnaire),
    )


def _per_question(human: list[float], simulated: list[float]) -> dict[str, float]:
    return {
        "representativeness": representativeness(human, simulated),
        "simbench": simbench(human, simulated),
        "jsd": js_distance(human, simulated),
        "dispersion": dispersion_ratio(human, simulated),
    }


def _extremity(table: Table, questionnaire: Questionnaire) -> float:
    ends = total = 0
    for i, question in enumerate(questionnaire.questions):
        column = table.answers[:, i]
        column = column[~np.isnan(column)]
        if len(question.options) > 2:
            ends += int(np.isin(column, (0, len(question.options) - 1)).sum())
            total += len(column)
    return ends / total if total else float("nan")


def human_bound(
    human: Table, questionnaire: Questionnaire, splits: int, seed: int, rules: Rules = DEFAULT_RULES
) -> Scores:
    """Split the humans in random halves; mean over ``splits`` of the half-vs-half
    metrics. ``alpha``, ``corr_n`` and ``degenerate`` are those of all ``human``."""
    halves = []
    for a, b in halvings(len(human.ids), splits, seed):
        first, second = human.rows(a), human.rows(b)
        halves.append(
            _compare(
                human_side(first, questionnaire, rules),
                second,
                questionnaire,
                human_distributions(second, questionnaire),
                rules,
            )
        )
    corr = weighted_corr(human.answers, human.weights, rules.missing)
    alpha = cronbach_alpha(human.answers, human.weights, rules.missing)
    return Scores(
        n=len(human.ids) // 2,
        wd={},
        wd_mean=finite_mean([h.wd_mean for h in halves]),
        fro=finite_mean([h.fro for h in halves]),
        alpha=alpha.value,
        corr_n=corr.n,
        degenerate=[questionnaire.questions[i].id for i in corr.degenerate],
        alpha_n=alpha.n,
        representativeness=finite_mean([h.representativeness for h in halves]),
        simbench=finite_mean([h.simbench for h in halves]),
        jsd=finite_mean([h.jsd for h in halves]),
        dispersion=finite_mean([h.dispersion for h in halves]),
    )


def subgroup_labels(
    ids: Sequence[str],
    humans: HumanData,
    matches: dict[str, str],
    persona_demographics: Demographics,
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
    text = read_user_text(path, "utf-8-sig")
    try:
        for row in csv.DictReader(io.StringIO(text, newline="")):
            persona, human = row["persona_id"], row["respondent_id"]
            weights[persona] = weights.get(persona, 0.0) + 1.0
            stands_for.setdefault(persona, human)
    except csv.Error as exc:
        raise UserInputError(f"{path}: not a readable CSV file ({exc})") from None
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

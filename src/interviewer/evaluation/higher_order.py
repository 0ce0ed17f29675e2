"""Higher-order binding: does a persona answer as a member of its own party would?

Ratings are 1..K (option index + 1, options ordered most favourable first), one per
respondent × item from the drawn ``answer``. Per party:

- **hostility** (W110): each respondent's mean rating of the other party minus its mean
  rating of its own; Δ = the party's mean of that; d = Cohen's d of the per-respondent
  out-party vs in-party means.
- **subversion**: for a *target* party T, how much the other party believes most of T
  would support subverting democracy (meta items) minus how much T's members say they
  would (self items); d between the two groups' per-respondent means.
- **meta_perception**: for a party P, how coldly P believes the other party feels toward
  P ("{OUT} feel towards {IN}", coldness = K + 1 − rating) minus how coldly the other
  party's members report feeling toward P (their out-party warmth item); d between them.

Each simulated gap is set beside the published human target; a gap whose sign differs
from the target's is reported as wrong in direction, and a gap of exactly 0 as "no gap"
(neither right nor wrong).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from interviewer.contracts.questionnaire import OTHER, Questionnaire
from interviewer.contracts.responses import SimulatedResponse
from interviewer.evaluation.metrics import cohens_d
from interviewer.paths import resource_dir
from interviewer.yaml_io import load_yaml

STUDIES = ("hostility", "subversion", "meta_perception")


@dataclass(frozen=True)
class Gap:
    study: str
    party: str
    gap: float
    d: float
    n: int
    """Respondents behind the gap (both groups together where they differ)."""
    target_gap: float | None = None
    target_d: float | None = None

    @property
    def direction(self) -> str | None:
        """``right`` (same sign as the human target), ``wrong sign``, or ``no gap`` (a
        simulated gap of exactly 0: no difference is not a difference the wrong way);
        None when the gap or the target is missing or NaN."""
        if self.target_gap is None or not np.isfinite(self.gap):
            return None
        if self.gap == 0:
            return "no gap"
        return "right" if np.sign(self.gap) == np.sign(self.target_gap) else "wrong sign"

    @property
    def direction_ok(self) -> bool | None:
        """True / False for a right / wrong sign; None for no gap or no verdict."""
        verdict = self.direction
        return None if verdict in (None, "no gap") else verdict == "right"


@cache
def published_targets() -> dict[str, dict[str, dict[str, float]]]:
    path = resource_dir("evals") / "targets" / "higher_order.yaml"
    data: dict[str, dict[str, dict[str, float]]] = load_yaml(path.read_text(encoding="utf-8"))
    return data


def gaps(
    questionnaire: Questionnaire,
    responses: Iterable[SimulatedResponse],
    parties: Mapping[str, str],
) -> list[Gap]:
    """The study's gap per party; ``parties`` maps respondent id -> Democrat/Republican."""
    study = questionnaire.study
    if study not in STUDIES:
        raise ValueError(f"questionnaire {questionnaire.id} is not a higher-order study")
    ratings = _ratings(questionnaire, responses)
    results = []
    for party in ("Democrat", "Republican"):
        mine = {r: v for r, v in ratings.items() if parties.get(r) == party}
        theirs = {r: v for r, v in ratings.items() if parties.get(r) == OTHER[party]}
        first, second = _groups(study, questionnaire, mine, theirs)
        gap = float(np.mean(first) - np.mean(second)) if first and second else float("nan")
        target = published_targets().get(study, {}).get(party, {})
        # Hostility compares two ratings of the same respondents; the others, two groups.
        n = len(first) if study == "hostility" else len(first) + len(second)
        results.append(
            Gap(
                study,
                party,
                gap,
                cohens_d(first, second),
                n,
                target.get("gap"),
                target.get("d"),
            )
        )
    return results


Ratings = dict[str, dict[str, int]]
"""Respondent id -> question id -> rating 1..K."""


def _ratings(questionnaire: Questionnaire, responses: Iterable[SimulatedResponse]) -> Ratings:
    table: Ratings = defaultdict(dict)
    for response in responses:
        if response.question_id in questionnaire.by_id:
            table[response.persona_id][response.question_id] = response.answer + 1
    return dict(table)


def _groups(
    study: str, q: Questionnaire, mine: Ratings, theirs: Ratings
) -> tuple[list[float], list[float]]:
    def ids(framing: str, contains: str = "") -> set[str]:
        return {x.id for x in q.questions if x.framing == framing and contains in x.text}

    if study == "hostility":
        out_ids, in_ids = ids("outgroup"), ids("ingroup")
        out_means: list[float] = []
        in_means: list[float] = []
        for ratings in mine.values():
            out_mean, in_mean = _mean(ratings, out_ids), _mean(ratings, in_ids)
            if out_mean is not None and in_mean is not None:
                out_means.append(out_mean)
                in_means.append(in_mean)
        return out_means, in_means
    if study == "subversion":
        meta = _means(theirs, ids("meta"))  # the other party about "most {OUT}" = this party
        own = _means(mine, ids("self"))
        return meta, own
    size = len(q.questions[0].options) + 1  # coldness = K + 1 − warmth
    believed = [size - w for w in _means(mine, ids("meta", "towards {IN}"))]
    actual = [size - w for w in _means(theirs, ids("outgroup"))]
    return believed, actual


def _mean(ratings: dict[str, int], ids: set[str]) -> float | None:
    values = [ratings[i] for i in ids if i in ratings]
    return float(np.mean(values)) if values else None


def _means(group: Ratings, ids: set[str]) -> list[float]:
    return [m for v in group.values() if (m := _mean(v, ids)) is not None]

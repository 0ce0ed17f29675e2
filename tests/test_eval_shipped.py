"""``interviewer eval`` on the shipped GSS 2022 and CCES 2018 files against an
independent computation (pandas / numpy / scipy / pingouin), under every stated rule.

The simulated side is seeded random, written with only the six contract fields: some hundreds of personas, Dirichlet probs per
question, an answer drawn from them, a few answers left out so that complete cases and
pairwise-complete pairs differ on both sides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.evaluation.report import MethodInput, evaluate
from interviewer.evaluation.scoring import Rules

HUMANS = Path(__file__).parents[1] / "evals" / "humans"
PERSONAS = 300


def simulate(questions: dict[str, int], path: Path, seed: int) -> pd.DataFrame:
    """Write seeded random responses; return personas × questions (answers, NaN = none),
    the probs per question and persona kept on the frame's ``attrs``."""
    rng = np.random.default_rng(seed)
    personas = [f"p{i:03d}" for i in range(PERSONAS)]
    answers = np.full((PERSONAS, len(questions)), np.nan)
    probs: dict[str, dict[str, list[float]]] = {q: {} for q in questions}
    lines = []
    for row, persona in enumerate(personas):
        for column, (qid, size) in enumerate(questions.items()):
            if rng.random() < 0.03:
                continue  # not answered: complete cases and pairwise pairs differ
            p = rng.dirichlet(np.ones(size))
            answer = int(rng.choice(size, p=p))
            answers[row, column] = answer
            probs[qid][persona] = p.tolist()
            # Only the contract's six fields, as another tool would write them.
            line = {"persona_id": persona, "question_id": qid, "probs": p.tolist()}
            lines.append(json.dumps(line | {"answer": answer, "conditioning": "qa", "model": "x"}))
    path.write_text("\n".join(lines) + "\n")
    frame = pd.DataFrame(answers, index=personas, columns=list(questions))
    frame.attrs["probs"] = probs
    return frame


def pair_cov(frame: pd.DataFrame, weights: pd.Series, i: int, j: int) -> np.ndarray:
    """np.cov with analytic weights over the rows that answered items i and j."""
    values = frame.to_numpy()[:, [i, j]]
    rows = ~np.isnan(values).any(axis=1)
    return np.asarray(np.cov(values[rows].T, aweights=weights.to_numpy()[rows]))


def weighted_corr(frame: pd.DataFrame, weights: pd.Series, missing: str) -> np.ndarray:
    """np.cov with analytic weights -> correlation; complete cases or pair by pair."""
    if missing == "complete":
        rows = frame.dropna()
        cov = np.cov(rows.to_numpy().T, aweights=weights[rows.index].to_numpy())
        sd = np.sqrt(np.diag(cov))
        return np.asarray(cov / np.outer(sd, sd))
    k = frame.shape[1]
    corr = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            c = pair_cov(frame, weights, i, j)
            corr[i, j] = corr[j, i] = c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])
    return corr


def weighted_alpha(frame: pd.DataFrame, weights: pd.Series, missing: str) -> float:
    """k/(k-1) (1 - trace C / sum C) with C the weighted covariance (np.cov aweights)."""
    k = frame.shape[1]
    if missing == "complete":
        rows = frame.dropna()
        cov = np.cov(rows.to_numpy().T, aweights=weights[rows.index].to_numpy())
    else:
        cov = np.array([[pair_cov(frame, weights, i, j)[0, 1] for j in range(k)] for i in range(k)])
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def distribution(values: pd.Series, weights: pd.Series, size: int) -> np.ndarray:
    answered = values.dropna()
    w = weights[answered.index]
    return np.array([w[answered == k].sum() for k in range(size)]) / w.sum()


def run(
    dataset: str, tmp: Path, missing: str, sim_dist: str
) -> tuple[dict[str, Any], pd.DataFrame]:
    questionnaire = load_questionnaire(HUMANS / f"{dataset}.yaml")
    sizes = {q.id: len(q.options) for q in questionnaire.questions}
    responses = tmp / f"{dataset}.jsonl"
    sim = simulate(sizes, responses, seed=len(dataset))
    evaluate(
        [MethodInput("sim", responses)],
        HUMANS / f"{dataset}.csv",
        HUMANS / f"{dataset}.yaml",
        tmp / f"rep-{missing}",
        splits=2,
        resamples=0,
        plots=False,
        rules=Rules(missing, sim_dist),
    )
    report = json.loads((tmp / f"rep-{missing}" / "report.json").read_text())
    return report, sim


@pytest.mark.parametrize("dataset", ["gss2022", "cces2018"])
@pytest.mark.parametrize(("missing", "sim_dist"), [("complete", "probs"), ("pairwise", "answers")])
def test_report_equals_an_independent_computation(
    tmp_path: Path, dataset: str, missing: str, sim_dist: str
) -> None:
    report, sim = run(dataset, tmp_path, missing, sim_dist)
    questionnaire = load_questionnaire(HUMANS / f"{dataset}.yaml")
    ids = [q.id for q in questionnaire.questions]
    humans = pd.read_csv(HUMANS / f"{dataset}.csv", dtype={"respondent_id": str})
    human, weights = humans[ids].astype(float), humans["weight"].astype(float)
    ones = pd.Series(1.0, index=sim.index)
    overall = report["methods"][0]["overall"]
    assert report["rules"]["missing"] == missing and report["rules"]["sim_dist"] == sim_dist

    h_corr, s_corr = weighted_corr(human, weights, missing), weighted_corr(sim, ones, missing)
    assert overall["fro"] == pytest.approx(np.linalg.norm(h_corr - s_corr), abs=1e-6)
    complete = int(human.dropna().shape[0])
    assert report["n_complete_humans"] == complete
    if missing == "complete":
        assert overall["corr_n"] == int(sim.dropna().shape[0])
    else:  # the fewest simulated rows behind any pair
        answered = sim.notna().to_numpy()
        fewest = min(
            int((answered[:, i] & answered[:, j]).sum())
            for i in range(len(ids))
            for j in range(i + 1, len(ids))
        )
        assert overall["corr_n"] == fewest

    # Alpha: humans weighted by the survey weights; simulated weigh 1 each, so pingouin
    # (listwise = complete rows, its default = pairwise) is the oracle there.
    assert report["alpha_human"] == pytest.approx(weighted_alpha(human, weights, missing), abs=1e-6)
    policy = "listwise" if missing == "complete" else "pairwise"
    expected_alpha = pingouin.cronbach_alpha(sim, nan_policy=policy)[0]
    assert overall["alpha"] == pytest.approx(expected_alpha, abs=1e-6)
    assert overall["alpha_n"] == (int(sim.dropna().shape[0]) if missing == "complete" else PERSONAS)

    probs = sim.attrs["probs"]
    for question in questionnaire.questions:
        size = len(question.options)
        h = distribution(human[question.id], weights, size)
        if sim_dist == "probs":
            s = np.mean(list(probs[question.id].values()), axis=0)
        else:
            s = distribution(sim[question.id], ones, size)
        positions = np.arange(size)
        expected_wd = wasserstein_distance(positions, positions, h, s)
        assert overall["wd"][question.id] == pytest.approx(expected_wd, abs=1e-6)
        per = overall["questions"][question.id]
        assert per["jsd"] == pytest.approx(jensenshannon(h, s, base=2), abs=1e-6)
        assert per["representativeness"] == pytest.approx(1 - expected_wd / (size - 1), abs=1e-6)


def test_complete_and_pairwise_human_matrices_differ_on_the_shipped_files() -> None:
    # The reason the rule is named: on GSS 2022 (split ballots) the two rules' human
    # matrices are far apart; the numbers go in the report to the lead.
    for dataset, at_least in (("gss2022", 0.3), ("cces2018", 0.1)):
        questionnaire = load_questionnaire(HUMANS / f"{dataset}.yaml")
        ids = [q.id for q in questionnaire.questions]
        humans = pd.read_csv(HUMANS / f"{dataset}.csv", dtype={"respondent_id": str})
        human, weights = humans[ids].astype(float), humans["weight"].astype(float)
        gap = np.linalg.norm(
            weighted_corr(human, weights, "complete") - weighted_corr(human, weights, "pairwise")
        )
        assert gap > at_least

"""Coverage of the inference estimators in the known-answer world, where the truth is known.

A pool of people of the synthetic population (``simulated.world``) stands for the
population: each person's answer distribution is the world's response model, so the
population share of an option is known exactly (the pool's mean probability). Frames
(N rows, predictions only) and pilots (n rows, a real answer drawn from the model, plus
the prediction) are drawn from the pool with replacement, so the truth is exact, with
no Monte Carlo error of its own. Two simulations of the personas:

- ``biased``: the persona knows the person's demographics but not the latent traits
  (``probs_given`` without latents: what a demographic persona can know), then 30% of
  its probability is moved onto one planted option — a bias of about −0.2 on the share
  estimated here, and a weak correlation with the answers.
- ``good``: the person's own answer distribution, shrunk 20% toward uniform — a small
  bias, a strong correlation.

For each draw: the naive interval (frame predictions only), the pilot-only interval and
the rectified (PPI++) one, at 90%. Then, over every option of every known-answer
question as a "past survey" (people: 2,000 answers each; personas: 2,000 sampled
answers), the adaptive simulation size k̂ of each setting (``simsize``), and each
question's dispersion ratio. The numbers are SIMULATED, not a model's.

    python -m bench.inference_coverage [--draws 1000] [--weighted]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from interviewer.contracts.questionnaire import Question, load_questionnaire
from interviewer.inference import (
    classical,
    dispersion,
    effective_sample_size,
    naive,
    rectified,
    simulation_size,
)
from interviewer.inference.simsize import SimSize
from interviewer.paths import resource_dir
from interviewer.simulated import world

SEED = 11
POOL = 4000
QUESTION = "future"
OPTION = 0  # "Very hopeful"
PLANTED = 2  # "Not too hopeful": where the biased personas put 30% of their mass
SETTINGS = ("biased", "good")
ESTIMATORS = ("naive", "pilot", "rectified")


@dataclass(frozen=True)
class World:
    """The pool: each person's true probability of ``OPTION``, a prediction of it per
    setting, and the survey inclusion chance of the person (for weighted pilots)."""

    truth_probs: np.ndarray
    predictions: dict[str, np.ndarray]
    inclusion: np.ndarray

    @property
    def truth(self) -> float:
        return float(self.truth_probs.mean())


def questions() -> list[Question]:
    path = Path(resource_dir("evals")) / "questionnaires" / "known_answer.yaml"
    return list(load_questionnaire(path).questions)


def question() -> Question:
    return next(q for q in questions() if q.id == QUESTION)


def distributions(q: Question, people: list[world.Person]) -> dict[str, np.ndarray]:
    """People × options: the true answer distributions and each setting's prediction."""
    true = np.array([world.true_probs(q.text, q.options, p) for p in people])
    demographic = np.array([world.probs_given(q.text, q.options, p.traits, {}) for p in people])
    planted = np.zeros(len(q.options))
    planted[min(PLANTED, len(q.options) - 1)] = 1.0
    uniform = np.full(len(q.options), 1.0 / len(q.options))
    return {
        "true": true,
        "biased": 0.7 * demographic + 0.3 * planted,
        "good": 0.8 * true + 0.2 * uniform,
    }


@cache
def build_world(seed: int = SEED, size: int = POOL) -> World:
    people = world.population(seed, size)
    probs = distributions(question(), people)
    predictions = {s: probs[s][:, OPTION] for s in SETTINGS}
    inclusion = np.array([world.inclusion(p) for p in people])
    return World(probs["true"][:, OPTION], predictions, inclusion)


@dataclass(frozen=True)
class Draws:
    """Per estimator: whether each draw's interval covered the truth, and its width."""

    covered: dict[str, np.ndarray]
    widths: dict[str, np.ndarray]
    ess: np.ndarray
    lams: np.ndarray

    def coverage(self, estimator: str) -> float:
        return float(self.covered[estimator].mean())

    def width(self, estimator: str) -> float:
        return float(self.widths[estimator].mean())


def run(
    setting: str,
    draws: int,
    n: int = 100,
    frame: int = 1000,
    alpha: float = 0.1,
    weighted: bool = False,
    seed: int = 0,
) -> Draws:
    """``draws`` pilots of ``n`` (and frames of ``frame``) from the pool; weighted
    pilots over-sample by the world's inclusion chances and carry inverse weights."""
    w = build_world()
    rng = np.random.default_rng([seed, SETTINGS.index(setting), int(weighted)])
    chance = w.inclusion / w.inclusion.sum() if weighted else None
    covered: dict[str, list[bool]] = {e: [] for e in ESTIMATORS}
    widths: dict[str, list[float]] = {e: [] for e in ESTIMATORS}
    ess, lams = [], []
    for _ in range(draws):
        rows = rng.choice(len(w.truth_probs), size=n, p=chance)
        frame_rows = rng.integers(0, len(w.truth_probs), size=frame)
        y = (rng.random(n) < w.truth_probs[rows]).astype(float)
        yhat, yhat_frame = w.predictions[setting][rows], w.predictions[setting][frame_rows]
        weights = 1.0 / w.inclusion[rows] if weighted else None
        estimates = {
            "naive": naive(yhat_frame, alpha),
            "pilot": classical(y, alpha, weights),
            "rectified": rectified(y, yhat, yhat_frame, alpha, weights),
        }
        for name, e in estimates.items():
            covered[name].append(e.lower <= w.truth <= e.upper)
            widths[name].append(e.width)
        ess.append(effective_sample_size(estimates["pilot"], estimates["rectified"]))
        lams.append(estimates["rectified"].lam)
    return Draws(
        {e: np.array(c) for e, c in covered.items()},
        {e: np.array(v) for e, v in widths.items()},
        np.array(ess),
        np.array(lams, dtype=float),
    )


def _answers(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """``size`` answers (option indices): a random pool member each, answering by
    sampling from its distribution."""
    rows = probs[rng.integers(0, len(probs), size)]
    above = rng.random((size, 1)) > np.cumsum(rows, axis=1)  # options passed before u
    picked: np.ndarray = above.sum(axis=1).clip(0, probs.shape[1] - 1)
    return picked


@dataclass(frozen=True)
class PastSurvey:
    sizes: dict[str, SimSize]
    ratios: dict[str, list[float]]
    """Per setting, per question: the personas' ordinal dispersion ratio."""


def past_survey(seed: int = SEED, size: int = 2000, answers: int = 2000) -> PastSurvey:
    """Per setting: k̂ over every option of every question, and per question the
    ordinal dispersion of the setting's personas against people's answers."""
    rng = np.random.default_rng([seed, 99])
    people = world.population(seed, size)
    past: dict[str, list[tuple[np.ndarray, float]]] = {s: [] for s in SETTINGS}
    ratios: dict[str, list[float]] = {s: [] for s in SETTINGS}
    for q in questions():
        probs = distributions(q, people)
        humans = _answers(rng, probs["true"], answers)
        for setting in SETTINGS:
            sims = _answers(rng, probs[setting], answers)
            for option in range(len(q.options)):
                past[setting].append(
                    ((sims == option).astype(float), float(np.mean(humans == option)))
                )
            ratios[setting].append(dispersion(humans, probs[setting], "ordinal").ratio)
    sizes = {s: simulation_size(past[s], 0.1, range(30, answers + 1)) for s in SETTINGS}
    return PastSurvey(sizes, ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--frame", type=int, default=1000)
    args = parser.parse_args()
    w = build_world()
    q = question()
    print(f"known-answer world (SIMULATED): share of {q.options[OPTION]!r} on {q.id!r}")
    print(f"truth {w.truth:.4f}; pool {POOL}; pilots n={args.n}; frames N={args.frame}; 90%")
    for setting in SETTINGS:
        bias = float(w.predictions[setting].mean()) - w.truth
        corr = float(np.corrcoef(w.predictions[setting], w.truth_probs)[0, 1])
        print(f"\n{setting}: prediction bias {bias:+.3f}, corr(prediction, true prob) {corr:.2f}")
        for weighted in (False, True):
            d = run(setting, args.draws, args.n, args.frame, weighted=weighted)
            label = "weighted pilots" if weighted else "simple pilots"
            print(f"  {label}, {args.draws} draws:")
            for e in ESTIMATORS:
                print(f"    {e:<9} coverage {d.coverage(e):.3f}  mean width {d.width(e):.4f}")
            print(
                f"    rectified: mean lambda {d.lams.mean():.2f}; effective sample size "
                f"median {np.median(d.ess):.0f} (mean {d.ess.mean():.0f}) for n={args.n}"
            )
    past = past_survey()
    print("\npast survey: every option of the 6 known-answer questions, 2000 answers each")
    for setting in SETTINGS:
        size, ratios = past.sizes[setting], past.ratios[setting]
        print(
            f"  {setting:<6} k-hat {size.k} over {size.questions} past items (90%: "
            f"miss at most {size.threshold}; missed {size.miscoverage[0]:.3f} at k={size.ks[0]})"
        )
        print(
            "         ordinal dispersion ratio per question " + " ".join(f"{r:.2f}" for r in ratios)
        )


if __name__ == "__main__":
    main()

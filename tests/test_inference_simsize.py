"""inference.simsize: the adaptive simulation size of Huang, Wu & Wang (2025) on cases
whose answer is known — worked by hand, and drawn from a model of known bias."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interviewer.errors import UserInputError
from interviewer.inference import Estimate, interval_at, simulation_size

Z90 = 1.6448536269514722


def _alternating(mean: float, sd: float, size: int) -> np.ndarray:
    # mean + sd, mean − sd, ...: every even prefix has mean `mean` exactly and
    # sample sd sd·√(k/(k−1)), so its dilated margin is z·√2·sd/√(k − 1)
    return mean + sd * np.resize([1.0, -1.0], size)


def test_interval_at_by_hand() -> None:
    e = interval_at(_alternating(0.5, 1.0, 10), 4)
    assert e.value == pytest.approx(0.5)
    assert e.width == pytest.approx(2 * Z90 * math.sqrt(2) / math.sqrt(3))
    assert e.n == 4


def test_simulation_size_by_hand() -> None:
    # A past question whose human answer lies b from the simulated mean is covered
    # while z·√2/√(k − 1) ≥ b, i.e. k ≤ 1 + 2z²/b²: 136.3 for b = 0.2, 22.6 for 0.5.
    ks = list(range(2, 301, 2))
    near = [(_alternating(0.0, 1.0, 300), 0.2)] * 19
    far = [(_alternating(0.0, 1.0, 300), 0.5)]
    one_far = simulation_size(near + far, alpha=0.1, ks=ks)
    # one question of 20 lost from k = 24 on: 5% is not above α/2, so k runs on to 136
    assert one_far.k == 136
    assert one_far.miscoverage[ks.index(24)] == pytest.approx(0.05)
    assert one_far.miscoverage[ks.index(138)] == pytest.approx(1.0)
    two_far = simulation_size(near[:18] + far * 2, alpha=0.1, ks=ks)
    assert two_far.k == 22  # 10% > 5% from k = 24
    assert simulation_size(far, alpha=0.1, ks=[30, 40]).k == 0


def test_a_perfect_simulation_is_worth_every_answer() -> None:
    rng = np.random.default_rng(1)
    past = []
    for theta in rng.uniform(0.2, 0.8, 200):
        sims = (rng.random(1000) < theta).astype(float)
        past.append((sims, theta))  # simulated and human answers share one distribution
    # (from k = 50 on: at k = 10 the CLT interval of a 0/1 mean itself under-covers)
    assert simulation_size(past, ks=[50, 200, 1000]).k == 1000


def _questions(
    rng: np.random.Generator, count: int, bias_sd: float
) -> list[tuple[np.ndarray, float, float]]:
    """Questions of share θ; people: a sample of 20,000; the model: 2,000 simulated
    answers at θ + b with b ~ N(0, bias_sd²)."""
    out = []
    for theta in rng.uniform(0.2, 0.8, count):
        simulated = np.clip(theta + rng.normal(0.0, bias_sd), 0.01, 0.99)
        sims = (rng.random(2000) < simulated).astype(float)
        human = float(rng.binomial(20_000, theta) / 20_000)
        out.append((sims, human, float(theta)))
    return out


def test_the_chosen_size_keeps_coverage_on_new_questions() -> None:
    # A model whose bias on each question is b ~ N(0, τ²), τ = 0.03, on shares θ in
    # U(0.2, 0.8) (mean θ(1 − θ) = 0.22). The rule stops where the dilated margin
    # √2·z·σ/√k meets the (1 − α/4) quantile z' of the error √(τ² + σ²/k), i.e. at
    # k = σ²·(2z² − z'²)/(z'²·τ²) ≈ 0.22 × 0.409 / 0.0009 ≈ 100. On new questions the
    # k̂ intervals cover the true share at the nominal rate or better; the intervals
    # from all 2,000 simulated answers (what a naive reading would report) do not.
    rng = np.random.default_rng(7)
    past, new = _questions(rng, 300, 0.03), _questions(rng, 300, 0.03)
    chosen = simulation_size([(s, h) for s, h, _ in past], alpha=0.1, ks=range(30, 2001))
    assert 50 <= chosen.k <= 200, chosen.k
    cover_k = np.mean([_covers(interval_at(s, chosen.k), t) for s, _, t in new])
    cover_all = np.mean([_covers(interval_at(s, 2000), t) for s, _, t in new])
    assert cover_k >= 0.9, cover_k
    assert cover_all < 0.7, cover_all


def _covers(e: Estimate, truth: float) -> bool:
    return e.lower <= truth <= e.upper


def test_the_fast_curve_agrees_with_interval_at() -> None:
    rng = np.random.default_rng(3)
    past = [(rng.normal(size=50), float(rng.normal(scale=0.3))) for _ in range(40)]
    ks = list(range(2, 51))
    chosen = simulation_size(past, ks=ks)
    for k, g in zip(ks, chosen.miscoverage, strict=True):
        missed = [not _covers(interval_at(s, k), h) for s, h in past]
        assert g == pytest.approx(np.mean(missed))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: interval_at([0.0, 1.0, 1.0], 4), "k must lie in 2..3"),
        (lambda: interval_at([0.0, 1.0, 1.0], 2, dilation=0.5), "dilation"),
        (lambda: simulation_size([]), "at least one past question"),
        (lambda: simulation_size([([0.0, 1.0], float("nan"))]), "human estimate"),
        (lambda: simulation_size([([0.0, 1.0, 0.0], 0.5)], ks=[3, 2]), "increasing"),
        (lambda: simulation_size([([0.0, 1.0, 0.0], 0.5)], ks=[2, 4]), "2..3"),
        (lambda: simulation_size([([0.0, 1.0, 0.0], 0.5)]), "at least 30"),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        call()  # type: ignore[operator]

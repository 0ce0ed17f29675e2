"""The estimators of interviewer.inference against ppi-python (the authors' reference
implementation, an independent oracle) to 1e-9, and against cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ppi_py import classical_mean_ci, ppi_mean_ci, ppi_mean_pointestimate

from interviewer.errors import UserInputError
from interviewer.inference import (
    Estimate,
    classical,
    effective_sample_size,
    naive,
    rectified,
)

TOL = 1e-9


def _data(seed: int, quality: float) -> dict[str, np.ndarray]:
    """A pilot of 0/1 answers with predictions correlated by ``quality``, a frame of
    predictions, and survey weights of wide spread."""
    rng = np.random.default_rng(seed)
    n, big_n = 120, 1500
    latent = rng.normal(size=n + big_n)
    prob = 1 / (1 + np.exp(-latent))
    noise = rng.normal(scale=1.0, size=n + big_n)
    pred = 1 / (1 + np.exp(-(quality * latent + (1 - quality) * noise + 0.4)))  # biased
    y = (rng.random(n) < prob[:n]).astype(float)
    return {
        "y": y,
        "yhat": pred[:n],
        "yhat_frame": pred[n:],
        "w": rng.uniform(0.3, 3.0, n),
        "w_frame": rng.uniform(0.3, 3.0, big_n),
    }


def _seed(quality: float, weighted: bool) -> int:
    return int(abs(quality) * 10) + int(weighted) + (100 if quality < 0 else 0)


def _oracle_lam(d: dict[str, np.ndarray], weighted: bool) -> float:
    """ppi-python's tuned λ, read off its public point estimate: θ̂ is affine in λ,
    θ̂ = mean(w·y) + λ·(mean(w_f·ŷ_f) − mean(w·ŷ)), weights at mean 1."""
    w = d["w"] / d["w"].mean() if weighted else np.ones(len(d["y"]))
    wf = d["w_frame"] / d["w_frame"].mean() if weighted else np.ones(len(d["yhat_frame"]))
    theta = ppi_mean_pointestimate(
        d["y"],
        d["yhat"],
        d["yhat_frame"],
        lam=None,
        w=d["w"] if weighted else None,
        w_unlabeled=d["w_frame"] if weighted else None,
    )
    slope = np.mean(wf * d["yhat_frame"]) - np.mean(w * d["yhat"])
    return float((np.asarray(theta).item() - np.mean(w * d["y"])) / slope)


def _oracle_half_width(
    d: dict[str, np.ndarray],
    w: np.ndarray | None,
    wf: np.ndarray | None,
    alpha: float,
    lam: float,
) -> float:
    """ppi-python's half-width at ``lam`` on rows centred at their weighted means: the
    linearised variance λ²·var(w_f·(ŷ_f − m_f))/N + var(w·((y − μ_y) − λ·(ŷ − μ_ŷ)))/n.
    Unweighted, centring changes nothing, so this is ppi-python's own interval."""
    y = d["y"] - np.average(d["y"], weights=w)
    yhat = d["yhat"] - np.average(d["yhat"], weights=w)
    frame = d["yhat_frame"] - np.average(d["yhat_frame"], weights=wf)
    lo, hi = ppi_mean_ci(y, yhat, frame, alpha=alpha, lam=lam, w=w, w_unlabeled=wf)
    if w is None and wf is None:
        plain_lo, _ = ppi_mean_ci(d["y"], d["yhat"], d["yhat_frame"], alpha=alpha, lam=lam)
        centre = ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_frame"], lam=lam)
        assert abs((np.asarray(centre) - np.asarray(plain_lo)).item() - (hi - lo).item() / 2) < TOL
    return float((np.asarray(hi) - np.asarray(lo)).item() / 2)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.32])
@pytest.mark.parametrize("lam", [None, 1.0, 0.0, 0.37])
@pytest.mark.parametrize("quality", [0.9, 0.5, 0.3, -0.5])
def test_rectified_matches_ppi_python(
    weighted: bool, alpha: float, lam: float | None, quality: float
) -> None:
    # quality 0.9 tunes λ to the clip at 1, -0.5 (anti-correlated) to the clip at 0
    d = _data(seed=_seed(quality, weighted), quality=quality)
    w, wf = (d["w"], d["w_frame"]) if weighted else (None, None)
    ours = rectified(d["y"], d["yhat"], d["yhat_frame"], alpha, w, wf, lam=lam)
    theta = ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_frame"], lam=lam, w=w, w_unlabeled=wf)
    assert abs(ours.value - np.asarray(theta).item()) < TOL
    assert ours.lam is not None
    half = _oracle_half_width(d, w, wf, alpha, ours.lam)
    assert abs(ours.lower - (ours.value - half)) < TOL
    assert abs(ours.upper - (ours.value + half)) < TOL
    if lam is None and quality == -0.5:
        expected_lam = 0.0  # θ̂ then no longer depends on λ: read λ off the clip
    else:
        expected_lam = _oracle_lam(d, weighted) if lam is None else lam
    assert ours.lam is not None and abs(ours.lam - expected_lam) < TOL
    assert ours.n == len(d["y"])


def test_power_tuning_is_exercised_strictly_inside_0_1() -> None:
    # The oracle comparison above would prove little if every tuned λ were clipped.
    lams = []
    for quality in (0.5, 0.3):
        for weighted in (False, True):
            d = _data(seed=_seed(quality, weighted), quality=quality)
            w, wf = (d["w"], d["w_frame"]) if weighted else (None, None)
            lams.append(rectified(d["y"], d["yhat"], d["yhat_frame"], 0.1, w, wf).lam)
    assert all(lam is not None and 0.05 < lam < 0.95 for lam in lams), lams


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.2])
def test_classical_and_naive_match_ppi_python(weighted: bool, alpha: float) -> None:
    d = _data(seed=3, quality=0.5)
    w, wf = (d["w"], d["w_frame"]) if weighted else (None, None)
    for ours, (values, weights) in (
        (classical(d["y"], alpha, w), (d["y"], w)),
        (naive(d["yhat_frame"], alpha, wf), (d["yhat_frame"], wf)),
    ):
        # ppi-python's interval of the weighted mean holds the normalised weights fixed
        # (var(w·y)); ours is the linearised one, var(w·(y − θ̂)): the same as ppi-python's
        # on the answers centred at the weighted mean (and identical unweighted).
        centre = np.average(values, weights=weights)
        lo, hi = classical_mean_ci(values - centre, w=weights, alpha=alpha)
        assert abs(ours.value - centre) < TOL
        assert abs(ours.lower - (centre + float(lo))) < TOL
        assert abs(ours.upper - (centre + float(hi))) < TOL
        if weights is None:
            plain_lo, plain_hi = classical_mean_ci(values, alpha=alpha)
            assert abs(ours.lower - float(plain_lo)) < TOL
            assert abs(ours.upper - float(plain_hi)) < TOL
        assert ours.lam is None and ours.n == len(values)


# ── worked by hand ──────────────────────────────────────────────────────────

Y = [1.0, 0.0, 1.0, 1.0]
YHAT = [1.0, 0.0, 0.0, 1.0]
FRAME = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
Z90 = 1.6448536269514722  # Φ⁻¹(0.95)


def test_plain_ppi_by_hand() -> None:
    # θ̂ = mean(frame) + mean(y − ŷ) = 0.5 + 0.25 = 0.75
    # se² = var(frame)/N + var(y − ŷ)/n = 0.25/6 + 0.1875/4 = 17/192
    e = rectified(Y, YHAT, FRAME, lam=1.0)
    se = math.sqrt(17 / 192)
    assert e.value == pytest.approx(0.75, abs=TOL)
    assert e.lower == pytest.approx(0.75 - Z90 * se, abs=TOL)
    assert e.upper == pytest.approx(0.75 + Z90 * se, abs=TOL)
    assert e.lam == 1.0


def test_power_tuned_by_hand() -> None:
    # At θ̂₁ = 0.75: cov(y, ŷ) (ddof 0) = 0.125; var of the 10 pooled predictions
    # (ddof 1) = 2.5/9; λ* = 0.125 / ((1 + 4/6)·(2.5/9)) = 0.27.
    # θ̂ = 0.27·0.5 + mean(y − 0.27·ŷ) = 0.135 + 0.615 = 0.75
    # se² = 0.27²·0.25/6 + var([.73, 0, 1, .73])/4 = 0.0030375 + 0.138225/4 = 0.03759375
    e = rectified(Y, YHAT, FRAME)
    se = math.sqrt(0.03759375)
    assert e.lam == pytest.approx(0.27, abs=TOL)
    assert e.value == pytest.approx(0.75, abs=TOL)
    assert e.lower == pytest.approx(0.75 - Z90 * se, abs=TOL)
    assert e.upper == pytest.approx(0.75 + Z90 * se, abs=TOL)


def test_weighted_classical_by_hand() -> None:
    # weights (1, 3): θ̂ = (1·2 + 3·4)/4 = 3.5; the linearised (Hájek) variance
    # Σ w²·(y − θ̂)² / (Σ w)² = (1·1.5² + 9·0.5²)/16 = 4.5/16
    e = classical([2.0, 4.0], weights=[1.0, 3.0])
    assert e.value == pytest.approx(3.5, abs=TOL)
    assert e.width == pytest.approx(2 * Z90 * math.sqrt(4.5 / 16), abs=TOL)


def test_weighted_constant_answers_have_no_spread() -> None:
    # Everyone answering alike leaves nothing uncertain, however the weights vary
    # (holding the weights fixed gave var(w·1) > 0: a width of 1.37 here).
    assert classical([1.0, 1.0, 1.0], weights=[1.0, 2.0, 6.0]).width == 0.0
    e = rectified([1.0] * 3, [0.5, 0.7, 0.9], [0.6] * 5, weights=[1.0, 2.0, 6.0], lam=0.0)
    assert e.width == pytest.approx(0.0, abs=TOL)


def test_lam_zero_is_the_pilot_alone() -> None:
    d = _data(seed=5, quality=0.6)
    e = rectified(d["y"], d["yhat"], d["yhat_frame"], lam=0.0, weights=d["w"])
    c = classical(d["y"], weights=d["w"])
    assert (e.value, e.lower, e.upper) == pytest.approx((c.value, c.lower, c.upper), abs=TOL)


def test_effective_sample_size() -> None:
    pilot = Estimate(0.5, 0.4, 0.6, n=100)
    assert effective_sample_size(pilot, Estimate(0.5, 0.45, 0.55, n=100, lam=1.0)) == (
        pytest.approx(400.0)
    )
    assert effective_sample_size(pilot, pilot) == pytest.approx(100.0)


def test_constant_predictions_fall_back_to_the_pilot() -> None:
    e = rectified(Y, [0.5] * 4, [0.5] * 6)
    assert e.lam == 0.0
    c = classical(Y)
    assert (e.lower, e.upper) == pytest.approx((c.lower, c.upper), abs=TOL)


# ── bad input: one clear line ───────────────────────────────────────────────


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: classical([1.0, float("nan"), 0.0]), "y has 1 missing"),
        (lambda: classical([1.0]), "at least 2 rows"),
        (lambda: classical([[1.0, 0.0]]), "1-D"),
        (lambda: classical([1.0, 0.0], weights=[1.0, -1.0]), "must not be negative"),
        (lambda: classical([1.0, 0.0], weights=[1.0]), "one value per row"),
        (lambda: classical([1.0, 0.0], weights=[0.0, 0.0]), "sum to 0"),
        (lambda: classical([1.0, 0.0], alpha=1.5), "alpha"),
        (lambda: naive([1.0]), "yhat_frame needs at least 2"),
        (lambda: naive([1.0, 0.0], frame_weights=[1.0]), "frame_weights must have"),
        (lambda: rectified(Y, YHAT[:3], FRAME), "yhat has 3 rows but y has 4"),
        (lambda: rectified(Y, YHAT, [float("inf"), 0.0]), "yhat_frame has 1 missing"),
        (lambda: rectified(Y, YHAT, FRAME, lam=float("nan")), "lam must be"),
        (lambda: effective_sample_size(Estimate(0, 0, 1, 2), Estimate(0, 0, 0, 2)), "zero width"),
    ],
)
def test_bad_input_is_one_clear_line(call: object, message: str) -> None:
    with pytest.raises(UserInputError, match=message) as caught:
        call()  # type: ignore[operator]
    assert "\n" not in str(caught.value)


# ── properties ──────────────────────────────────────────────────────────────

_values = st.lists(st.floats(0, 1, allow_nan=False), min_size=3, max_size=40)


@settings(max_examples=60, deadline=None)
@given(_values, st.integers(0, 2**31), st.booleans())
def test_lam_zero_is_classical_for_any_data(y: list[float], seed: int, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    yhat, frame = rng.random(len(y)), rng.random(50)
    w = rng.uniform(0.1, 5, len(y)) if weighted else None
    e, c = rectified(y, yhat, frame, weights=w, lam=0.0), classical(y, weights=w)
    assert (e.value, e.lower, e.upper) == pytest.approx((c.value, c.lower, c.upper), abs=TOL)


@settings(max_examples=60, deadline=None)
@given(_values, st.integers(0, 2**31))
def test_a_perfect_predictor_leaves_only_the_frame_term(y: list[float], seed: int) -> None:
    # ŷ = y on the pilot: the rectifier y − ŷ is 0, so plain PPI's interval is the
    # frame's own (the naive width), centred on the frame mean.
    frame = np.random.default_rng(seed).random(60)
    e, f = rectified(y, y, frame, lam=1.0), naive(frame)
    assert e.value == pytest.approx(f.value, abs=TOL)
    assert e.width == pytest.approx(f.width, abs=TOL)


@settings(max_examples=60, deadline=None)
@given(_values, st.integers(0, 2**31), st.floats(-5, 5))
def test_shifting_every_answer_shifts_the_estimate(y: list[float], seed: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    yhat, frame = rng.random(len(y)), rng.random(50)
    a = rectified(y, yhat, frame)
    b = rectified(np.add(y, shift), yhat + shift, frame + shift)
    assert b.lam == pytest.approx(a.lam, abs=1e-9)
    assert b.value == pytest.approx(a.value + shift, abs=1e-9)
    assert b.width == pytest.approx(a.width, abs=1e-9)


def test_tuned_lam_sits_in_0_1_and_is_never_much_worse_than_either_end() -> None:
    # Over many random data sets the tuned interval is, on average, no wider than the
    # better of λ = 0 (pilot only) and λ = 1 (plain PPI) by more than a few percent.
    rng = np.random.default_rng(12)
    ratios = []
    for quality in rng.uniform(-0.5, 1.0, 200):
        d = _data(int(rng.integers(1_000_000)), float(quality))
        args = (d["y"], d["yhat"], d["yhat_frame"])
        tuned = rectified(*args)
        assert tuned.lam is not None and 0.0 <= tuned.lam <= 1.0
        best = min(rectified(*args, lam=0.0).width, rectified(*args, lam=1.0).width)
        ratios.append(tuned.width / best)
    assert float(np.mean(ratios)) < 1.02


@pytest.mark.parametrize("which", ["pilot", "frame"])
@pytest.mark.parametrize("lam", [None, 1.0])
def test_one_sided_weights_match_ppi_python(which: str, lam: float | None) -> None:
    # Weights on the pilot only (a weighted sample, an unweighted frame) or the frame only.
    d = _data(seed=21, quality=0.5)
    w = d["w"] if which == "pilot" else None
    wf = d["w_frame"] if which == "frame" else None
    ours = rectified(d["y"], d["yhat"], d["yhat_frame"], 0.1, w, wf, lam=lam)
    theta = ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_frame"], lam=lam, w=w, w_unlabeled=wf)
    assert abs(ours.value - np.asarray(theta).item()) < TOL
    assert ours.lam is not None
    half = _oracle_half_width(d, w, wf, 0.1, ours.lam)
    assert abs(ours.lower - (ours.value - half)) < TOL
    assert abs(ours.upper - (ours.value + half)) < TOL

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from interviewer.matching import OBJECTIVES, match, trait_table, weights_block

OPTIONS = {"party": ["Democrat", "Republican"], "age": ["young", "old"]}


def hand_case():
    # Personas (P(Democrat), P(young)):
    #   p0 (.9, .8)  p1 (.2, .9)  p2 (.5, .1)  p3 (.1, .2)
    # Humans: h0 Democrat young, h1 Republican young, h2 Democrat old.
    personas = [
        {"party": {"Democrat": d, "Republican": 1 - d}, "age": {"young": y, "old": 1 - y}}
        for d, y in [(0.9, 0.8), (0.2, 0.9), (0.5, 0.1), (0.1, 0.2)]
    ]
    humans = [
        {"party": "Democrat", "age": "young"},
        {"party": "Republican", "age": "young"},
        {"party": "Democrat", "age": "old"},
    ]
    return trait_table(personas, humans, OPTIONS)


def test_weights_by_hand() -> None:
    # Weight = product over traits; e.g. h0·p0 = .9 × .8 = .72, h1·p1 = .8 × .9 = .72,
    # h2·p2 = .5 × .9 = .45, h2·p0 = .9 × .2 = .18.
    w = np.exp(weights_block(hand_case(), slice(0, 3)))
    assert w == pytest.approx(
        np.array(
            [
                [0.72, 0.18, 0.05, 0.02],
                [0.08, 0.72, 0.05, 0.18],
                [0.18, 0.02, 0.45, 0.08],
            ]
        )
    )


def test_maxweight_by_hand() -> None:
    # Best one-to-one: h0→p0 (.72), h1→p1 (.72), h2→p2 (.45): log total = log(.72·.72·.45).
    result = match(hand_case(), "maxweight")
    assert result.persona_index.tolist() == [0, 1, 2]
    assert result.log_weight.sum() == pytest.approx(math.log(0.72 * 0.72 * 0.45))
    assert result.mean_log_weight == pytest.approx(math.log(0.72 * 0.72 * 0.45) / 3)


def test_greedy_may_reuse() -> None:
    # h2's best persona is p2 (.45); make p0 everyone's favourite and greedy reuses it.
    personas = [
        {"party": {"Democrat": 0.9, "Republican": 0.9}, "age": {"young": 0.9, "old": 0.9}},
        {"party": {"Democrat": 0.1, "Republican": 0.1}, "age": {"young": 0.1, "old": 0.1}},
    ]
    humans = [{"party": "Democrat", "age": "young"}, {"party": "Republican", "age": "old"}]
    table = trait_table(personas, humans, OPTIONS)
    assert match(table, "greedy").persona_index.tolist() == [0, 0]
    assert sorted(match(table, "maxweight").persona_index.tolist()) == [0, 1]


def test_more_humans_than_personas() -> None:
    # 3 humans, 2 personas (p0, p1 of the hand case): each persona used once; h0→p0 and
    # h1→p1 (.72 + .72 in products) beats any pairing that uses h2.
    table = hand_case()
    small = type(table)(table.traits, [lp[:2] for lp in table.persona_logp], table.human_codes)
    result = match(small, "maxweight")
    pairs = zip(result.human_index.tolist(), result.persona_index.tolist(), strict=True)
    assert sorted(pairs) == [(0, 0), (1, 1)]


def test_missing_trait_is_left_out_of_the_weight() -> None:
    table = hand_case()
    codes = table.human_codes.copy()
    codes[0, 1] = -1  # h0 gave no age: its weight with p0 is P(Democrat) = .9 alone
    partial = type(table)(table.traits, table.persona_logp, codes)
    assert math.exp(weights_block(partial, slice(0, 1))[0, 0]) == pytest.approx(0.9)


def test_random_is_seeded_and_does_not_reuse() -> None:
    first, again = match(hand_case(), "random", seed=3), match(hand_case(), "random", seed=3)
    assert first.persona_index.tolist() == again.persona_index.tolist()
    assert len(set(first.persona_index.tolist())) == 3


@pytest.mark.parametrize("seed", range(10))
def test_random_uses_every_persona_before_reusing_one(seed: int) -> None:
    # 7 humans, 3 personas: "without reuse while personas last" means each persona is
    # drawn once per round, so the counts are 3, 2, 2 in some order. (Drawing with
    # replacement gives that only ~29% of the time: 3 × 7!/(3!·2!·2!) / 3^7.)
    table = hand_case()
    humans = np.array([[0, 0]] * 7)
    small = type(table)(table.traits, [lp[:3] for lp in table.persona_logp], humans)
    counts = np.bincount(match(small, "random", seed=seed).persona_index, minlength=3)
    assert sorted(counts.tolist()) == [2, 2, 3]


def random_instance(seed: int) -> tuple[list[dict[str, dict[str, float]]], list[dict[str, str]]]:
    rng = np.random.default_rng(seed)
    humans, personas = int(rng.integers(3, 30)), int(rng.integers(3, 40))
    dists = [
        {t: dict(zip(o, rng.dirichlet(np.ones(len(o))), strict=True)) for t, o in OPTIONS3.items()}
        for _ in range(personas)
    ]
    people = [{t: str(rng.integers(len(o))) for t, o in OPTIONS3.items()} for _ in range(humans)]
    return dists, people


OPTIONS3 = {"a": ["0", "1", "2"], "b": ["0", "1"], "c": ["0", "1", "2", "3"]}


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("seed", range(12))
def test_each_objective_equals_linear_sum_assignment(objective: str, seed: int) -> None:
    # The oracle builds the dense weight matrix straight from the distributions
    # (product over traits), not through the code under test, and solves it with
    # scipy's dense solver: the sum of weights for "weight", of log-weights for "loglik".
    dists, people = random_instance(seed)
    weight = np.array([[np.prod([d[t][h[t]] for t in OPTIONS3]) for d in dists] for h in people])
    value = weight if objective == "weight" else np.log(weight)
    rows, cols = linear_sum_assignment(value, maximize=True)
    result = match(trait_table(dists, people, OPTIONS3), "maxweight", objective=objective)
    achieved = value[result.human_index, result.persona_index].sum()
    assert achieved == pytest.approx(value[rows, cols].sum(), rel=1e-12)
    assert len(result.persona_index) == min(weight.shape)
    assert len(set(result.persona_index.tolist())) == len(result.persona_index)


def test_the_two_objectives_pick_different_assignments_by_hand() -> None:
    # One trait, options a b c d. Personas' distributions (a, b, c, d):
    #   p0 (.05, .15, .10, .70)  p1 (.05, .20, .70, .05)  p2 (.25, .50, .15, .10)
    # Humans h0 = a, h1 = b, h2 = c, so weight[h][p] = P_p(h's option):
    #   h0 [.05 .05 .25]   h1 [.15 .20 .50]   h2 [.10 .70 .15]
    # The six assignments (persona of h0, h1, h2): sum of weights; product
    #   (0,1,2) .40 .0015   (0,2,1) 1.25 .0175   (1,0,2) .35 .001125
    #   (1,2,0) .65 .0025   (2,0,1) 1.10 .02625  (2,1,0) .55 .005
    # weight (sum) picks (0,2,1); loglik (product) picks (2,0,1).
    options = {"x": ["a", "b", "c", "d"]}
    personas = [
        {"x": dict(zip("abcd", probs, strict=True))}
        for probs in [(0.05, 0.15, 0.10, 0.70), (0.05, 0.20, 0.70, 0.05), (0.25, 0.50, 0.15, 0.10)]
    ]
    table = trait_table(personas, [{"x": "a"}, {"x": "b"}, {"x": "c"}], options)
    by_weight = match(table, "maxweight", objective="weight")
    by_loglik = match(table, "maxweight", objective="loglik")
    assert by_weight.persona_index.tolist() == [0, 2, 1]
    assert by_loglik.persona_index.tolist() == [2, 0, 1]
    assert np.exp(by_loglik.log_weight).prod() == pytest.approx(0.02625)


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("method", ["maxweight", "greedy"])
def test_zero_loses_to_any_positive_probability(method: str, objective: str) -> None:
    # One human (Democrat, young). p0 gives Democrat probability 0, p1 gives 1e-15;
    # both say young for sure. p1's weight 1e-15 beats p0's 0 (a floor would tie them).
    personas = [
        {"party": {"Democrat": 0.0, "Republican": 1.0}, "age": {"young": 1.0, "old": 0.0}},
        {"party": {"Democrat": 1e-15, "Republican": 1.0}, "age": {"young": 1.0, "old": 0.0}},
    ]
    table = trait_table(personas, [{"party": "Democrat", "age": "young"}], OPTIONS)
    result = match(table, method, objective=objective)
    assert result.persona_index.tolist() == [1]
    assert result.log_weight[0] == pytest.approx(math.log(1e-15))


@pytest.mark.parametrize(("objective", "expected"), [("loglik", [0, 1]), ("weight", [1, 0])])
def test_loglik_avoids_a_zero_pair_when_it_can(objective: str, expected: list[int]) -> None:
    # h0 (Democrat) and h1 (Republican). p0: Democrat 1e-12 / Republican 1 - 1e-12;
    # p1: Democrat 0 / Republican 1e-9 (the rest on neither). Pairing h0-p1 has weight 0;
    # the only zero-free assignment is h0-p0 (1e-12), h1-p1 (1e-9): loglik takes it
    # (log 0 = -inf loses to any finite sum). weight sums 0 + (1 - 1e-12) ≈ 1 against
    # 1e-12 + 1e-9 and takes the zero pair, as the papers' objective does.
    options = {"party": ["Democrat", "Republican", "Other"]}
    personas = [
        {"party": {"Democrat": 1e-12, "Republican": 1 - 1e-12, "Other": 0.0}},
        {"party": {"Democrat": 0.0, "Republican": 1e-9, "Other": 1 - 1e-9}},
    ]
    table = trait_table(personas, [{"party": "Democrat"}, {"party": "Republican"}], options)
    result = match(table, "maxweight", objective=objective)
    assert result.persona_index.tolist() == expected


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("seed", range(6))
def test_sparse_candidates_stay_exact_with_zeros(objective: str, seed: int) -> None:
    # Personas outnumber humans 3 to 1, so only each human's top-H personas enter the
    # solver; about a third of the probabilities are exactly 0. Oracle: the dense
    # matrix, solved by scipy. For loglik the oracle needs no zero pair to be forced,
    # so every human has a zero-free persona and the optimum is finite.
    rng = np.random.default_rng(100 + seed)
    humans, personas = 15, 45
    options = {"a": ["0", "1", "2"], "b": ["0", "1", "2", "3"]}

    def dist(size: int) -> dict[str, float]:
        p = rng.dirichlet(np.ones(size)) * (rng.random(size) > 0.33)
        p[rng.integers(size)] += 0.1  # never all zero
        return dict(zip(map(str, range(size)), p / p.sum(), strict=True))

    dists = [{t: dist(len(o)) for t, o in options.items()} for _ in range(personas)]
    people = [{t: str(rng.integers(len(o))) for t, o in options.items()} for _ in range(humans)]
    weight = np.array([[np.prod([d[t][h[t]] for t in options]) for d in dists] for h in people])
    assert (weight == 0).mean() > 0.2
    with np.errstate(divide="ignore"):
        value = weight if objective == "weight" else np.log(weight)
    rows, cols = linear_sum_assignment(np.where(np.isfinite(value), value, -1e6), maximize=True)
    assert np.isfinite(value[rows, cols]).all()
    result = match(trait_table(dists, people, options), "maxweight", objective=objective)
    achieved = value[result.human_index, result.persona_index].sum()
    assert achieved == pytest.approx(value[rows, cols].sum(), rel=1e-12)

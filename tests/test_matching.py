from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from interviewer.matching import match, trait_table, weights_block

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


@pytest.mark.parametrize("seed", range(8))
def test_maxweight_equals_linear_sum_assignment(seed: int) -> None:
    rng = np.random.default_rng(seed)
    humans, personas = int(rng.integers(3, 30)), int(rng.integers(3, 40))
    options = {"a": ["0", "1", "2"], "b": ["0", "1"], "c": ["0", "1", "2", "3"]}
    dists = [
        {t: dict(zip(o, rng.dirichlet(np.ones(len(o))), strict=True)) for t, o in options.items()}
        for _ in range(personas)
    ]
    people = [{t: str(rng.integers(len(o))) for t, o in options.items()} for _ in range(humans)]
    table = trait_table(dists, people, options)
    dense = weights_block(table, slice(0, humans))
    assert dense.std() > 0.1  # real, varied weights (a constant matrix would prove nothing)
    rows, cols = linear_sum_assignment(dense, maximize=True)
    result = match(table, "maxweight")
    assert result.log_weight.sum() == pytest.approx(dense[rows, cols].sum())
    assert len(set(result.persona_index.tolist())) == len(result.persona_index)


def test_random_is_seeded_and_does_not_reuse() -> None:
    first, again = match(hand_case(), "random", seed=3), match(hand_case(), "random", seed=3)
    assert first.persona_index.tolist() == again.persona_index.tolist()
    assert len(set(first.persona_index.tolist())) == 3

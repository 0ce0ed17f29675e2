"""Match real respondents to personas by demographics.

The weight of a (human h, persona p) pair is the product over traits of the persona's
probability of h's value, P_p(trait = value_h); we work with its log (a sum). Traits a
human did not report are left out of its weight.

- ``maxweight``: a one-to-one assignment maximising the total log-weight. Only each
  human's top-H personas (H = number of humans) can appear in an optimal assignment
  (at most H - 1 others can take a better one), so the exact problem is solved on
  that sparse candidate graph (scipy's LAPJVsp) without a dense H × P matrix. When
  humans outnumber personas, every persona is used once and the rest stay unmatched.
- ``greedy``: each human takes its best persona; personas may be reused.
- ``random``: a seeded random persona per human, without reuse while personas last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from interviewer.demographics import traits
from interviewer.errors import UserInputError
from interviewer.humans import HumanData
from interviewer.schemas import Persona
from interviewer.storage import atomic_write_text

Method = Literal["maxweight", "greedy", "random"]
METHODS: tuple[Method, ...] = ("maxweight", "greedy", "random")
PROB_FLOOR = 1e-6
"""Probabilities below this count as this, so one zero does not make a weight -inf."""
BLOCK = 256


@dataclass(frozen=True)
class TraitTable:
    """Personas' log-probabilities and humans' values for the traits matched on."""

    traits: list[str]
    persona_logp: list[np.ndarray]
    """Per trait: personas × (options + 1): log of the floored probability, then a
    column of zeros that code -1 (no value) selects, adding nothing to the weight."""
    human_codes: np.ndarray
    """Humans × traits: option index, or -1 where the human gave no value."""


@dataclass(frozen=True)
class Matching:
    human_index: np.ndarray
    persona_index: np.ndarray
    """Pairs, aligned; unmatched humans are absent."""
    log_weight: np.ndarray

    @property
    def mean_log_weight(self) -> float:
        return float(self.log_weight.mean()) if len(self.log_weight) else float("nan")


def trait_table(
    personas: Sequence[dict[str, dict[str, float]]],
    humans: Sequence[dict[str, str]],
    options: dict[str, list[str]],
) -> TraitTable:
    """Build the table from persona demographics and human profiles over ``options``."""
    traits = list(options)
    logp = []
    for trait in traits:
        rows = []
        for index, dist in enumerate(personas):
            if trait not in dist:
                raise UserInputError(
                    f"persona #{index} has no {trait!r} distribution; "
                    "run interviewer demographics on its directory"
                )
            rows.append([dist[trait].get(option, 0.0) for option in options[trait]])
        logp.append(padded(np.log(np.maximum(np.asarray(rows, dtype=np.float64), PROB_FLOOR))))
    codes = np.full((len(humans), len(traits)), -1, dtype=np.int64)
    for h, profile in enumerate(humans):
        for t, trait in enumerate(traits):
            if trait in profile:
                codes[h, t] = options[trait].index(profile[trait])
    return TraitTable(traits, logp, codes)


def padded(logp: np.ndarray) -> np.ndarray:
    """Append the all-zero column that a missing value (code -1) selects."""
    return np.hstack([logp, np.zeros((logp.shape[0], 1))])


def weights_block(table: TraitTable, humans: slice) -> np.ndarray:
    """Log-weights of a block of humans against every persona: (block × personas)."""
    codes = table.human_codes[humans]
    total = np.zeros((codes.shape[0], table.persona_logp[0].shape[0]))
    for t, logp in enumerate(table.persona_logp):
        total += logp[:, codes[:, t]].T
    return total


def pair_weights(table: TraitTable, humans: np.ndarray, personas: np.ndarray) -> np.ndarray:
    """Log-weights of the given (human, persona) pairs only."""
    return sum(
        (logp[personas, table.human_codes[humans, t]] for t, logp in enumerate(table.persona_logp)),
        start=np.zeros(len(humans)),
    )


def match(table: TraitTable, method: Method, seed: int = 0) -> Matching:
    if method == "greedy":
        return _greedy(table)
    if method == "random":
        return _random(table, seed)
    return _maxweight(table)


def _blocks(count: int) -> list[slice]:
    return [slice(start, min(start + BLOCK, count)) for start in range(0, count, BLOCK)]


def _greedy(table: TraitTable) -> Matching:
    humans = table.human_codes.shape[0]
    best = np.empty(humans, dtype=np.int64)
    weight = np.empty(humans)
    for block in _blocks(humans):
        w = weights_block(table, block)
        best[block] = w.argmax(axis=1)
        weight[block] = w.max(axis=1)
    return Matching(np.arange(humans), best, weight)


def _random(table: TraitTable, seed: int) -> Matching:
    humans, personas = table.human_codes.shape[0], table.persona_logp[0].shape[0]
    rng = np.random.default_rng(seed)
    picks = np.asarray(rng.permutation(personas))[:humans]
    if personas < humans:  # not enough personas to go round: draw with replacement
        picks = np.asarray(rng.integers(0, personas, size=humans))
    people = np.arange(humans)
    return Matching(people, picks, pair_weights(table, people, picks))


def _maxweight(table: TraitTable) -> Matching:
    humans, personas = table.human_codes.shape[0], table.persona_logp[0].shape[0]
    keep = min(humans, personas)
    rows, cols, vals = [], [], []
    for block in _blocks(humans):
        w = weights_block(table, block)
        top = (
            np.argpartition(-w, keep - 1, axis=1)[:, :keep]
            if keep < personas
            else np.broadcast_to(np.arange(personas), (w.shape[0], personas))
        )
        rows.append(np.repeat(np.arange(block.start, block.stop, dtype=np.int32), top.shape[1]))
        cols.append(top.ravel().astype(np.int32))
        vals.append(np.take_along_axis(w, top, axis=1).ravel())
    row, col, val = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    # LAPJVsp minimises and treats stored zeros as edges only if explicit; shift costs
    # to be strictly positive so every candidate edge is kept.
    cost = val.max() - val + 1.0
    graph = sp.csr_matrix((cost, (row, col)), shape=(humans, personas))
    try:
        matched_h, matched_p = min_weight_full_bipartite_matching(graph)
    except ValueError as exc:  # no full matching among candidates: cannot happen with top-H
        raise UserInputError(f"matching failed: {exc}") from None
    order = np.argsort(matched_h)
    humans_out, personas_out = matched_h[order], matched_p[order]
    return Matching(humans_out, personas_out, pair_weights(table, humans_out, personas_out))


def match_to_file(
    personas: Sequence[Persona],
    humans: HumanData,
    trait_names: Sequence[str],
    method: Method,
    seed: int,
    out: Path,
) -> Matching:
    """Match ``humans`` to ``personas`` on ``trait_names`` and write the pairs CSV
    (respondent_id, persona_id, log_weight)."""
    canonical = traits()
    options = {t: canonical[t].options for t in trait_names}
    table = trait_table(
        [p.demographics for p in personas], [humans.profile(i) for i in range(len(humans))], options
    )
    result = match(table, method, seed)
    rows = ["respondent_id,persona_id,log_weight\n"] + [
        f"{humans.ids[h]},{personas[p].id},{w:.6f}\n"
        for h, p, w in zip(result.human_index, result.persona_index, result.log_weight, strict=True)
    ]
    atomic_write_text(out, "".join(rows))
    return result

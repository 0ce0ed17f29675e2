"""Match real respondents to personas by demographics.

The weight of a (human h, persona p) pair is the product over traits of the persona's
probability of h's value, P_p(trait = value_h). Traits a human did not report are left
out of its weight. A probability of exactly 0 makes the weight 0, which loses to any
positive weight however small: no floor. We keep each weight as its log split in two,
(number of zero factors, sum of the logs of the positive factors), so 1e-15 and 0 stay
apart and nothing underflows.

- ``maxweight``: a one-to-one assignment maximising an ``objective``:

  - ``weight`` (default): the sum of the weights, the Anthology code's objective (use it
    to replicate the papers). A pair with a zero factor adds 0.
  - ``loglik``: the sum of log-weights, the joint likelihood of the assignment. A zero
    factor is log 0 = -inf, so an assignment with fewer zero factors always wins; among
    those with the fewest, the larger sum of the positive factors' logs.

  Only each human's top-H personas (H = number of humans) can appear in an optimal
  assignment (at most H - 1 others can take a better one; a swap to a free one loses
  nothing), whatever the objective, since both rank a human's personas the same way.
  So the exact problem is solved on that sparse candidate graph (scipy's LAPJVsp)
  without a dense H × P matrix. When humans outnumber personas, every persona is used
  once and the rest stay unmatched.
- ``greedy``: each human takes its best persona (the same under both objectives);
  personas may be reused.
- ``random``: a seeded random persona per human, ignoring the weights, without reuse
  while personas last: every persona is drawn once (in a random order) before any is
  drawn again, so with fewer personas than humans each is used ⌊H/P⌋ or ⌈H/P⌉ times.

``match_to_file`` writes the objective into every row of the pairs CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from interviewer.contracts.choices import MATCH_METHODS, MatchMethod
from interviewer.contracts.choices import OBJECTIVES as OBJECTIVES
from interviewer.contracts.choices import Objective as Objective
from interviewer.contracts.demographics import traits
from interviewer.contracts.humans import HumanData
from interviewer.contracts.persona import Persona
from interviewer.errors import UserInputError
from interviewer.storage import atomic_write_text

Method = MatchMethod  # the names this module's callers know
METHODS = MATCH_METHODS
BLOCK = 256


@dataclass(frozen=True)
class TraitTable:
    """Personas' log-probabilities and humans' values for the traits matched on."""

    traits: list[str]
    persona_logp: list[np.ndarray]
    """Per trait: personas × (options + 1): log of the probability (-inf for 0), then a
    column of zeros that code -1 (no value) selects, adding nothing to the weight."""
    human_codes: np.ndarray
    """Humans × traits: option index, or -1 where the human gave no value."""

    @cached_property
    def split(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per trait: (1 where the probability is 0, log where it is positive else 0)."""
        return [
            (np.isneginf(lp).astype(np.int64), np.where(np.isneginf(lp), 0.0, lp))
            for lp in self.persona_logp
        ]

    @property
    def personas(self) -> int:
        return int(self.persona_logp[0].shape[0])

    @property
    def humans(self) -> int:
        return int(self.human_codes.shape[0])


@dataclass(frozen=True)
class Matching:
    human_index: np.ndarray
    persona_index: np.ndarray
    """Pairs, aligned; unmatched humans are absent."""
    log_weight: np.ndarray
    """Log of each pair's weight; -inf where a factor is 0."""

    @property
    def mean_log_weight(self) -> float:
        """Mean over the pairs with a positive weight (NaN if none): one zero-weight pair
        would make the mean -inf and say nothing; ``zero_pairs`` counts those."""
        positive = self.log_weight[np.isfinite(self.log_weight)]
        return float(positive.mean()) if len(positive) else float("nan")

    @property
    def zero_pairs(self) -> int:
        """Pairs whose weight is 0 (a persona gave one of the human's traits probability 0)."""
        return int((~np.isfinite(self.log_weight)).sum())


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
        with np.errstate(divide="ignore"):  # log 0 = -inf: the table keeps zeros apart
            logp.append(padded(np.log(np.asarray(rows, dtype=np.float64))))
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
    zeros, logs = split_block(table, humans)
    return np.where(zeros > 0, -np.inf, logs)


def split_block(table: TraitTable, humans: slice) -> tuple[np.ndarray, np.ndarray]:
    """A block's weights as (zero factors, sum of the positive factors' logs)."""
    codes = table.human_codes[humans]
    zeros = np.zeros((codes.shape[0], table.personas), dtype=np.int64)
    logs = np.zeros((codes.shape[0], table.personas))
    for t, (zero, log) in enumerate(table.split):
        zeros += zero[:, codes[:, t]].T
        logs += log[:, codes[:, t]].T
    return zeros, logs


def pair_weights(table: TraitTable, humans: np.ndarray, personas: np.ndarray) -> np.ndarray:
    """Log-weights of the given (human, persona) pairs only (-inf where a factor is 0)."""
    zeros, logs = np.zeros(len(humans), dtype=np.int64), np.zeros(len(humans))
    for t, (zero, log) in enumerate(table.split):
        zeros += zero[personas, table.human_codes[humans, t]]
        logs += log[personas, table.human_codes[humans, t]]
    return np.where(zeros > 0, -np.inf, logs)


def ranking_key(zeros: np.ndarray, logs: np.ndarray) -> np.ndarray:
    """One number per pair, per row, ordering a human's personas as both objectives do:
    fewer zero factors first, then the larger log. Within a row the logs span less than
    ``span``, so one zero factor outweighs any difference in logs."""
    span = logs.max(axis=1, keepdims=True) - logs.min(axis=1, keepdims=True) + 1.0
    key: np.ndarray = logs - span * zeros
    return key


def match(
    table: TraitTable, method: Method, seed: int = 0, objective: Objective = "weight"
) -> Matching:
    if method == "greedy":
        return _greedy(table)
    if method == "random":
        return _random(table, seed)
    return _maxweight(table, objective)


def _blocks(count: int) -> list[slice]:
    return [slice(start, min(start + BLOCK, count)) for start in range(0, count, BLOCK)]


def _greedy(table: TraitTable) -> Matching:
    best = np.empty(table.humans, dtype=np.int64)
    for block in _blocks(table.humans):
        best[block] = ranking_key(*split_block(table, block)).argmax(axis=1)
    people = np.arange(table.humans)
    return Matching(people, best, pair_weights(table, people, best))


def _random(table: TraitTable, seed: int) -> Matching:
    rng = np.random.default_rng(seed)
    rounds = -(-table.humans // table.personas)  # ceil: one permutation per round
    picks = np.concatenate([rng.permutation(table.personas) for _ in range(rounds)])
    people = np.arange(table.humans)
    return Matching(
        people, picks[: table.humans], pair_weights(table, people, picks[: table.humans])
    )


def _maxweight(table: TraitTable, objective: Objective) -> Matching:
    humans, personas = table.humans, table.personas
    keep = min(humans, personas)
    rows, cols, zero_parts, log_parts = [], [], [], []
    for block in _blocks(humans):
        zeros, logs = split_block(table, block)
        top = (
            np.argpartition(-ranking_key(zeros, logs), keep - 1, axis=1)[:, :keep]
            if keep < personas
            else np.broadcast_to(np.arange(personas), (zeros.shape[0], personas))
        )
        rows.append(np.repeat(np.arange(block.start, block.stop, dtype=np.int32), top.shape[1]))
        cols.append(top.ravel().astype(np.int32))
        zero_parts.append(np.take_along_axis(zeros, top, axis=1).ravel())
        log_parts.append(np.take_along_axis(logs, top, axis=1).ravel())
    zeros, logs = np.concatenate(zero_parts), np.concatenate(log_parts)
    cost = edge_costs(zeros, logs, objective, keep)
    graph = sp.csr_matrix(
        (cost, (np.concatenate(rows), np.concatenate(cols))), shape=(humans, personas)
    )
    try:
        matched_h, matched_p = min_weight_full_bipartite_matching(graph)
    except ValueError as exc:  # no full matching among candidates: cannot happen with top-H
        raise UserInputError(f"matching failed: {exc}") from None
    order = np.argsort(matched_h)
    humans_out, personas_out = matched_h[order], matched_p[order]
    return Matching(humans_out, personas_out, pair_weights(table, humans_out, personas_out))


def edge_costs(zeros: np.ndarray, logs: np.ndarray, objective: Objective, pairs: int) -> np.ndarray:
    """Costs for the minimising solver, never 0 (the solver drops a stored 0 as no edge).

    ``weight``: minus the weight, scaled so the largest zero-free weight is 1 (one common
    factor does not move the argmax of a sum). A zero pair costs minus the smallest
    float, so it adds nothing a sum can register yet stays below every positive weight
    (weights under ~1e-308 of the largest count as that much).
    ``loglik``: one zero factor costs more than any difference in the logs that
    ``pairs`` matched pairs can make up, so the fewest zero factors come first; shifted
    so every cost is at least 1.
    """
    if objective == "weight":
        free = zeros == 0
        top = logs[free].max() if free.any() else 0.0
        floats = np.finfo(np.float64)
        weight = np.maximum(np.exp(logs - top), floats.tiny)
        return np.where(free, -weight, -floats.smallest_subnormal)
    penalty = float(pairs * (logs.max() - logs.min()) + 1.0)
    cost: np.ndarray = penalty * zeros - logs + (float(logs.max()) + 1.0)
    return cost


def match_to_file(
    personas: Sequence[Persona],
    humans: HumanData,
    trait_names: Sequence[str],
    method: Method,
    seed: int,
    out: Path,
    objective: Objective = "weight",
) -> Matching:
    """Match ``humans`` to ``personas`` on ``trait_names`` and write the pairs CSV
    (respondent_id, persona_id, log_weight, objective). ``objective`` is what
    ``maxweight`` maximised; greedy's choice is the same under both, and random ignores
    weights (written ``none``)."""
    canonical = traits()
    options = {t: canonical[t].options for t in trait_names}
    table = trait_table(
        [p.demographics for p in personas], [humans.profile(i) for i in range(len(humans))], options
    )
    result = match(table, method, seed, objective)
    named = "none" if method == "random" else objective
    rows = ["respondent_id,persona_id,log_weight,objective\n"] + [
        f"{humans.ids[h]},{personas[p].id},{w:.6f},{named}\n"
        for h, p, w in zip(result.human_index, result.persona_index, result.log_weight, strict=True)
    ]
    atomic_write_text(out, "".join(rows))
    return result

"""Closed vocabularies the files record and the command line offers as choices: a
response line's ``conditioning``, how matching pairs humans with personas (the pairs
CSV's ``objective`` column) and the scoring rules report.json names.

They live here, importing nothing, so the command line can type its options with them
without loading numpy and scipy (``survey.conditioning``, ``matching``,
``evaluation.metrics`` and ``evaluation.scoring`` re-export them).
"""

from __future__ import annotations

from typing import Literal

Conditioning = Literal["backstory", "genagent", "qa", "bio", "portray"]
CONDITIONINGS: tuple[Conditioning, ...] = ("backstory", "genagent", "qa", "bio", "portray")
"""``genagent``: expert reflections on the backstory, then reasoned answers (genagent.py)."""

MatchMethod = Literal["maxweight", "greedy", "random"]
MATCH_METHODS: tuple[MatchMethod, ...] = ("maxweight", "greedy", "random")
Objective = Literal["weight", "loglik"]
OBJECTIVES: tuple[Objective, ...] = ("weight", "loglik")

MissingRule = Literal["complete", "pairwise"]
MISSING_RULES: tuple[MissingRule, ...] = ("complete", "pairwise")
SimDist = Literal["probs", "answers"]
SIM_DISTS: tuple[SimDist, ...] = ("probs", "answers")

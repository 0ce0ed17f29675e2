"""A study's inputs: the questionnaire's subset, the humans' seeded sample, and the share
of a persona run each method uses."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from interviewer.contracts.persona import Persona
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError
from interviewer.storage import atomic_write_text
from interviewer.study.schema import MethodSpec, Suite, evals_path
from interviewer.survey.conditioning import truncated
from interviewer.yaml_io import dump_yaml, read_yaml_file


def suite_questionnaire(suite: Suite, out: Path) -> Path:
    """The suite's questionnaire, or a copy in ``out`` holding only its ``questions``."""
    source = evals_path(suite.questionnaire)
    load_questionnaire(source)  # fail early, with the file's own message
    if not suite.questions:
        return source
    data = read_yaml_file(source)
    keep = set(suite.questions)
    data["questions"] = [q for q in data["questions"] if q["id"] in keep]
    missing = keep - {q["id"] for q in data["questions"]}
    if missing:
        raise UserInputError(f"suite {suite.id}: questions {sorted(missing)} not in {source}")
    path = out / "questionnaire.yaml"
    atomic_write_text(path, dump_yaml(data))
    return path


def sample_humans(relative: str | None, target: Path, suite: Suite) -> Path | None:
    """The humans file, or a seeded sample of ``suite.sample`` of its rows at ``target``."""
    if relative is None:
        return None
    source = evals_path(relative)
    if suite.sample is None:
        return source
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    count = min(suite.sample, len(rows))
    picked = sorted(np.random.default_rng(suite.seed).choice(len(rows), count, replace=False))
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[i] for i in picked)
    return target


def pooled(personas: list[Persona], spec: MethodSpec, seed: int) -> list[Persona]:
    """The seeded share of the pool this method uses, cut to its interview depth."""
    if spec.pool_fraction < 1:
        keep = max(1, math.ceil(spec.pool_fraction * len(personas)))
        picked = np.random.default_rng(seed).permutation(len(personas))[:keep]
        personas = [personas[i] for i in sorted(picked)]
    if spec.depth is not None:
        personas = [truncated(p, spec.depth) for p in personas]
    return personas

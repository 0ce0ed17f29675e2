"""Simulated responses (JSONL): one line per respondent × question.

The contract (docs/DESIGN.md "Data contracts") is six required fields: ``persona_id``,
``question_id``, ``probs``, ``answer``, ``conditioning``, ``model``. Writers may add
fields (ours adds ``letter_mass``, ``mode``, ``questionnaire``); readers never require
them. Every line read is checked on its own (finite, non-negative probs summing to 1
within ``PROBS_TOLERANCE``, an answer indexing them) and, given the questionnaire,
against it (known question ids, one prob per option, each question once per respondent).

Appends are whole lines, flushed and fsynced per respondent; a line cut short by a
crash is dropped when a run resumes.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.contracts.questionnaire import Questionnaire
from interviewer.errors import UserInputError
from interviewer.storage import DiskFullError, read_user_text

PROBS_TOLERANCE = 1e-6
"""How far (absolute) a line's probs may sum from 1; beyond it the line is rejected,
never renormalised, since the metrics read the probs as written."""


class SimulatedResponse(BaseModel):
    # Other tools' extra fields are theirs to add (the contract allows it).
    model_config = ConfigDict(extra="ignore")

    persona_id: str
    """The persona's id, or the human respondent_id for demographic baselines."""
    question_id: str
    probs: list[float]
    """Over the options in their listed order; sums to 1."""
    answer: int = Field(ge=0)
    """0-based option index drawn from ``probs`` with the run's seed."""
    conditioning: str
    model: str
    letter_mass: float | None = None
    """Probability mass the model put on the option letters (logprob scoring only)."""
    mode: str | None = None
    """How the answer was scored: ``logprobs``, ``sampling`` (no logprobs from the endpoint),
    ``sampling (no letter in top-k)``, or orders scored differently joined by `` + ``."""
    questionnaire: str | None = None
    debias: str | None = None
    """The option-order scheme this answer was asked under (``survey/answering.py``)."""


def read_responses(
    path: Path, questionnaire: Questionnaire | None = None
) -> list[SimulatedResponse]:
    """Every line of a responses file, checked; a bad one is a ``UserInputError`` naming
    the file, the line and the problem."""
    lines = read_user_text(path).splitlines()
    numbered: list[tuple[int, SimulatedResponse]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            numbered.append((number, _parse_line(path, number, line)))
    if questionnaire is not None:
        _check_against(path, numbered, questionnaire)
    return [response for _, response in numbered]


def _parse_line(path: Path, number: int, line: str) -> SimulatedResponse:
    try:
        response = SimulatedResponse.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        if not field:
            raise UserInputError(
                f"{path} line {number}: not a simulated-response record ({first['msg']})"
            ) from None
        raise UserInputError(f"{path} line {number}: {field}: {first['msg']}") from None
    problem = _line_problem(response)
    if problem:
        raise UserInputError(f"{path} line {number}: {problem}")
    return response


def _line_problem(response: SimulatedResponse) -> str | None:
    probs = response.probs
    if not all(math.isfinite(p) for p in probs):
        return f"probs must be finite, got {probs}"
    if any(p < 0 for p in probs):
        return f"probs must be >= 0, got {probs}"
    total = math.fsum(probs)
    if abs(total - 1) > PROBS_TOLERANCE:
        return f"probs sum to {total:.9g}, not 1 (tolerance {PROBS_TOLERANCE:g})"
    if response.answer >= len(probs):
        return f"answer {response.answer} is not an index of probs ({len(probs)} entries)"
    return None


def _check_against(
    path: Path, numbered: list[tuple[int, SimulatedResponse]], questionnaire: Questionnaire
) -> None:
    known = questionnaire.by_id
    unknown = [(n, r.question_id) for n, r in numbered if r.question_id not in known]
    if unknown:
        ids = sorted({qid for _, qid in unknown})
        raise UserInputError(
            f"{path} line {unknown[0][0]}: question id(s) {ids} not in questionnaire "
            f"{questionnaire.id}"
        )
    seen: set[tuple[str, str]] = set()
    for number, response in numbered:
        question = known[response.question_id]
        size = len(question.options)
        where = f"{path} line {number}"
        if len(response.probs) != size:
            raise UserInputError(
                f"{where}: probs has {len(response.probs)} entries; question {question.id} "
                f"has {size} options"
            )
        key = (response.persona_id, response.question_id)
        if key in seen:
            raise UserInputError(
                f"{where}: {response.persona_id} answers {response.question_id} a second time"
            )
        seen.add(key)


def letter_mass_line(responses: list[SimulatedResponse]) -> str | None:
    """The survey's closing note on letter mass, over the lines that record it (the
    field is optional: a file resumed from another tool's may lack it)."""
    masses = [r.letter_mass for r in responses if r.letter_mass is not None]
    if not masses:
        return None
    sampled = sum(r.mode is not None and r.mode != "logprobs" for r in responses)
    return f"mean letter mass {math.fsum(masses) / len(masses):.3f} over {len(masses)} answers" + (
        f" ({sampled} by sampling: no logprobs, or no letter in top-k)" if sampled else ""
    )


def answered(path: Path) -> dict[str, set[str]]:
    """Respondent -> question ids already in ``path``; drops a torn last line first."""
    if not path.exists():
        return {}
    _drop_torn_tail(path)
    done: dict[str, set[str]] = defaultdict(set)
    for response in read_responses(path):
        done[response.persona_id].add(response.question_id)
    return dict(done)


def append_responses(path: Path, responses: list[SimulatedResponse]) -> None:
    text = "".join(r.model_dump_json() + "\n" for r in responses)
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC
            raise DiskFullError(
                f"no space left writing {path}; free space, then --resume"
            ) from None
        raise


def _drop_torn_tail(path: Path) -> None:
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as handle:
        handle.truncate(keep)

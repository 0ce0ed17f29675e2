"""Simulated responses (JSONL): one line per respondent × question.

Appends are whole lines, flushed and fsynced per respondent; a line cut short by a
crash is dropped when a run resumes.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.errors import UserInputError
from interviewer.storage import DiskFullError


class SimulatedResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persona_id: str
    """The persona's id, or the human respondent_id for demographic baselines."""
    question_id: str
    probs: list[float]
    """Over the options in their listed order; sums to 1."""
    answer: int = Field(ge=0)
    """0-based option index drawn from ``probs`` with the run's seed."""
    conditioning: str
    model: str
    letter_mass: float
    mode: str
    """``logprobs`` or ``sampling`` (the fallback for endpoints without logprobs)."""
    questionnaire: str
    debias: str | None = None
    """The option-order scheme this answer was asked under (``survey/scoring.py``)."""


def read_responses(path: Path) -> list[SimulatedResponse]:
    """Every line of a responses file; a malformed one is a ``UserInputError`` naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserInputError(f"{path}: file does not exist") from None
    responses = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            responses.append(SimulatedResponse.model_validate_json(line))
        except ValidationError:
            raise UserInputError(f"{path} line {number}: not a simulated-response record") from None
    return responses


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

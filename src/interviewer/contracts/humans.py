"""Human responses (CSV): ``respondent_id, weight``, canonical demographic columns, and
one column per question id holding the 0-based option index (blank: no answer).

``age`` may hold the canonical bracket or a raw age in whole years, binned to the
canonical brackets as the importers bin theirs. Weights are finite, >= 0 and not all 0.
A file read as a population frame (``weights_required=False``) may lack the weight
column: every respondent then counts 1, and ``HumanData.weighted`` says so.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from interviewer.contracts.demographics import age_bracket, traits
from interviewer.contracts.questionnaire import Questionnaire
from interviewer.errors import UserInputError
from interviewer.storage import read_user_text

REQUIRED = ("respondent_id", "weight")


@dataclass(frozen=True)
class HumanData:
    path: Path
    ids: list[str]
    weights: np.ndarray
    demographics: dict[str, list[str | None]]
    """Trait -> canonical label per respondent (None: not given)."""
    answers: dict[str, np.ndarray] = field(default_factory=dict)
    """Question id -> option index per respondent as float (NaN: no answer)."""
    weighted: bool = True
    """False: the file had no weight column and every respondent counts 1."""

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def rows(self) -> dict[str, int]:
        """respondent_id -> row."""
        return {rid: i for i, rid in enumerate(self.ids)}

    def profile_of(self, respondent_id: str) -> dict[str, str] | None:
        """The profile of a respondent by id; None when the file has no such respondent."""
        row = self.rows.get(respondent_id)
        return None if row is None else self.profile(row)

    def profile(self, row: int) -> dict[str, str]:
        """The respondent's known demographic labels."""
        profile: dict[str, str] = {}
        for trait, values in self.demographics.items():
            value = values[row]
            if value is not None:
                profile[trait] = value
        return profile


def load_humans(
    path: Path, questionnaire: Questionnaire | None = None, *, weights_required: bool = True
) -> HumanData:
    """Read and validate; any problem is one ``UserInputError`` naming file, row and column.
    ``weights_required=False``: a missing weight column means weight 1 each."""
    rows, header = _read(path)
    weighted = "weight" in header
    needed = REQUIRED if weights_required else ("respondent_id",)
    missing = [c for c in needed if c not in header]
    if missing:
        raise UserInputError(f"{path}: missing column(s) {missing}")
    canonical = traits()
    ids = [_id(path, i, row) for i, row in enumerate(rows, start=2)]
    if len(set(ids)) != len(ids):
        raise UserInputError(f"{path}: respondent_id values are not unique")
    weights = (
        np.array([_weight(path, i, row) for i, row in enumerate(rows, start=2)])
        if weighted
        else np.ones(len(rows))
    )
    if not weights.any():
        raise UserInputError(f"{path}: weights are all 0; no respondent would count")
    demographics = {
        trait: [_label(path, i, row, trait, question.options) for i, row in enumerate(rows, 2)]
        for trait, question in canonical.items()
        if trait in header
    }
    answers: dict[str, np.ndarray] = {}
    if questionnaire is not None:
        for question in questionnaire.questions:
            if question.id in header:
                answers[question.id] = np.array(
                    [
                        _answer(path, i, row, question.id, len(question.options))
                        for i, row in enumerate(rows, start=2)
                    ]
                )
        if not answers:
            raise UserInputError(
                f"{path}: no column matches a question id of questionnaire {questionnaire.id}"
            )
    return HumanData(path, ids, weights, demographics, answers, weighted)


def _read(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    text = read_user_text(path, "utf-8-sig")  # a spreadsheet's byte-order mark is no column
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:
        raise UserInputError(f"{path}: not a readable CSV file ({exc})") from None
    if not header:
        raise UserInputError(f"{path}: empty file")
    if not rows:
        raise UserInputError(f"{path}: no respondents")
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise UserInputError(f"{path} row {i}: wrong number of fields")
    return rows, header


def _id(path: Path, line: int, row: dict[str, str]) -> str:
    value = row["respondent_id"].strip()
    if not value:
        raise UserInputError(f"{path} row {line}: respondent_id is blank")
    return value


def _weight(path: Path, line: int, row: dict[str, str]) -> float:
    try:
        value = float(row["weight"])
    except ValueError:
        raise UserInputError(
            f"{path} row {line}: weight {row['weight']!r} is not a number"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise UserInputError(f"{path} row {line}: weight {value} must be finite and >= 0")
    return value


def _label(
    path: Path, line: int, row: dict[str, str], trait: str, options: list[str]
) -> str | None:
    value = row[trait].strip()
    if not value:
        return None
    if trait == "age" and value not in options:
        return _age(path, line, value, options)
    if value not in options:
        raise UserInputError(f"{path} row {line} column {trait}: {value!r} is not one of {options}")
    return value


def _age(path: Path, line: int, value: str, options: list[str]) -> str:
    """A raw age binned to its bracket; anything else says what is expected."""
    try:
        number = float(value)
    except ValueError:
        raise UserInputError(
            f"{path} row {line} column age: {value!r} is not one of {options} (or an age)"
        ) from None
    bracket = age_bracket(int(number)) if number.is_integer() else None
    if bracket is None:
        raise UserInputError(
            f"{path} row {line} column age: {value!r}: expected an age in whole years from 18 "
            f"or one of {options}"
        )
    return bracket


def _answer(path: Path, line: int, row: dict[str, str], column: str, size: int) -> float:
    value = row[column].strip()
    if not value:
        return math.nan
    try:
        index = int(value)
    except ValueError:
        raise UserInputError(
            f"{path} row {line} column {column}: {value!r} is not an option index"
        ) from None
    if not 0 <= index < size:
        raise UserInputError(f"{path} row {line} column {column}: {index} is not in 0..{size - 1}")
    return float(index)

"""Your own survey file (a Pew ATP ``.sav`` or any CSV) into the human-responses contract.

A mapping YAML says which column is what:

    questionnaire: questionnaires/atp_w92.yaml    # relative to the mapping file or evals/
    respondent_id: QKEY
    weight: WEIGHT_W92
    demographics:                                 # canonical trait -> column and codes
      age: {column: F_AGECAT, codes: {1: "18-29", 2: "30-49", 3: "50-64", 4: "65+"}}
      party: {column: F_PARTY_FINAL, codes: {1: Republican, 2: Democrat, 3: Independent}}
    questions:                                    # question id -> column (and codes)
      SOCIETY_TRANS_W92: {column: SOCIETY_TRANS_W92}

Question codes default to the ATP convention: 1..K are the options in order, anything
else (99 = refused) is blank. Unlisted demographic codes are blank. A commented example
ships as ``evals/mappings/atp_example.yaml``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.contracts.demographics import traits
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError
from interviewer.importers.common import Converted, code
from interviewer.paths import resource_dir
from interviewer.storage import read_user_text
from interviewer.yaml_io import load_yaml, read_yaml_file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TraitColumn(_Strict):
    column: str
    codes: dict[int, str]


class QuestionColumn(_Strict):
    column: str
    codes: dict[int, int] | None = None
    """Source code -> 0-based option index; default 1..K -> 0..K-1."""


class Mapping(_Strict):
    questionnaire: str
    respondent_id: str
    weight: str | None = None
    demographics: dict[str, TraitColumn] = Field(default_factory=dict)
    questions: dict[str, QuestionColumn] = Field(min_length=1)


def convert(source: Path, mapping_path: Path) -> tuple[str, Converted]:
    mapping = _load_mapping(mapping_path)
    questionnaire_path = _resolve(mapping.questionnaire, mapping_path)
    questionnaire = load_questionnaire(questionnaire_path)
    _check(mapping, mapping_path, {q.id: len(q.options) for q in questionnaire.questions})
    data = load_yaml(questionnaire_path.read_text(encoding="utf-8"))
    keep = set(mapping.questions)
    data["questions"] = [q for q in data["questions"] if q["id"] in keep]
    result = Converted(data)
    sizes = {q.id: len(q.options) for q in questionnaire.questions}
    for number, raw in enumerate(read_table(source), start=2):
        rid = str(raw.get(mapping.respondent_id, "")).strip()
        if not rid:
            raise UserInputError(f"{source} row {number}: no {mapping.respondent_id}")
        row = {
            "respondent_id": rid.removesuffix(".0"),
            "weight": str(raw.get(mapping.weight, "1")) if mapping.weight else "1",
        }
        for trait, trait_column in mapping.demographics.items():
            value = code(_cell(raw, trait_column.column, source))
            row[trait] = trait_column.codes.get(value, "") if value is not None else ""
        for qid, question_column in mapping.questions.items():
            value = code(_cell(raw, question_column.column, source))
            codes = question_column.codes or {k + 1: k for k in range(sizes[qid])}
            index = codes.get(value) if value is not None else None
            row[qid] = "" if index is None else str(index)
        result.rows.append(row)
    return str(data["id"]), result


def read_table(source: Path) -> list[dict[str, Any]]:
    """Rows of a ``.sav`` (through pyreadstat, codes not labels) or a CSV."""
    if not source.exists():
        raise UserInputError(f"{source}: file does not exist")
    if source.suffix.lower() == ".sav":
        try:
            import pyreadstat
        except ImportError:
            raise UserInputError("reading .sav needs pyreadstat: pip install pyreadstat") from None
        try:
            # Plain arrays of codes: no dataframe library needed.
            columns, _ = pyreadstat.read_sav(
                str(source), apply_value_formats=False, output_format="dict"
            )
        except Exception as exc:  # pyreadstat raises its own ReadstatError and friends
            raise UserInputError(f"{source}: not a readable SPSS file ({exc})") from None
        names = list(columns)
        return [
            dict(zip(names, values, strict=True))
            for values in zip(*(columns[n] for n in names), strict=True)
        ]
    return list(csv.DictReader(io.StringIO(read_user_text(source, "utf-8-sig"), newline="")))


def _cell(raw: dict[str, Any], column: str, source: Path) -> Any:
    if column not in raw:
        raise UserInputError(f"{source}: no column {column!r}")
    return raw[column]


def _load_mapping(path: Path) -> Mapping:
    try:
        return Mapping.model_validate(read_yaml_file(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserInputError(f"{path}: {where}: {first['msg']}") from None


def _resolve(relative: str, mapping_path: Path) -> Path:
    for base in (mapping_path.parent, resource_dir("evals")):
        if (base / relative).is_file():
            return base / relative
    raise UserInputError(f"{mapping_path}: questionnaire {relative} not found")


def _check(mapping: Mapping, path: Path, sizes: dict[str, int]) -> None:
    canonical = traits()
    for trait, trait_column in mapping.demographics.items():
        if trait not in canonical:
            raise UserInputError(f"{path}: demographics.{trait}: not a canonical trait")
        bad = [v for v in trait_column.codes.values() if v not in canonical[trait].options]
        if bad:
            raise UserInputError(
                f"{path}: demographics.{trait}: {bad} not in {canonical[trait].options}"
            )
    for qid, question_column in mapping.questions.items():
        if qid not in sizes:
            raise UserInputError(f"{path}: questions.{qid}: not in the questionnaire")
        indices = (question_column.codes or {}).values()
        if any(not 0 <= i < sizes[qid] for i in indices):
            raise UserInputError(f"{path}: questions.{qid}: an index outside 0..{sizes[qid] - 1}")

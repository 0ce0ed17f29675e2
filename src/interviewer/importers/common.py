"""What every importer shares: coded values, age bins, and writing the two files."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.contracts.demographics import age_bracket, traits
from interviewer.errors import UserInputError
from interviewer.storage import atomic_write_text
from interviewer.yaml_io import dump_yaml

TRAITS = ("age", "gender", "race", "education", "income", "party", "ideology", "region", "religion")
PARTY_ID_7 = {
    0: "Democrat",
    1: "Democrat",
    2: "Independent",
    3: "Independent",
    4: "Independent",
    5: "Republican",
    6: "Republican",
}
"""The 7-point party identification (0 strong Democrat … 6 strong Republican) that ANES
and GSS share; leaners (2, 4) count as independents."""


@dataclass(frozen=True)
class Item:
    """One survey item: source column, our id, wording, options, and code -> index."""

    column: str
    id: str
    text: str
    options: list[str]
    codes: Mapping[int, int]
    """Source code -> 0-based option index; codes not listed become blank."""


@dataclass
class Converted:
    """Rows of the contract and the questionnaire that goes with them."""

    questionnaire: dict[str, Any]
    rows: list[dict[str, str]] = field(default_factory=list)

    def add(self, row: dict[str, str], raw: Mapping[str, str], items: Sequence[Item]) -> None:
        """Check the demographic labels, recode the items from ``raw``, keep the row."""
        check_labels(row)
        row.update({item.id: answer(item, code(raw.get(item.column))) for item in items})
        self.rows.append(row)

    def write(self, out_dir: Path, name: str, origin: str) -> tuple[Path, Path]:
        items = [q["id"] for q in self.questionnaire["questions"]]
        header = ["respondent_id", "weight", *TRAITS, *items]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        csv_path, yaml_path = out_dir / f"{name}.csv", out_dir / f"{name}.yaml"
        atomic_write_text(csv_path, buffer.getvalue())
        body = dump_yaml(self.questionnaire)
        atomic_write_text(yaml_path, f"# {origin}\n{body}")
        return csv_path, yaml_path


def code(value: str | float | None) -> int | None:
    """A numeric survey code from a CSV cell ('2', '2.0', '', 'NA') or None."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else int(number)


def age_group(age: int | None) -> str:
    """The canonical age label, or "" when unknown or under every bracket."""
    return (age_bracket(age) or "") if age is not None else ""


def label(mapping: Mapping[int, str], value: int | None) -> str:
    return mapping.get(value, "") if value is not None else ""


def answer(item: Item, value: int | None) -> str:
    index = item.codes.get(value) if value is not None else None
    return "" if index is None else str(index)


def questionnaire(qid: str, title: str, source: str, items: Sequence[Item]) -> dict[str, Any]:
    return {
        "id": qid,
        "title": title,
        "source": source,
        "questions": [{"id": i.id, "text": i.text, "options": i.options} for i in items],
    }


def check_labels(row: Mapping[str, str]) -> None:
    """Every demographic value an importer writes must be a canonical label."""
    canonical = traits()
    for trait in TRAITS:
        value = row.get(trait, "")
        if value and value not in canonical[trait].options:
            raise ValueError(f"importer bug: {trait}={value!r} is not canonical")


def read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            # Some exports quote header names ('age'); strip the quotes.
            reader.fieldnames = [n.strip("'\"") for n in reader.fieldnames or []]
            return list(reader)
    except FileNotFoundError:
        raise UserInputError(f"{path}: file does not exist") from None

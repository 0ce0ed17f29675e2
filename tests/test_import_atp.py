"""A user's own ATP file (CSV or SPSS .sav) through a mapping YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.contracts.humans import load_humans
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError
from interviewer.importers import mapped
from tests.test_cli import run_cli

MAPPING = """\
questionnaire: questionnaires/atp_w92.yaml
respondent_id: QKEY
weight: WEIGHT_W92
demographics:
  age: {column: F_AGECAT, codes: {1: "18-29", 2: "30-49", 3: "50-64", 4: "65+"}}
  party: {column: F_PARTY_FINAL, codes: {1: Republican, 2: Democrat, 3: Independent}}
questions:
  SOCIETY_TRANS_W92: {column: SOCIETY_TRANS_W92}
"""
ROWS = [  # QKEY, weight, age code, party code, answer code (99 = refused)
    (101, 0.8, 2, 2, 1),
    (102, 1.2, 4, 1, 5),
    (103, 1.0, 9, 3, 99),
]


def write_mapping(tmp: Path) -> Path:
    path = tmp / "map.yaml"
    path.write_text(MAPPING)
    return path


def check(name: str, converted: mapped.Converted, tmp: Path) -> None:
    converted.write(tmp, name, "test")
    humans = load_humans(tmp / f"{name}.csv", load_questionnaire(tmp / f"{name}.yaml"))
    assert humans.ids == ["101", "102", "103"]
    assert humans.weights.tolist() == [0.8, 1.2, 1.0]
    # Code 2 → "30-49"; unlisted age code 9 → blank; ATP answer k → index k − 1, 99 → blank.
    assert humans.profile(0) == {"age": "30-49", "party": "Democrat"}
    assert humans.profile(2) == {"party": "Independent"}
    answers = humans.answers["SOCIETY_TRANS_W92"].tolist()
    assert answers[:2] == [0.0, 4.0] and answers[2] != answers[2]  # NaN


def test_csv(tmp_path: Path) -> None:
    source = tmp_path / "w92.csv"
    source.write_text(
        "QKEY,WEIGHT_W92,F_AGECAT,F_PARTY_FINAL,SOCIETY_TRANS_W92\n"
        + "".join(",".join(str(v) for v in row) + "\n" for row in ROWS)
    )
    name, converted = mapped.convert(source, write_mapping(tmp_path))
    assert name == "atp_w92"
    check(name, converted, tmp_path)


def test_sav(tmp_path: Path) -> None:
    import pandas  # a test extra: pyreadstat writes .sav from a dataframe
    import pyreadstat

    frame = pandas.DataFrame(
        ROWS, columns=["QKEY", "WEIGHT_W92", "F_AGECAT", "F_PARTY_FINAL", "SOCIETY_TRANS_W92"]
    )
    source = tmp_path / "w92.sav"
    pyreadstat.write_sav(frame, str(source))
    name, converted = mapped.convert(source, write_mapping(tmp_path))
    check(name, converted, tmp_path)


def test_bad_mapping_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(MAPPING.replace("Democrat", "Dem"))
    with pytest.raises(UserInputError, match=r"demographics\.party: \['Dem'\] not in"):
        mapped.convert(tmp_path / "x.csv", path)
    path.write_text(MAPPING.replace("SOCIETY_TRANS_W92: {column", "NOPE: {column"))
    with pytest.raises(UserInputError, match=r"questions\.NOPE: not in the questionnaire"):
        mapped.convert(tmp_path / "x.csv", path)


def test_cli_needs_a_mapping(tmp_path: Path) -> None:
    result = run_cli("import", "atp", str(tmp_path / "x.sav"))
    assert result.returncode == 2 and "--mapping" in result.stderr


EXAMPLE = Path(__file__).parents[1] / "evals" / "mappings" / "atp_example.yaml"


def test_the_shipped_example_mapping_converts_a_file(tmp_path: Path) -> None:
    source = tmp_path / "w92.csv"
    source.write_text(
        "QKEY,WEIGHT_W92,F_AGECAT,F_GENDER,F_PARTY_FINAL,F_CREGION,"
        "SOCIETY_TRANS_W92,SOCIETY_RHIST_W92,SOCIETY_SSM_W92\n"
        "7,1.5,1,2,2,3,1,5,99\n"
    )
    name, converted = mapped.convert(source, EXAMPLE)
    assert name == "atp_w92"
    (row,) = converted.rows
    assert {k: row[k] for k in ("respondent_id", "weight", "age", "gender", "party", "region")} == {
        "respondent_id": "7", "weight": "1.5", "age": "18-29", "gender": "Female",
        "party": "Democrat", "region": "South",
    }  # fmt: skip
    assert (row["SOCIETY_TRANS_W92"], row["SOCIETY_RHIST_W92"], row["SOCIETY_SSM_W92"]) == (
        "0", "4", "",
    )  # fmt: skip
    converted.write(tmp_path, name, "test")
    humans = load_humans(tmp_path / f"{name}.csv", load_questionnaire(tmp_path / f"{name}.yaml"))
    assert len(humans.ids) == 1


def test_a_csv_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    from interviewer.errors import UserInputError
    from interviewer.importers.mapped import read_table

    source = tmp_path / "atp.csv"
    source.write_bytes("QKEY,WEIGHT,CITY\n1,1.0,K\xf6ln\n".encode("latin-1"))
    with pytest.raises(UserInputError, match=r"atp.csv: not UTF-8 text \(found byte 0xf6\)"):
        read_table(source)

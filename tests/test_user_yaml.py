"""Every YAML a user writes: one reader, unknown keys and bad bytes are one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.cli import given_settings, main
from interviewer.errors import UserInputError
from interviewer.settings import load_settings

EVALS = Path(__file__).parents[1] / "evals"


def test_set_value_no_stays_a_string() -> None:
    # YAML 1.1 would read `No` as false; a model called "No" is a string.
    assert given_settings(sets=["persona.model=No"]).build().persona.model == "No"


def test_non_utf8_settings_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"persona:\n  model: caf\xe9\n")
    with pytest.raises(UserInputError, match=r"s\.yaml: not UTF-8 text"):
        load_settings(path)


def test_non_utf8_mapping_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_bytes(b"questionnaire: caf\xe9.yaml\n")
    data = tmp_path / "d.csv"
    data.write_text("id\n1\n")
    code = main(["import", "atp", str(data), "--mapping", str(mapping), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "m.yaml: not UTF-8 text" in err, err


def test_unknown_mapping_key_names_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "questionnaire: questionnaires/atp_w92.yaml\nrespondent_id: QKEY\nweigth: W\n"
        "questions: {SOCIETY_TRANS_W92: {column: X}}\n"
    )
    data = tmp_path / "d.csv"
    data.write_text("QKEY\n1\n")
    code = main(["import", "atp", str(data), "--mapping", str(mapping), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "m.yaml" in err and "weigth" in err, err


def test_unknown_questionnaire_key_names_file_and_key(tmp_path: Path) -> None:
    from interviewer.contracts.questionnaire import load_questionnaire

    path = tmp_path / "q.yaml"
    path.write_text("id: q\ntitle: t\nquestions:\n  - {id: a, text: x, optons: [A, B]}\n")
    with pytest.raises(UserInputError, match=r"q\.yaml.*optons"):
        load_questionnaire(path)

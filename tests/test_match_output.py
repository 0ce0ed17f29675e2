"""The pairs CSV names the objective it was matched under; readers still load it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from interviewer.contracts.persona_files import load_persona
from interviewer.evaluation.scoring import read_matches
from tests.test_cli import run_cli

FIXTURES = Path(__file__).with_name("fixtures")
SAMPLES = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m" / "interview"


def run_with_party(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(SAMPLES, run)
    for path, dem in zip(sorted(run.glob("p*.json")), (0.9, 0.1), strict=True):
        persona = load_persona(path)
        persona.demographics = {"party": {"Democrat": dem, "Republican": 1 - dem}}
        path.write_text(persona.model_dump_json())
    return run


@pytest.mark.parametrize(
    ("flags", "objective"), [([], "weight"), (["--objective", "loglik"], "loglik")]
)
def test_match_csv_records_the_objective(tmp_path: Path, flags: list[str], objective: str) -> None:
    out = tmp_path / "m.csv"
    result = run_cli(
        "match",
        str(run_with_party(tmp_path)),
        "--humans",
        str(FIXTURES / "humans.csv"),
        "--traits",
        "party",
        "--out",
        str(out),
        *flags,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert {r["objective"] for r in rows} == {objective}
    assert f"objective {objective}" in result.stdout
    weights, _ = read_matches(out)
    assert sum(weights.values()) == len(rows) == 2


def test_an_unknown_objective_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli(
        "match",
        str(run_with_party(tmp_path)),
        "--humans",
        str(FIXTURES / "humans.csv"),
        "--objective",
        "likelihood",
        "--out",
        str(tmp_path / "m.csv"),
    )
    assert result.returncode == 2
    assert "'--objective'" in result.stderr and "'likelihood'" in result.stderr, result.stderr
    assert "'weight'" in result.stderr and "'loglik'" in result.stderr

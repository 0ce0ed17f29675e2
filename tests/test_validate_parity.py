"""Whatever a command rejects, ``interviewer validate`` rejects first (same loaders)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.test_cli import run_cli

FIXTURES = Path(__file__).with_name("fixtures")
TRUST = FIXTURES / "trust.yaml"
HUMANS = FIXTURES / "humans.csv"
GOOD_LINE = {
    "persona_id": "p1",
    "question_id": "q_fair",
    "probs": [0.2, 0.3, 0.5],
    "answer": 2,
    "conditioning": "qa",
    "model": "m",
}


def responses_file(tmp_path: Path, **change: object) -> Path:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({**GOOD_LINE, **change}) + "\n", encoding="utf-8")
    return path


def humans_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "h.csv"
    path.write_text(body, encoding="utf-8")
    return path


def questionnaire_file(tmp_path: Path, options: int) -> Path:
    path = tmp_path / "q.yaml"
    labels = ", ".join(f"o{i}" for i in range(options))
    path.write_text(f"id: big\nquestions:\n  - {{id: q_fair, text: Fair?, options: [{labels}]}}\n")
    return path


# Each case: (responses, humans, questionnaire) as eval gets them, the bad one last-named.
CASES = {
    "probs wrong length": lambda t: (responses_file(t, probs=[0.5, 0.5], answer=0), HUMANS, TRUST),
    "probs NaN": lambda t: (responses_file(t, probs=[math.nan, 0.5, 0.5]), HUMANS, TRUST),
    "probs negative": lambda t: (responses_file(t, probs=[1.5, -0.5, 0.0]), HUMANS, TRUST),
    "probs all zero": lambda t: (responses_file(t, probs=[0.0, 0.0, 0.0]), HUMANS, TRUST),
    "probs sum 0.9": lambda t: (responses_file(t, probs=[0.3, 0.3, 0.3]), HUMANS, TRUST),
    "answer out of range": lambda t: (responses_file(t, answer=7), HUMANS, TRUST),
    "unknown question": lambda t: (responses_file(t, question_id="q_gone"), HUMANS, TRUST),
    "zero weights": lambda t: (
        responses_file(t),
        humans_file(t, "respondent_id,weight,q_fair\nh1,0,1\nh2,0,2\n"),
        TRUST,
    ),
    "age under 18": lambda t: (
        responses_file(t),
        humans_file(t, "respondent_id,weight,age,q_fair\nh1,1,15,1\n"),
        TRUST,
    ),
    "no column matches": lambda t: (
        responses_file(t),
        humans_file(t, "respondent_id,weight,q_other\nh1,1,1\n"),
        TRUST,
    ),
    "27 options": lambda t: (responses_file(t), HUMANS, questionnaire_file(t, 27)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_and_eval_both_exit_2(tmp_path: Path, case: str) -> None:
    responses, humans, questionnaire = CASES[case](tmp_path)
    checked = run_cli("validate", str(questionnaire), str(humans), str(responses))
    assert checked.returncode == 2, (checked.stdout, checked.stderr)
    assert checked.stderr.strip(), "validate must say what is wrong"
    scored = run_cli(
        "eval",
        "--responses",
        f"x={responses}",
        "-q",
        str(questionnaire),
        "--humans",
        str(humans),
        "--out",
        str(tmp_path / "out"),
        "--splits",
        "2",
        "--bootstrap",
        "0",
    )
    assert scored.returncode == 2, (scored.stdout, scored.stderr)
    assert scored.stderr.count("\n") == 1, scored.stderr


def test_validate_names_the_questionnaire_and_the_csv_that_do_not_meet(tmp_path: Path) -> None:
    humans = humans_file(tmp_path, "respondent_id,weight,q_other\nh1,1,1\n")
    result = run_cli("validate", str(TRUST), str(humans))
    assert result.returncode == 2
    assert f"{humans}: no column matches a question id of questionnaire trust" in result.stderr


def test_inspect_with_nan_probs_stops_before_the_screen(tmp_path: Path) -> None:
    samples = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m"
    responses = responses_file(tmp_path, probs=[math.nan, 0.5, 0.5])
    result = run_cli("inspect", str(samples / "interview"), "--responses", str(responses))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "line 1: probs must be finite" in result.stderr

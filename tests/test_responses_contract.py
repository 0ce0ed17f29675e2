"""The simulated-responses contract (docs/DESIGN.md): six required fields, every line checked."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.contracts.responses import PROBS_TOLERANCE, read_responses
from interviewer.errors import UserInputError

FIXTURES = Path(__file__).with_name("fixtures")
TRUST = FIXTURES / "trust.yaml"  # q_trust: 4 options, q_fair: 3 options


def contract_line(**fields: Any) -> dict[str, Any]:
    """Only the six contract fields, as another tool would write them."""
    line: dict[str, Any] = {
        "persona_id": "p1",
        "question_id": "q_fair",
        "probs": [0.2, 0.3, 0.5],
        "answer": 2,
        "conditioning": "backstory",
        "model": "other-tool",
    }
    line.update(fields)
    return line


def write_lines(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_six_contract_fields_are_enough(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [contract_line(), contract_line(persona_id="p2")])
    responses = read_responses(path, load_questionnaire(TRUST))
    assert [r.persona_id for r in responses] == ["p1", "p2"]
    assert responses[0].letter_mass is None and responses[0].mode is None


def test_writers_may_add_fields(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [contract_line(temperature=0.7)])
    assert len(read_responses(path)) == 1


@pytest.mark.parametrize("field", ["persona_id", "question_id", "probs", "answer", "model"])
def test_a_missing_field_is_named_with_file_and_line(tmp_path: Path, field: str) -> None:
    second = contract_line(persona_id="p2")
    del second[field]
    path = write_lines(tmp_path / "r.jsonl", [contract_line(), second])
    with pytest.raises(UserInputError) as caught:
        read_responses(path)
    assert str(caught.value).startswith(f"{path} line 2: {field}: ")
    assert "\n" not in str(caught.value)


BAD_LINES: list[tuple[dict[str, Any], str]] = [
    (
        contract_line(probs=[0.5, 0.5], answer=1),
        "probs has 2 entries; question q_fair has 3 options",
    ),
    (contract_line(probs=[0.5, math.nan, 0.5]), "probs must be finite"),
    (contract_line(probs=[1.2, -0.2, 0.0]), "probs must be >= 0"),
    (contract_line(probs=[0.0, 0.0, 0.0]), "probs sum to 0"),
    (contract_line(probs=[0.3, 0.3, 0.3]), "probs sum to 0.9"),
    (contract_line(answer=3), "answer 3 is not an index of probs (3 entries)"),
    (contract_line(answer=-1), "answer: "),
    (contract_line(question_id="q_gone"), "question id(s) ['q_gone'] not in questionnaire trust"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_every_line_is_checked_against_the_questionnaire(
    tmp_path: Path, line: dict[str, Any], message: str
) -> None:
    path = write_lines(tmp_path / "r.jsonl", [contract_line(persona_id="p0"), line])
    with pytest.raises(UserInputError) as caught:
        read_responses(path, load_questionnaire(TRUST))
    text = str(caught.value)
    assert text.startswith(f"{path} line 2: "), text
    assert message in text
    assert "\n" not in text


def test_unknown_ids_are_all_named(tmp_path: Path) -> None:
    lines = [contract_line(question_id="zz"), contract_line(), contract_line(question_id="aa")]
    path = write_lines(tmp_path / "r.jsonl", lines)
    with pytest.raises(UserInputError, match=r"line 1: question id\(s\) \['aa', 'zz'\]"):
        read_responses(path, load_questionnaire(TRUST))


def test_the_sum_tolerance_is_stated_and_applied(tmp_path: Path) -> None:
    assert PROBS_TOLERANCE == 1e-6
    within = [0.2, 0.3, 0.5 + PROBS_TOLERANCE / 2]
    beyond = [0.2, 0.3, 0.5 + PROBS_TOLERANCE * 2]
    assert read_responses(write_lines(tmp_path / "a.jsonl", [contract_line(probs=within)]))
    with pytest.raises(UserInputError, match=r"line 1: probs sum to 1\.000002"):
        read_responses(write_lines(tmp_path / "b.jsonl", [contract_line(probs=beyond)]))


def test_a_question_answered_twice_by_one_respondent_is_named(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [contract_line(), contract_line()])
    with pytest.raises(UserInputError, match="line 2: p1 answers q_fair a second time"):
        read_responses(path, load_questionnaire(TRUST))


def test_without_a_questionnaire_the_line_itself_is_still_checked(tmp_path: Path) -> None:
    # inspect --responses has no questionnaire: NaN probs must still stop it.
    path = write_lines(tmp_path / "r.jsonl", [contract_line(probs=[math.nan, 0.5, 0.5])])
    with pytest.raises(UserInputError, match="line 1: probs must be finite"):
        read_responses(path)
    path = write_lines(tmp_path / "s.jsonl", [contract_line(answer=5)])
    with pytest.raises(UserInputError, match="line 1: answer 5 is not an index of probs"):
        read_responses(path)


def test_eval_scores_a_file_holding_only_the_contract_fields(tmp_path: Path) -> None:
    from tests.test_cli import run_cli

    probs = {"q_trust": [0.1, 0.2, 0.3, 0.4], "q_fair": [0.5, 0.25, 0.25]}
    lines = [
        contract_line(persona_id=pid, question_id=qid, probs=p, answer=(k + len(qid)) % len(p))
        for k, pid in enumerate(["p1", "p2", "p3"])
        for qid, p in probs.items()
    ]
    responses = write_lines(tmp_path / "other_tool.jsonl", lines)
    out = tmp_path / "report"
    result = run_cli(
        "eval",
        "--responses",
        f"mine={responses}",
        "--questionnaire",
        str(TRUST),
        "--humans",
        str(FIXTURES / "humans.csv"),
        "--out",
        str(out),
        "--splits",
        "2",
        "--bootstrap",
        "0",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [method] = report["methods"]
    assert method["label"] == "mine" and method["overall"]["n"] == 3
    assert set(method["overall"]["wd"]) == {"q_trust", "q_fair"}

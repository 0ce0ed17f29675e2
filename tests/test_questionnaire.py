from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.contracts.questionnaire import load_questionnaire, questionnaire_problems
from interviewer.errors import UserInputError
from interviewer.paths import resource_dir

SHIPPED = sorted((resource_dir("evals") / "questionnaires").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_questionnaire_is_valid(path: Path) -> None:
    assert questionnaire_problems(path) == []


def test_shipped_files_cover_the_issue() -> None:
    names = {p.stem for p in SHIPPED}
    assert {
        "atp_w34",
        "atp_w92",
        "atp_w99",
        "demographics",
        "w110_hostility",
        "subversion",
        "meta_prejudice",
    } <= names
    assert (
        len(
            load_questionnaire(
                resource_dir("evals") / "questionnaires" / "w110_hostility.yaml"
            ).questions
        )
        == 10
    )


def test_placeholders_for_a_democrat_and_a_republican() -> None:
    q = load_questionnaire(resource_dir("evals") / "questionnaires" / "subversion.yaml")
    laws = q.by_id["laws_self"]
    assert laws.resolve("Democrat") == (
        "Would you support laws that would make it easier for Democrats "
        "(and harder for Republicans) to get elected?"
    )
    assert laws.resolve("Republican") == (
        "Would you support laws that would make it easier for Republicans "
        "(and harder for Democrats) to get elected?"
    )
    courts = q.by_id["courts_meta"]
    assert courts.resolve("Democrat") == (
        "Would most Republicans support ignoring controversial court rulings by Democratic judges?"
    )
    with pytest.raises(UserInputError, match="needs a Democrat or Republican"):
        laws.resolve("Independent")


def test_audience_and_placeholders_decide_who_is_asked(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "id: t\nquestions:\n"
        "  - {id: plain, text: 'Plain?', options: [a, b]}\n"
        "  - {id: party, text: 'Do {OUT} lie?', options: [a, b]}\n"
        "  - {id: dems, text: 'For Dems?', options: [a, b], audience: [Democrat]}\n"
    )
    q = load_questionnaire(path)
    asked = {
        party: [x.id for x in q.questions if q.asks(x, party)]
        for party in ("Democrat", "Republican", None)
    }
    assert asked == {
        "Democrat": ["plain", "party", "dems"],
        "Republican": ["plain", "party"],
        None: ["plain"],
    }


def test_default_orders_are_listed_and_reversed() -> None:
    q = load_questionnaire(resource_dir("evals") / "questionnaires" / "meta_prejudice.yaml")
    assert q.orders_of(q.questions[0]) == [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]]
    atp = load_questionnaire(resource_dir("evals") / "questionnaires" / "atp_w34.yaml")
    assert atp.orders_of(atp.questions[0]) == [[0, 1, 2, 3], [3, 2, 1, 0]]


def test_every_problem_is_reported_with_question_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: x\nquestions:\n"
        "  - {id: a, text: 'hi {THEM}', options: [A, B]}\n"
        "  - {id: b, text: '', options: [x]}\n"
        "  - {id: c, text: t, options: [x, y], orders: [[0, 0]], framing: sideways}\n"
    )
    problems = questionnaire_problems(path)
    assert (
        f"{path}: question a text: unknown placeholder(s) ['THEM']; use {{IN}}, {{OUT}}, {{IN_ADJ}} or {{OUT_ADJ}}"
        in problems
    )
    assert any("question b text:" in p for p in problems)
    assert any("question b options:" in p for p in problems)
    assert any("question c framing:" in p for p in problems)
    with pytest.raises(UserInputError, match=r"and \d+ more; run interviewer validate"):
        load_questionnaire(path)


def test_duplicate_ids_and_bad_yaml(tmp_path: Path) -> None:
    dup = tmp_path / "dup.yaml"
    dup.write_text(
        "id: x\nquestions:\n  - {id: a, text: t, options: [1, 2]}\n"
        "  - {id: a, text: u, options: [1, 2]}\n"
    )
    assert any("appears twice" in p for p in questionnaire_problems(dup))
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nquestions: [\n")
    assert questionnaire_problems(broken) == [f"{broken} line 3: not valid YAML"]


def test_yes_and_no_stay_labels(tmp_path: Path) -> None:
    path = tmp_path / "yn.yaml"
    path.write_text("id: yn\nquestions:\n  - {id: a, text: 'Agree?', options: [Yes, No, 5]}\n")
    assert load_questionnaire(path).questions[0].options == ["Yes", "No", "5"]


def test_more_options_than_answer_letters_is_rejected_at_load(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    options = ", ".join(f"o{i}" for i in range(27))
    path.write_text(f"id: big\nquestions:\n  - {{id: q1, text: Pick one, options: [{options}]}}\n")
    with pytest.raises(UserInputError, match=r"question q1 options: 27 options; at most 26"):
        load_questionnaire(path)
    path.write_text(path.read_text().replace(", o26", ""))
    assert len(load_questionnaire(path).questions[0].options) == 26

from __future__ import annotations

import math
from pathlib import Path

import pytest

from interviewer.contracts.humans import load_humans
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError
from interviewer.survey.conditioning import from_humans, from_profile

FIXTURES = Path(__file__).with_name("fixtures")


def test_reads_the_contract() -> None:
    q = load_questionnaire(FIXTURES / "trust.yaml")
    humans = load_humans(FIXTURES / "humans.csv", q)
    assert humans.ids == ["h1", "h2", "h3"]
    assert humans.weights.tolist() == [1.0, 0.5, 2.0]
    assert humans.profile(1) == {
        "age": "65+",
        "gender": "Male",
        "party": "Republican",
        "ideology": "Conservative",
    }
    assert humans.answers["q_trust"][:2].tolist() == [1.0, 3.0]
    assert math.isnan(humans.answers["q_trust"][2])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("respondent_id,age\nh1,30-49\n", r"missing column\(s\) \['weight'\]"),
        ("respondent_id,weight,age\nh1,1,old\n", r"row 2 column age: .old. is not one of"),
        ("respondent_id,weight\nh1,heavy\n", r"row 2: weight 'heavy' is not a number"),
        ("respondent_id,weight,q_fair\nh1,1,7\n", r"row 2 column q_fair: 7 is not in 0..2"),
        ("respondent_id,weight,q_fair\nh1,1,0\nh1,1,1\n", "not unique"),
        ("respondent_id,weight\nh1,1,extra\n", "row 2: wrong number of fields"),
        ("", "empty file"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(body)
    with pytest.raises(UserInputError, match=message):
        load_humans(path, load_questionnaire(FIXTURES / "trust.yaml"))


def test_baseline_contexts() -> None:
    profile = {"age": "30-49", "gender": "Female", "party": "Democrat"}
    assert from_profile("h1", profile, "qa").context == (
        "Q: What is your age?\nA: 30-49\nQ: What is your gender?\nA: Female\n"
        "Q: In politics today, do you consider yourself a Republican, a Democrat, an "
        "independent, or something else?\nA: Democrat"
    )
    assert from_profile("h1", profile, "bio").context == (
        "I am 30-49 years old. My gender is Female. In politics today, I consider myself: Democrat."
    )
    assert from_profile("h1", profile, "portray").context.startswith("You are 30-49 years old.")
    assert from_profile("h1", profile, "bio").party == "Democrat"


def test_one_virtual_respondent_per_human() -> None:
    respondents = from_humans(load_humans(FIXTURES / "humans.csv"), "bio")
    assert [r.id for r in respondents] == ["h1", "h2", "h3"]
    assert [r.party for r in respondents] == ["Democrat", "Republican", None]


@pytest.mark.parametrize(
    ("age", "bracket"),
    [
        *[("18", "18-29"), ("29", "18-29"), ("30", "30-49"), ("49", "30-49"), ("50", "50-64")],
        *[("64", "50-64"), ("65", "65+"), ("74", "65+"), ("43.0", "30-49"), ("30-49", "30-49")],
    ],
)
def test_raw_ages_are_binned_to_the_canonical_brackets(
    tmp_path: Path, age: str, bracket: str
) -> None:
    path = tmp_path / "h.csv"
    path.write_text(f"respondent_id,weight,age\nh1,1,{age}\n")
    assert load_humans(path).profile(0) == {"age": bracket}


@pytest.mark.parametrize("age", ["17", "-3", "43.5"])
def test_ages_no_bracket_holds_say_what_is_expected(tmp_path: Path, age: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(f"respondent_id,weight,age\nh1,1,{age}\n")
    with pytest.raises(UserInputError, match=r"row 2 column age: .*whole years from 18 or one of"):
        load_humans(path)


def test_all_zero_weights_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("respondent_id,weight\nh1,0\nh2,0.0\n")
    with pytest.raises(UserInputError, match="weights are all 0"):
        load_humans(path)


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("respondent_id,weight\nh1,1\n".encode("utf-8-sig"))
    assert load_humans(path).ids == ["h1"]

"""The committed human-data files: contract-valid, recoded as documented, reproducible."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from interviewer.humans import load_humans
from interviewer.importers import IMPORTERS
from interviewer.paths import resource_dir
from interviewer.survey.questionnaire import load_questionnaire

HUMANS = resource_dir("evals") / "humans"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCES = {"cces": "cces2018", "anes": "anes1996", "gss": "gss"}


@pytest.mark.parametrize(
    ("name", "rows"), [("cces2018", 1000), ("anes1996", 944), ("gss2022", 3544)]
)
def test_committed_files_follow_the_contract(name: str, rows: int) -> None:
    questionnaire = load_questionnaire(HUMANS / f"{name}.yaml")
    humans = load_humans(HUMANS / f"{name}.csv", questionnaire)
    assert len(humans) == rows
    assert set(humans.answers) == {q.id for q in questionnaire.questions}
    assert (humans.weights > 0).all()


def test_cces_first_respondent_by_hand() -> None:
    # Source row 1: case_id 415395741, birthyr 1988 (30 in 2018 → 30-49), gender 1 (Male),
    # race 3 (Hispanic), educ 3 (Some college), faminc_new 4 ($30-39,999), pid3 3
    # (Independent), ideo5 5 (Very conservative), region 4 (West), religpew 1
    # (Protestant); CC18_320a = 1 (For) → 0, CC18_301 = 1 (Gotten much better) → 0.
    humans = load_humans(HUMANS / "cces2018.csv", load_questionnaire(HUMANS / "cces2018.yaml"))
    assert humans.ids[0] == "415395741"
    assert humans.profile(0) == {
        "age": "30-49",
        "gender": "Male",
        "race": "Hispanic",
        "education": "Some college",
        "income": "$30,000 to $49,999",
        "party": "Independent",
        "ideology": "Very conservative",
        "region": "West",
        "religion": "Protestant",
    }
    assert humans.answers["guns_background_checks"][0] == 0
    assert humans.answers["economy"][0] == 0


def test_not_sure_becomes_blank() -> None:
    # CC18_301 has 47 "Not sure" (6) and 2 empty answers in the sample: 49 blanks.
    humans = load_humans(HUMANS / "cces2018.csv", load_questionnaire(HUMANS / "cces2018.yaml"))
    assert int(sum(math.isnan(v) for v in humans.answers["economy"])) == 49


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not beside this checkout")
@pytest.mark.parametrize("dataset", sorted(IMPORTERS))
def test_reconverting_reproduces_the_committed_files(dataset: str, tmp_path: Path) -> None:
    name, convert = IMPORTERS[dataset]
    convert(SHARED / SOURCES[dataset]).write(tmp_path, name, "x")
    assert (tmp_path / f"{name}.csv").read_text() == (HUMANS / f"{name}.csv").read_text()

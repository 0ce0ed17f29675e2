"""The committed human-data files: contract-valid, recoded as documented, reproducible."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import pytest

from interviewer.contracts.humans import load_humans
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.importers import IMPORTERS
from interviewer.paths import resource_dir

HUMANS = resource_dir("evals") / "humans"
# The source data sit beside the checkout (../shared/data); SHARED_DATA points
# elsewhere (a git worktree one level deeper).
SHARED = Path(
    os.environ.get("SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
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


def write_cces(folder: Path, rows: list[dict[str, str]]) -> Path:
    """A cc18_samp.csv holding only the demographic columns the importer reads."""
    columns = ["case_id", "commonweight", "birthyr", "gender", "race", "hispanic", "educ"]
    columns += ["faminc_new", "pid3", "ideo5", "region", "religpew"]
    base = dict.fromkeys(columns, "1")
    lines = [",".join(columns)] + [",".join({**base, **r}[c] for c in columns) for r in rows]
    folder.mkdir()
    (folder / "cc18_samp.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_cces_hispanic_of_any_race_is_hispanic(tmp_path: Path) -> None:
    # CCES `hispanic`: 1 Yes, 2 No, 8 skipped, 9 not asked; `race` 3 is Hispanic. As in
    # the ATP questionnaires, Hispanic of any race is Hispanic; race decides only for
    # non-Hispanics (and where hispanic is skipped or not asked).
    source = write_cces(
        tmp_path / "cces",
        [
            {"case_id": "1", "race": "1", "hispanic": "1"},  # White, Hispanic
            {"case_id": "2", "race": "2", "hispanic": "1"},  # Black, Hispanic
            {"case_id": "3", "race": "3", "hispanic": "2"},  # race Hispanic
            {"case_id": "4", "race": "1", "hispanic": "2"},  # White, not Hispanic
            {"case_id": "5", "race": "4", "hispanic": "8"},  # Asian, skipped
            {"case_id": "6", "race": "6", "hispanic": "9"},  # Mixed, not asked
        ],
    )
    rows = IMPORTERS["cces"][1](source).rows
    assert [r["race"] for r in rows] == [
        "Hispanic",
        "Hispanic",
        "Hispanic",
        "White",
        "Asian",
        "Other",
    ]


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not beside this checkout")
def test_cces_committed_file_codes_every_hispanic_as_hispanic() -> None:
    # Independent reading of the source: race 3, or hispanic 1 with any race. The sample
    # has 81 race-3 respondents and 42 more who answered hispanic = Yes: 123.
    with (SHARED / "cces2018" / "cc18_samp.csv").open(newline="") as handle:
        source = list(csv.DictReader(handle))
    hispanic = {
        str(int(float(r["case_id"])))
        for r in source
        if float(r["race"]) == 3 or (r["hispanic"] and float(r["hispanic"]) == 1)
    }
    humans = load_humans(HUMANS / "cces2018.csv")
    coded = {
        humans.ids[i] for i in range(len(humans)) if humans.profile(i).get("race") == "Hispanic"
    }
    assert coded == hispanic
    assert len(coded) == 123


def test_anes_income_code_23_goes_below_100k() -> None:
    # ANES 1996 `income` 23 is $90,000-$104,999: two thirds of its range and its midpoint
    # ($97,500) lie below $100,000, so it is "$50,000 to $99,999"; 24 ($105,000 and
    # over) is "$100,000 or more". Every code 1-24 has exactly one bracket.
    from interviewer.importers.anes import INCOME

    assert INCOME[23] == "$50,000 to $99,999"
    assert INCOME[24] == "$100,000 or more"
    assert sorted(INCOME) == list(range(1, 25))


def test_gss_hispanic_column_when_an_extract_has_one() -> None:
    # GSS `race` (1 White, 2 Black, 3 Other) has no Hispanic category; GSS `hispanic`
    # (1 not Hispanic, 2-50 a Hispanic origin, 98/99 don't know / no answer) does. The
    # shipped extract lacks `hispanic`; an extract with it codes Hispanic of any race.
    from interviewer.importers.gss import race_of

    assert race_of({"race": "1", "hispanic": "2"}) == "Hispanic"
    assert race_of({"race": "3", "hispanic": "35"}) == "Hispanic"
    assert race_of({"race": "2", "hispanic": "1"}) == "Black"
    assert race_of({"race": "1", "hispanic": "98"}) == "White"
    assert race_of({"race": "1"}) == "White"

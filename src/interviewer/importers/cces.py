"""CCES 2018 Common Content, 1,000-respondent sample (shared/data/cces2018/).

Fifteen policy and evaluation items with complete wording in the codebook, recoded to
0-based options; "Not sure", "skipped" and "not asked" become blanks. Demographics map
to the canonical coding (the tables below, each naming its codebook variable); race is
Hispanic for anyone Hispanic by `race` or `hispanic`, whatever race they picked
(``race_of``). The weight is ``commonweight``.
Cite: Ansolabehere, Schaffner & Luks, CCES 2018 Common Content, doi:10.7910/DVN/ZSBZ7K.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from interviewer.importers.common import (
    Converted,
    Item,
    age_group,
    code,
    label,
    questionnaire,
    read_rows,
)

SURVEY_YEAR = 2018
SUPPORT = ["Support", "Oppose"]
FOR = ["For", "Against"]
BINARY = {1: 0, 2: 1}

ITEMS = [
    Item(
        "CC18_301",
        "economy",
        "Over the past year, has the nation's economy gotten better, "
        "stayed about the same, or gotten worse?",
        [
            "Gotten much better",
            "Gotten better",
            "Stayed about the same",
            "Gotten worse",
            "Gotten much worse",
        ],
        {1: 0, 2: 1, 3: 2, 4: 3, 5: 4},
    ),
    Item(
        "CC18_308a",
        "trump_approval",
        "Do you approve or disapprove of the way Donald Trump is doing his job as President?",
        ["Strongly approve", "Somewhat approve", "Somewhat disapprove", "Strongly disapprove"],
        {1: 0, 2: 1, 3: 2, 4: 3},
    ),
    Item(
        "CC18_320a",
        "guns_background_checks",
        "On gun control, are you for or against "
        "background checks for all sales, including at gun shows?",
        FOR,
        BINARY,
    ),
    Item(
        "CC18_320c",
        "guns_assault_ban",
        "On gun control, are you for or against a ban on assault rifles?",
        FOR,
        BINARY,
    ),
    Item(
        "CC18_320d",
        "guns_concealed_carry",
        "On gun control, are you for or against making "
        "it easier for people to obtain a concealed-carry permit?",
        FOR,
        BINARY,
    ),
    Item(
        "CC18_321a",
        "abortion_choice",
        "Do you support or oppose always allowing a woman to "
        "obtain an abortion as a matter of choice?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_321c",
        "abortion_20_weeks",
        "Do you support or oppose banning abortions after the 20th week of pregnancy?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_321f",
        "abortion_illegal",
        "Do you support or oppose making abortions illegal in all circumstances?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_327a",
        "medicare_for_all",
        "Do you support or oppose providing Medicare for all Americans?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_327c",
        "repeal_aca",
        "Do you support or oppose repealing the entire Affordable Care Act?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_331a",
        "china_tariffs",
        "Do you support or oppose $50 billion worth of tariffs on goods imported from China?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_332b",
        "keystone_xl",
        "Do you support or oppose allowing the construction of the Keystone XL pipeline?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_332c",
        "paris_withdrawal",
        "Do you support or oppose withdrawing the United States from the Paris Climate Agreement?",
        SUPPORT,
        BINARY,
    ),
    Item(
        "CC18_328f",
        "kavanaugh",
        "Would you have voted for or against appointing Brett "
        "Kavanaugh to the Supreme Court of the United States?",
        FOR,
        BINARY,
    ),
    Item(
        "CC18_322a",
        "border_spending",
        "Do you support or oppose increasing spending on "
        "border security by $25 billion, including building a wall with Mexico?",
        SUPPORT,
        BINARY,
    ),
]

# Each table: the codebook variable (cc18_samp_codebook.json) and its value labels ->
# the canonical label. Codes a table does not list (skipped 98, not asked 99, "Prefer
# not to say" 97, ...) become blanks.

# `gender`: 1 Male, 2 Female.
GENDER = {1: "Male", 2: "Female"}
# `race`: 1 White, 2 Black, 3 Hispanic, 4 Asian, 5 Native American, 6 Mixed, 7 Other,
# 8 Middle Eastern. Used only for respondents who are not Hispanic: see `race_of`.
RACE = {
    1: "White",
    2: "Black",
    3: "Hispanic",
    4: "Asian",
    5: "Other",
    6: "Other",
    7: "Other",
    8: "Other",
}
# `hispanic` ("Hispanic"): 1 Yes, 2 No, 8 skipped, 9 not asked. In the sample 42
# respondents answered Yes and picked race 1, 2, 4, 6 or 7; every race-3 respondent
# has 2 here.
HISPANIC_YES = 1
# `educ`: 1 No HS, 2 High school graduate, 3 Some college, 4 2-year, 5 4-year,
# 6 Post-grad.
EDUCATION = {
    1: "High school or less",
    2: "High school or less",
    3: "Some college",
    4: "Some college",
    5: "College graduate",
    6: "Postgraduate",
}
# `faminc_new`: 1 Less than $10,000, 2 $10,000-19,999, 3 $20,000-29,999,
# 4 $30,000-39,999, 5 $40,000-49,999, 6-9 $50,000-99,999 (in $10k/$20k steps),
# 10-16 $100,000-119,999 … $500,000 or more; 97 Prefer not to say. No code straddles
# a bracket boundary.
INCOME = {
    **dict.fromkeys((1, 2, 3), "Less than $30,000"),
    **dict.fromkeys((4, 5), "$30,000 to $49,999"),
    **dict.fromkeys((6, 7, 8, 9), "$50,000 to $99,999"),
    **dict.fromkeys(range(10, 17), "$100,000 or more"),
}
# `pid3`: 1 Democrat, 2 Republican, 3 Independent, 4 Other (5 Not sure -> blank).
PARTY = {1: "Democrat", 2: "Republican", 3: "Independent", 4: "Something else"}
# `ideo5`: 1 Very liberal, 2 Liberal, 3 Moderate, 4 Conservative, 5 Very conservative
# (6 Not sure -> blank).
IDEOLOGY = {
    1: "Very liberal",
    2: "Liberal",
    3: "Moderate",
    4: "Conservative",
    5: "Very conservative",
}
# `region`: 1 Northeast, 2 Midwest, 3 South, 4 West.
REGION = {1: "Northeast", 2: "Midwest", 3: "South", 4: "West"}
# `religpew`: 1 Protestant, 2 Roman Catholic, 3 Mormon, 4 Eastern or Greek Orthodox,
# 5 Jewish, 6 Muslim, 7 Buddhist, 8 Hindu, 9 Atheist, 10 Agnostic, 11 Nothing in
# particular, 12 Something else.
RELIGION = {
    1: "Protestant",
    2: "Roman Catholic",
    3: "Other Christian",
    4: "Other Christian",
    5: "Jewish",
    6: "Other religion",
    7: "Other religion",
    8: "Other religion",
    9: "Nothing in particular",
    10: "Nothing in particular",
    11: "Nothing in particular",
    12: "Other religion",
}


def race_of(raw: Mapping[str, str]) -> str:
    """Hispanic of any race is Hispanic (as the ATP questionnaires code it): `race` 3,
    or `hispanic` 1 whatever race was picked. Everyone else by `race`."""
    if code(raw.get("hispanic")) == HISPANIC_YES:
        return "Hispanic"
    return label(RACE, code(raw.get("race")))


def convert(source: Path) -> Converted:
    """``source``: the cces2018/ folder holding cc18_samp.csv."""
    result = Converted(
        questionnaire(
            "cces2018",
            "CCES 2018 Common Content: policy and evaluation items",
            "shared/data/cces2018/cc18_samp.csv (ccesMRPprep sample, MIT); Ansolabehere, "
            "Schaffner & Luks, CCES 2018, doi:10.7910/DVN/ZSBZ7K",
            ITEMS,
        )
    )
    for raw in read_rows(source / "cc18_samp.csv"):
        birth = code(raw.get("birthyr"))
        row = {
            "respondent_id": str(code(raw["case_id"])),
            "weight": raw["commonweight"],
            "age": age_group(SURVEY_YEAR - birth if birth else None),
            "gender": label(GENDER, code(raw["gender"])),
            "race": race_of(raw),
            "education": label(EDUCATION, code(raw["educ"])),
            "income": label(INCOME, code(raw["faminc_new"])),
            "party": label(PARTY, code(raw["pid3"])),
            "ideology": label(IDEOLOGY, code(raw["ideo5"])),
            "region": label(REGION, code(raw["region"])),
            "religion": label(RELIGION, code(raw["religpew"])),
        }
        result.add(row, raw, ITEMS)
    return result

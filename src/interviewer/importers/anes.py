"""ANES 1996 subset as shipped by statsmodels (shared/data/anes1996/anes96.tsv).

Items: left-right self-placement and placements of Clinton and Dole (1 extremely liberal
… 7 extremely conservative), the two-party vote, days watching TV news. Demographics:
age, education, income (nominal 1996 dollars, binned to the canonical brackets; code 23,
$90,000-104,999, goes below $100,000 by its midpoint) and party from the 7-point PID
(leaners count as Independent, as in the canonical coding). The subset has no race,
ethnicity, gender, region or religion variable: those columns are blank.
Ideology is left blank: self-placement is an outcome here, and matching on it would
leak the answer. No weights ship with this subset: every respondent weighs 1.
"""

from __future__ import annotations

from pathlib import Path

from interviewer.importers.common import (
    PARTY_ID_7,
    Converted,
    Item,
    age_group,
    code,
    label,
    questionnaire,
    read_rows,
)

SCALE = [
    "Extremely liberal",
    "Liberal",
    "Slightly liberal",
    "Moderate; middle of the road",
    "Slightly conservative",
    "Conservative",
    "Extremely conservative",
]
SEVEN = {i + 1: i for i in range(7)}
ITEMS = [
    Item(
        "selfLR",
        "self_lr",
        "Where would you place yourself on this scale, from extremely "
        "liberal to extremely conservative?",
        SCALE,
        SEVEN,
    ),
    Item(
        "ClinLR",
        "clinton_lr",
        "Where would you place Bill Clinton on this scale, from "
        "extremely liberal to extremely conservative?",
        SCALE,
        SEVEN,
    ),
    Item(
        "DoleLR",
        "dole_lr",
        "Where would you place Bob Dole on this scale, from extremely "
        "liberal to extremely conservative?",
        SCALE,
        SEVEN,
    ),
    Item(
        "vote",
        "vote_1996",
        "In the 1996 presidential election, did you vote for Bill Clinton or Bob Dole?",
        ["Bill Clinton", "Bob Dole"],
        {0: 0, 1: 1},
    ),
    Item(
        "TVnews",
        "tv_news_days",
        "How many days in the past week did you watch the news on TV?",
        [str(d) for d in range(8)],
        {d: d for d in range(8)},
    ),
]
# Each table: the variable of the statsmodels subset (its codebook is the dataset's
# NOTE, after the ANES 1996 codebook) and its values -> the canonical label.

# `educ`: 1 1-8 grades, 2 some high school, 3 high school graduate, 4 some college,
# 5 college degree, 6 Master's degree, 7 PhD. (The subset's labels; the ANES 1996
# 7-category summary it comes from reads 5 as a junior-college / associate degree,
# 6 a BA-level and 7 an advanced degree, and the counts agree: 90, 227, 127 of 944.
# So 5 is "Some college", 6 "College graduate", 7 "Postgraduate".)
EDUCATION = {
    1: "High school or less",
    2: "High school or less",
    3: "High school or less",
    4: "Some college",
    5: "Some college",
    6: "College graduate",
    7: "Postgraduate",
}
# `income` (household, nominal 1996 dollars): 1 none or less than $2,999, 2 $3,000-4,999,
# … 15 $25,000-29,999, 16 $30,000-34,999 … 19 $45,000-49,999, 20 $50,000-59,999,
# 21 $60,000-74,999, 22 $75,000-89,999, 23 $90,000-104,999, 24 $105,000 and over.
# Rule for a code that straddles a bracket boundary: it goes to the bracket holding
# most of its range (its midpoint). Only 23 straddles one: $90,000-99,999 (two thirds
# of it, midpoint $97,500) lies below $100,000, so 23 is "$50,000 to $99,999" (47
# respondents; some of them earned $100,000-104,999).
INCOME = {
    **dict.fromkeys(range(1, 16), "Less than $30,000"),
    **dict.fromkeys(range(16, 20), "$30,000 to $49,999"),
    **dict.fromkeys(range(20, 24), "$50,000 to $99,999"),
    24: "$100,000 or more",
}
# `PID`: 0 strong Democrat, 1 weak Democrat, 2 independent-Democrat, 3 independent-
# independent, 4 independent-Republican, 5 weak Republican, 6 strong Republican.
PARTY = PARTY_ID_7


def convert(source: Path) -> Converted:
    """``source``: the anes1996/ folder holding anes96.tsv."""
    result = Converted(
        questionnaire(
            "anes1996",
            "ANES 1996: ideology placements, vote and TV news",
            "shared/data/anes1996/anes96.tsv (statsmodels, public domain); ANES 1996",
            ITEMS,
        )
    )
    for number, raw in enumerate(read_rows(source / "anes96.tsv", delimiter="\t"), start=1):
        row = {
            "respondent_id": f"anes{number:04d}",
            "weight": "1",
            "age": age_group(code(raw["age"])),
            "education": label(EDUCATION, code(raw["educ"])),
            "income": label(INCOME, code(raw["income"])),
            "party": label(PARTY, code(raw["PID"])),
        }
        result.add(row, raw, ITEMS)
    return result

"""ANES 1996 subset as shipped by statsmodels (shared/data/anes1996/anes96.tsv).

Items: left-right self-placement and placements of Clinton and Dole (1 extremely liberal
… 7 extremely conservative), the two-party vote, days watching TV news. Demographics:
age, education, income (nominal 1996 dollars, binned to the canonical brackets) and
party from the 7-point PID (leaners count as Independent, as in the canonical coding).
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
EDUCATION = {
    1: "High school or less",
    2: "High school or less",
    3: "High school or less",
    4: "Some college",
    5: "Some college",
    6: "College graduate",
    7: "Postgraduate",
}
INCOME = {
    **dict.fromkeys(range(1, 16), "Less than $30,000"),
    **dict.fromkeys(range(16, 20), "$30,000 to $49,999"),
    **dict.fromkeys(range(20, 24), "$50,000 to $99,999"),
    24: "$100,000 or more",
}
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

"""General Social Survey 2022 from the GssExtract (shared/data/gss/, raw GSS codes).

Items: generalized trust, fairness, helpfulness, happiness, confidence in four
institutions and the income-equality scale, recoded so options run in order (e.g. trust:
can be trusted, depends, can't be too careful). Demographics follow the canonical
coding (the tables below, each naming its codebook variable). GSS `race` has no
Hispanic category: Hispanic of any race is Hispanic where an extract has `hispanic`,
but the shipped extract does not, so there nobody is coded Hispanic and Hispanic
respondents are White, Black or Other as they answered `race` (``race_of``). Income is
in constant dollars, so it is left blank. Weight: ``wtssall``.
Cite: Davern et al., General Social Surveys 1972-2024, NORC.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Mapping
from pathlib import Path

from interviewer.errors import UserInputError
from interviewer.importers.common import (
    PARTY_ID_7,
    Converted,
    Item,
    age_group,
    code,
    label,
    questionnaire,
)

YEAR = 2022
CONFIDENCE = ["A great deal", "Only some", "Hardly any"]
THREE = {1: 0, 2: 1, 3: 2}


def _confidence(column: str, institution: str) -> Item:
    return Item(
        column,
        column,
        "As far as the people running these institutions are "
        f"concerned, would you say you have a great deal of confidence, only some "
        f"confidence, or hardly any confidence at all in them? {institution}",
        CONFIDENCE,
        THREE,
    )


ITEMS = [
    Item(
        "trust",
        "trust",
        "Generally speaking, would you say that most people can be trusted "
        "or that you can't be too careful in dealing with people?",
        ["Most people can be trusted", "Depends", "Can't be too careful"],
        {1: 0, 3: 1, 2: 2},
    ),
    Item(
        "fair",
        "fair",
        "Do you think most people would try to take advantage of you if they "
        "got a chance, or would they try to be fair?",
        ["Would try to be fair", "Depends", "Would take advantage of you"],
        {2: 0, 3: 1, 1: 2},
    ),
    Item(
        "helpful",
        "helpful",
        "Would you say that most of the time people try to be helpful, "
        "or that they are mostly just looking out for themselves?",
        ["Try to be helpful", "Depends", "Just look out for themselves"],
        {1: 0, 3: 1, 2: 2},
    ),
    Item(
        "happy",
        "happy",
        "Taken all together, how would you say things are these days: "
        "would you say that you are very happy, pretty happy, or not too happy?",
        ["Very happy", "Pretty happy", "Not too happy"],
        THREE,
    ),
    _confidence("confinan", "Banks and financial institutions."),
    _confidence("confed", "The executive branch of the federal government."),
    _confidence("conpress", "The press."),
    _confidence("consci", "The scientific community."),
    Item(
        "eqwlth",
        "eqwlth",
        "Some people think that the government in Washington ought to "
        "reduce the income differences between the rich and the poor. Others think the "
        "government should not concern itself with reducing this income difference. Where "
        "would you place yourself on a scale from 1 (the government ought to reduce the "
        "income differences) to 7 (the government should not concern itself with reducing "
        "income differences)?",
        [str(i) for i in range(1, 8)],
        {i: i - 1 for i in range(1, 8)},
    ),
]
# Each table: the GSS cumulative codebook variable and its values -> the canonical
# label. Codes a table does not list (IAP, don't know, no answer, ...) become blanks.

# `sex`: 1 male, 2 female.
GENDER = {1: "Male", 2: "Female"}
# `race` ("What race do you consider yourself?"): 1 white, 2 black, 3 other. It has no
# Hispanic category; `hispanic` decides that where an extract has it (``race_of``).
RACE = {1: "White", 2: "Black", 3: "Other"}
# `hispanic`: 1 not Hispanic, 2-50 a Spanish, Hispanic or Latino origin (Mexican, Puerto
# Rican, Cuban, ...), 98 don't know, 99 no answer.
HISPANIC = range(2, 51)
# `degree`: 0 less than high school, 1 high school, 2 associate/junior college,
# 3 bachelor's, 4 graduate.
EDUCATION = {
    0: "High school or less",
    1: "High school or less",
    2: "Some college",
    3: "College graduate",
    4: "Postgraduate",
}
# `partyid`: 0 strong Democrat … 6 strong Republican (PARTY_ID_7), 7 other party.
PARTY = {**PARTY_ID_7, 7: "Something else"}
# `polviews`: 1 extremely liberal, 2 liberal, 3 slightly liberal, 4 moderate,
# 5 slightly conservative, 6 conservative, 7 extremely conservative.
IDEOLOGY = {
    1: "Very liberal",
    2: "Liberal",
    3: "Liberal",
    4: "Moderate",
    5: "Conservative",
    6: "Conservative",
    7: "Very conservative",
}
# `region` (census divisions): 1 New England, 2 Middle Atlantic, 3 East North Central,
# 4 West North Central, 5 South Atlantic, 6 East South Central, 7 West South Central,
# 8 Mountain, 9 Pacific.
REGION = {
    1: "Northeast",
    2: "Northeast",
    3: "Midwest",
    4: "Midwest",
    5: "South",
    6: "South",
    7: "South",
    8: "West",
    9: "West",
}
# `relig`: 1 Protestant, 2 Catholic, 3 Jewish, 4 none, 5 other, 6 Buddhism, 7 Hinduism,
# 8 other eastern religions, 9 Muslim/Islam, 10 Orthodox Christian, 11 Christian,
# 12 Native American, 13 inter-nondenominational.
RELIGION = {
    1: "Protestant",
    2: "Roman Catholic",
    3: "Jewish",
    4: "Nothing in particular",
    **dict.fromkeys((5, 6, 7, 8, 9, 12), "Other religion"),
    **dict.fromkeys((10, 11, 13), "Other Christian"),
}


def race_of(raw: Mapping[str, str]) -> str:
    """Hispanic of any race is Hispanic (as the ATP questionnaires code it) where the
    extract has `hispanic`; everyone else, and every row of an extract without it, by
    `race`. The shipped GssExtract has no `hispanic`: its Hispanic respondents stay
    White, Black or Other as they answered `race`, and nobody is coded Hispanic."""
    if code(raw.get("hispanic")) in HISPANIC:
        return "Hispanic"
    return label(RACE, code(raw.get("race")))


def convert(source: Path) -> Converted:
    """``source``: the gss/ folder holding gss_extract_2024_1.csv.gz."""
    path = source / "gss_extract_2024_1.csv.gz"
    try:
        with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if code(r.get("year")) == YEAR]
    except FileNotFoundError:
        raise UserInputError(f"{path}: file does not exist") from None
    result = Converted(
        questionnaire(
            "gss2022",
            "GSS 2022: trust, happiness, confidence in institutions, equality",
            "shared/data/gss/gss_extract_2024_1.csv.gz (GssExtract, MIT); Davern et al., "
            "General Social Surveys 1972-2024, NORC",
            ITEMS,
        )
    )
    for number, raw in enumerate(rows, start=1):
        weight = raw.get("wtssall") or raw.get("wtssps") or ""
        if not weight:
            continue  # unweighted rows cannot enter weighted statistics
        # The extract's `id` repeats within a year (ballots, panels): number the rows.
        row = {
            "respondent_id": f"gss{YEAR}-{number:04d}",
            "weight": weight,
            "age": age_group(code(raw["age"])),
            "gender": label(GENDER, code(raw["sex"])),
            "race": race_of(raw),
            "education": label(EDUCATION, code(raw["degree"])),
            "party": label(PARTY, code(raw["partyid"])),
            "ideology": label(IDEOLOGY, code(raw["polviews"])),
            "region": label(REGION, code(raw["region"])),
            "religion": label(RELIGION, code(raw["relig"])),
        }
        result.add(row, raw, ITEMS)
    return result

"""General Social Survey 2022 from the GssExtract (shared/data/gss/, raw GSS codes).

Items: generalized trust, fairness, helpfulness, happiness, confidence in four
institutions and the income-equality scale, recoded so options run in order (e.g. trust:
can be trusted, depends, can't be too careful). Demographics follow the canonical
coding; GSS race has no Hispanic category (3 "other" -> Other) and its income is in
constant dollars, so income is left blank. Weight: ``wtssall``.
Cite: Davern et al., General Social Surveys 1972-2024, NORC.
"""

from __future__ import annotations

import csv
import gzip
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
GENDER = {1: "Male", 2: "Female"}
RACE = {1: "White", 2: "Black", 3: "Other"}
EDUCATION = {
    0: "High school or less",
    1: "High school or less",
    2: "Some college",
    3: "College graduate",
    4: "Postgraduate",
}
PARTY = {**PARTY_ID_7, 7: "Something else"}
IDEOLOGY = {
    1: "Very liberal",
    2: "Liberal",
    3: "Liberal",
    4: "Moderate",
    5: "Conservative",
    6: "Conservative",
    7: "Very conservative",
}
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
RELIGION = {
    1: "Protestant",
    2: "Roman Catholic",
    3: "Jewish",
    4: "Nothing in particular",
    **dict.fromkeys((5, 6, 7, 8, 9, 12), "Other religion"),
    **dict.fromkeys((10, 11, 13), "Other Christian"),
}


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
            "race": label(RACE, code(raw["race"])),
            "education": label(EDUCATION, code(raw["degree"])),
            "party": label(PARTY, code(raw["partyid"])),
            "ideology": label(IDEOLOGY, code(raw["polviews"])),
            "region": label(REGION, code(raw["region"])),
            "religion": label(RELIGION, code(raw["relig"])),
        }
        result.add(row, raw, ITEMS)
    return result

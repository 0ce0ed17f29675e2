"""The canonical demographic coding (``evals/questionnaires/demographics.yaml``).

One source of truth for the traits and their option labels: the demographics survey,
the human-data files and matching all use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from interviewer.contracts.questionnaire import Question, Questionnaire, load_questionnaire
from interviewer.paths import resource_dir


@cache
def demographics_questionnaire() -> Questionnaire:
    return load_questionnaire(resource_dir("evals") / "questionnaires" / "demographics.yaml")


def traits() -> dict[str, Question]:
    """Trait name -> its question (whose options are the canonical labels)."""
    return demographics_questionnaire().by_id


def age_bracket(age: int) -> str | None:
    """The canonical age label (``"30-49"``, ``"65+"``) holding ``age`` in whole years;
    None when none does (under 18). Brackets are read from the canonical options."""
    for label in traits()["age"].options:
        low, _, high = label.partition("-")
        if label.endswith("+") and age >= int(label[:-1]):
            return label
        if high and int(low) <= age <= int(high):
            return label
    return None


def party_of(profile: dict[str, str]) -> str | None:
    """The respondent's party label if it is Democrat or Republican, else None."""
    party = profile.get("party")
    return party if party in ("Democrat", "Republican") else None


def most_likely(distribution: Mapping[str, float]) -> str | None:
    if not distribution:
        return None
    return max(distribution.items(), key=lambda item: item[1])[0]

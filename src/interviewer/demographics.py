"""The canonical demographic coding (``evals/questionnaires/demographics.yaml``).

One source of truth for the traits and their option labels: the demographics survey,
the human-data files and matching all use it.
"""

from __future__ import annotations

from functools import cache

from interviewer.paths import resource_dir
from interviewer.survey.questionnaire import Question, Questionnaire, load_questionnaire


@cache
def demographics_questionnaire() -> Questionnaire:
    return load_questionnaire(resource_dir("evals") / "questionnaires" / "demographics.yaml")


def traits() -> dict[str, Question]:
    """Trait name -> its question (whose options are the canonical labels)."""
    return demographics_questionnaire().by_id


def party_of(profile: dict[str, str]) -> str | None:
    """The respondent's party label if it is Democrat or Republican, else None."""
    party = profile.get("party")
    return party if party in ("Democrat", "Republican") else None


def most_likely(distribution: dict[str, float]) -> str | None:
    if not distribution:
        return None
    return max(distribution.items(), key=lambda item: item[1])[0]

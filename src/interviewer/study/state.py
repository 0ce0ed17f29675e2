"""The study graph's state: plain values only, since LangGraph Studio checkpoints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict


def merged(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Methods running side by side each add their own key."""
    return {**left, **right}


@dataclass(kw_only=True)
class StudyInput:
    """What to run and where."""

    suite: dict[str, Any]
    """The suite as its YAML file holds it (``study.schema.Suite``); paths are relative
    to the ``evals/`` folder."""
    out: str
    """Run directory: personas, responses and the report land here; a rerun resumes."""


@dataclass(kw_only=True)
class StudyState(StudyInput):
    questionnaire: str = ""
    """The questionnaire file the methods answer (the suite's subset of questions)."""
    humans: str | None = None
    """Human answers scored against (the suite's seeded sample of them)."""
    profiles: str | None = None
    """Humans whose profiles build the QA / Bio / Portray respondents."""
    runs: Annotated[dict[str, Any], merged] = field(default_factory=dict)
    """Method that made personas -> its interview run's summary."""
    matches: dict[str, str] = field(default_factory=dict)
    """Persona method -> its human-persona pairs CSV."""
    xs: dict[str, float] = field(default_factory=dict)
    """Ablation method -> its position on the hypothesis' axis."""
    responses: Annotated[dict[str, str], merged] = field(default_factory=dict)
    """Method -> its responses JSONL."""
    scores: dict[str, Any] = field(default_factory=dict)
    """Method -> its overall scores (or a study's gaps), as report.json has them."""
    files: list[str] = field(default_factory=list)
    """The report's files."""
    ablations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Hypothesis -> its methods' points (``study.ablations.AblationPoint``)."""


@dataclass(kw_only=True)
class StudyOutput:
    out: str
    runs: dict[str, Any]
    responses: dict[str, str]
    scores: dict[str, Any]
    files: list[str]
    ablations: dict[str, list[dict[str, Any]]]


class MethodTask(TypedDict):
    """What a ``Send`` hands one method's node."""

    suite: dict[str, Any]
    out: str
    label: str
    questionnaire: str
    profiles: str | None

"""What the study nodes need at run time but never checkpoint: models, progress, and
what one stage hands the next in memory (personas read once per study)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from interviewer.contracts.humans import HumanData
from interviewer.contracts.persona import Persona
from interviewer.evaluation.report import EvalResult
from interviewer.pool import ModelPool, StudioContext, astudio_pool, studio_pool
from interviewer.progress import progress_display
from interviewer.survey.conditioning import Respondent


@dataclass
class StudyCache:
    """What the nodes share but never checkpoint, keyed by path so one cache may serve
    several studies: each run directory's personas (read once per study), each method's
    respondents and the scored report."""

    personas: dict[Path, list[Persona]] = field(default_factory=dict)
    respondents: dict[Path, list[Respondent]] = field(default_factory=dict)
    profiles: dict[Path, HumanData] = field(default_factory=dict)
    evaluation: dict[Path, EvalResult] = field(default_factory=dict)


@dataclass(frozen=True)
class StudyContext:
    """Run-scoped: the models, where progress goes, the cache."""

    pool: ModelPool
    display: Progress
    """One live display that the bars of side-by-side stages share."""
    cache: StudyCache = field(default_factory=StudyCache)


_studio: dict[int, StudyContext] = {}


async def aresolve(context: StudyContext | StudioContext | None) -> StudyContext:
    """``resolve``, starting Studio's models off the event loop the first time."""
    if not isinstance(context, StudyContext):
        await astudio_pool(context)
    return resolve(context)


def resolve(context: StudyContext | StudioContext | None) -> StudyContext:
    """The run's context; from LangGraph Studio (a ``pool.StudioContext``, or none) the
    models of the settings it names (``pool.studio_pool``) and bars on stderr."""
    if isinstance(context, StudyContext):
        return context
    pool = studio_pool(context)
    if id(pool) not in _studio:
        display = progress_display(Console(stderr=True))
        display.start()
        _studio[id(pool)] = StudyContext(pool=pool, display=display)
    return _studio[id(pool)]

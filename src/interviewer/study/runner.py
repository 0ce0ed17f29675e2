"""``interviewer eval --suite`` and the demo: start the models, run the study graph."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console

from interviewer.contracts.persona import Persona
from interviewer.evaluation.report import EvalResult
from interviewer.interview.runner import RunSummary
from interviewer.pool import ModelPool
from interviewer.progress import progress_display
from interviewer.settings import Settings
from interviewer.study.ablations import AblationPoint
from interviewer.study.context import StudyContext
from interviewer.study.graph import build_study_graph
from interviewer.study.schema import Suite
from interviewer.study.state import StudyInput
from interviewer.usage import Budget, limited


class SuiteResult(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    out: Path
    runs: dict[str, RunSummary]
    evaluation: EvalResult
    ablations: dict[str, list[AblationPoint]] = Field(default_factory=dict)
    """Hypothesis -> its methods' points, for the line plots."""
    personas: dict[str, list[Persona]] = Field(default_factory=dict)
    """Method that made personas -> its personas, with their demographics."""


def run_suite(
    suite: Suite, settings: Settings, out: Path, console: Console, budget: Budget | None = None
) -> SuiteResult:
    """``budget``: stop every call of the suite at it (``BudgetReached``); finished work
    is kept and a second run carries on."""
    out.mkdir(parents=True, exist_ok=True)
    with ModelPool(settings) as pool:
        names = [pool.model(role).model_name for role in pool.roles]
        with limited(settings.prices, budget or Budget(), names):
            return pool.run(study(suite, pool, out, console))


async def study(suite: Suite, pool: ModelPool, out: Path, console: Console) -> SuiteResult:
    """Run ``suite`` into ``out`` on ``pool``'s models through the study graph."""
    with progress_display(console) as display:
        context = StudyContext(pool=pool, display=display)
        final = await build_study_graph().ainvoke(
            StudyInput(suite=suite.model_dump(mode="json"), out=str(out)),
            {"recursion_limit": 25},
            context=context,
        )
    return SuiteResult(
        out=out,
        runs={label: RunSummary(**run) for label, run in final["runs"].items()},
        evaluation=context.cache.evaluation[out],
        ablations={
            h: [AblationPoint.model_validate(p) for p in points]
            for h, points in final["ablations"].items()
        },
        personas={label: context.cache.personas[out / label] for label in final["runs"]},
    )

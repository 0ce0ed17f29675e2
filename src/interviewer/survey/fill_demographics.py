"""``interviewer demographics DIR``: each persona's distribution over every trait."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.contracts.demographics import demographics_questionnaire
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_persona, persona_paths
from interviewer.errors import EndpointUnreachable, InterviewerError
from interviewer.fanout import fan_out
from interviewer.model import Model
from interviewer.replicas import persona_session
from interviewer.storage import DiskFullError, atomic_write_model
from interviewer.survey.conditioning import from_persona
from interviewer.survey.graph import SurveyContext, SurveyInput, build_survey_graph
from interviewer.usage import BudgetReached, run_usage_path, saved_usage


@dataclass(frozen=True)
class DemographicsSummary:
    personas: int
    skipped: int
    filled: int
    failed: dict[str, str] = field(default_factory=dict)


async def fill_demographics(
    run_dir: Path,
    model: Model,
    *,
    personas: Sequence[Persona] | None = None,
    concurrency: int = 8,
    force: bool = False,
    samples: int = 20,
    seed: int = 0,
    on_start: Callable[[int, int], None] | None = None,
    on_result: Callable[[str, bool, int], None] | None = None,
) -> DemographicsSummary:
    """Ask every persona of ``run_dir`` without demographics the demographic questions
    and write them into its file. ``personas``: the run's personas, already read (a study
    reads each once); they are updated in place as their files are. What the calls spent
    is added to the run's usage file (beside the interviews')."""
    questionnaire = demographics_questionnaire()
    traits = [q.id for q in questionnaire.questions]
    options = {q.id: q.options for q in questionnaire.questions}
    todo: list[Path | Persona]
    if personas is None:
        paths = persona_paths(run_dir)
        total = len(paths)
        # Each pending persona is parsed here and again when its turn comes, so that tens
        # of thousands of parsed transcripts are not all held in memory at once.
        todo = [p for p in paths if force or set(load_persona(p).demographics) != set(traits)]
    else:
        total = len(personas)
        todo = [p for p in personas if force or set(p.demographics) != set(traits)]
    if on_start:
        on_start(total, total - len(todo))
    ctx = SurveyContext(model=model, questionnaire=questionnaire, samples=samples, seed=seed)
    graph = build_survey_graph()
    failed: dict[str, str] = {}

    async def one(item: Path | Persona) -> None:
        path, persona = (
            (item, load_persona(item))
            if isinstance(item, Path)
            else (run_dir / f"{item.id}.json", item)
        )
        respondent = from_persona(persona)
        start = SurveyInput(
            respondent_id=persona.id, context=respondent.context, question_ids=traits
        )
        try:
            with persona_session(persona.id):  # its interview's replica and session header
                limit = {"recursion_limit": len(traits) + 5}
                result = await graph.ainvoke(start, limit, context=ctx)
        except (EndpointUnreachable, DiskFullError, BudgetReached):
            raise
        except InterviewerError as exc:
            failed[persona.id] = " ".join(str(exc).split())[:300]
        else:
            persona.demographics = {
                a["question_id"]: dict(zip(options[a["question_id"]], a["probs"], strict=True))
                for a in result["answers"]
            }
            atomic_write_model(path, persona)
        if on_result:
            on_result(persona.id, persona.id not in failed, len(traits))

    with saved_usage(run_usage_path(run_dir)):
        await fan_out(todo, one, concurrency=concurrency)
    return DemographicsSummary(total, total - len(todo), len(todo) - len(failed), failed)

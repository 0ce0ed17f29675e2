"""Survey many respondents concurrently into a JSONL file, resumably."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.errors import GraphRecursionError

from interviewer.contracts.responses import SimulatedResponse, answered, append_responses
from interviewer.errors import EndpointUnreachable, InterviewerError, UserInputError
from interviewer.fanout import fan_out
from interviewer.replicas import persona_session
from interviewer.resume import exclusive, refuse_other_config, sampling
from interviewer.storage import DiskFullError, atomic_write_json
from interviewer.survey.conditioning import Respondent
from interviewer.survey.graph import AnswerDict, SurveyContext, SurveyInput, build_survey_graph
from interviewer.usage import BudgetReached, responses_usage_path, saved_usage

OnResult = Callable[[str, bool, int], None]


@dataclass(frozen=True)
class SurveySummary:
    respondents: int
    skipped: int
    """Respondents with nothing left to ask (done before, or not in the audience)."""
    not_asked: int
    """Respondents the questionnaire asks nothing (audience or party placeholders)."""
    answered: int
    """Respondent × question lines written by this run."""
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def meta_path(out: Path) -> Path:
    return out.with_name(out.name + ".meta.json")


async def run_survey(
    respondents: Sequence[Respondent],
    ctx: SurveyContext,
    out: Path,
    conditioning: str,
    *,
    resume: bool = False,
    concurrency: int = 8,
    settings_dump: dict[str, Any] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_result: OnResult | None = None,
) -> SurveySummary:
    """Ask each respondent every question it has not answered yet. What the calls spent
    is added to ``<out>.usage.json`` however the run ends (``BudgetReached`` when a
    budget around the run is spent)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        exclusive(out.with_name(out.name + ".lock"), out),
        saved_usage(responses_usage_path(out)),
    ):
        return await _run(
            respondents,
            ctx,
            out,
            conditioning,
            resume,
            concurrency,
            settings_dump,
            on_start,
            on_result,
        )


async def _run(
    respondents: Sequence[Respondent],
    ctx: SurveyContext,
    out: Path,
    conditioning: str,
    resume: bool,
    concurrency: int,
    settings_dump: dict[str, Any] | None,
    on_start: Callable[[int, int], None] | None,
    on_result: OnResult | None,
) -> SurveySummary:
    started = time.perf_counter()
    asked = [(r, _asked(r, ctx)) for r in respondents]
    if respondents and not any(ids for _, ids in asked):
        raise UserInputError(
            f"0 of {len(respondents)} respondents can be asked any question of "
            f"{ctx.questionnaire.id}: none is in its audience with the Democrat/Republican "
            "lean its {IN}/{OUT} questions need (personas get one from interviewer "
            "demographics; an exact party tie leans to neither)"
        )
    _prepare(out, ctx, conditioning, resume, settings_dump or {})
    done = answered(out)
    plan = [(r, [q for q in ids if q not in done.get(r.id, set())]) for r, ids in asked]
    work = [(r, todo) for r, todo in plan if todo]
    if on_start:
        on_start(len(respondents), len(respondents) - len(work))
    graph = build_survey_graph()
    written: list[int] = []
    failed: dict[str, str] = {}

    async def one(item: tuple[Respondent, list[str]]) -> None:
        respondent, todo = item
        count = await _survey_one(graph, ctx, out, conditioning, respondent, todo, failed)
        written.append(count)
        if on_result:
            on_result(respondent.id, respondent.id not in failed, count)

    await fan_out(work, one, concurrency=concurrency)
    return SurveySummary(
        len(respondents),
        len(respondents) - len(work),
        sum(1 for _, ids in asked if not ids),
        sum(written),
        failed,
        time.perf_counter() - started,
    )


def _asked(respondent: Respondent, ctx: SurveyContext) -> list[str]:
    """The question ids the questionnaire asks this respondent (audience, party)."""
    q = ctx.questionnaire
    return [x.id for x in q.questions if q.asks(x, respondent.party)]


async def _survey_one(
    graph: Any,
    ctx: SurveyContext,
    out: Path,
    conditioning: str,
    respondent: Respondent,
    todo: list[str],
    failed: dict[str, str],
) -> int:
    start = SurveyInput(
        respondent_id=respondent.id,
        context=respondent.context,
        party=respondent.party,
        question_ids=todo,
    )
    try:
        with persona_session(respondent.id):  # one replica, one session header
            result = await graph.ainvoke(start, {"recursion_limit": len(todo) + 5}, context=ctx)
    except (EndpointUnreachable, DiskFullError, BudgetReached):
        raise
    except (InterviewerError, GraphRecursionError) as exc:
        failed[respondent.id] = " ".join(str(exc).split())[:300]
        return 0
    answers: list[AnswerDict] = result["answers"]
    append_responses(
        out,
        [
            SimulatedResponse(
                persona_id=respondent.id,
                question_id=a["question_id"],
                probs=a["probs"],
                answer=a["answer"],
                conditioning=conditioning,
                model=ctx.model.identity,
                letter_mass=a["letter_mass"],
                mode=a["mode"],
                questionnaire=ctx.questionnaire.id,
                debias=a["debias"],
            )
            for a in answers
        ],
    )
    return len(answers)


def _prepare(
    out: Path, ctx: SurveyContext, conditioning: str, resume: bool, settings_dump: dict[str, Any]
) -> None:
    meta = {
        "questionnaire": ctx.questionnaire.id,
        "questionnaire_hash": _hash(ctx.questionnaire.model_dump_json()),
        "conditioning": conditioning,
        "model": ctx.model.identity,
        "carry_answers": ctx.carry_answers,
        "debias": ctx.debias or ctx.questionnaire.orders,
        "seed": ctx.seed,
        "samples": ctx.samples,
        "sampling": sampling(ctx.model),
        "settings": settings_dump,
    }
    if out.exists() and out.stat().st_size > 0:
        if not resume:
            raise UserInputError(
                f"{out} exists; pass --resume to finish it or choose another --out"
            )
        previous = _read_meta(out)
        previous.setdefault("debias", ctx.questionnaire.orders)  # files from before it was kept
        checked = {k: v for k, v in previous.items() if k in _CHECKED}
        refuse_other_config(out, checked, meta)
    atomic_write_json(meta_path(out), meta)


_CHECKED = (
    "questionnaire_hash",
    "conditioning",
    "model",
    "carry_answers",
    "seed",
    "samples",
    "sampling",
    "debias",
)
"""What shapes the answers; speed settings in ``settings`` may differ on --resume."""


def _read_meta(out: Path) -> dict[str, Any]:
    try:
        data = json.loads(meta_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserInputError(f"{out}: no readable {meta_path(out).name}; cannot resume") from None
    if not isinstance(data, dict):
        raise UserInputError(f"{meta_path(out)}: not a survey meta file")
    return data


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]

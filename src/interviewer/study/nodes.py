"""The study graph's nodes and routers (``study.graph`` wires them)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from interviewer.contracts.humans import load_humans
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.evaluation.higher_order import STUDIES
from interviewer.evaluation.html import add_plots
from interviewer.evaluation.report import EvalResult, MethodInput, evaluate_gaps, evaluate_scores
from interviewer.evaluation.scoring import Rules, json_safe
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.interview.state import Method
from interviewer.matching import match_to_file
from interviewer.pool import StudioContext
from interviewer.progress import RunProgress
from interviewer.storage import drop_stale_report_files
from interviewer.study.ablations import ablation_lines, ablation_x, write_ablations
from interviewer.study.context import StudyCache, StudyContext, aresolve, resolve
from interviewer.study.prepare import pooled, sample_humans, suite_questionnaire
from interviewer.study.schema import MethodSpec, Suite, interview_settings
from interviewer.study.state import MethodTask, StudyState
from interviewer.survey.conditioning import Conditioning, from_humans, from_persona
from interviewer.survey.fill_demographics import fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey


def prepare(state: StudyState, runtime: Runtime[StudyContext | StudioContext]) -> dict[str, Any]:
    suite = Suite.model_validate(state.suite)
    out = Path(state.out)
    out.mkdir(parents=True, exist_ok=True)
    humans = sample_humans(suite.humans, out / "humans.csv", suite)
    profiles = (
        sample_humans(suite.profiles, out / "profiles.csv", suite) if suite.profiles else humans
    )
    return {
        "questionnaire": str(suite_questionnaire(suite, out)),
        "humans": str(humans) if humans else None,
        "profiles": str(profiles) if profiles else None,
    }


def to_makers(state: StudyState) -> list[Send] | Literal["match"]:
    tasks = [_task(state, m) for m in Suite.model_validate(state.suite).methods if m.makes_personas]
    return [Send("make_personas", t) for t in tasks] or "match"


async def make_personas(
    task: MethodTask, runtime: Runtime[StudyContext | StudioContext]
) -> dict[str, Any]:
    ctx = await aresolve(runtime.context)
    suite, spec = _spec(task)
    run_dir = Path(task["out"]) / spec.label
    settings = ctx.pool.settings
    interview = interview_settings(settings, spec)
    interview_ctx = InterviewContext(
        interviewer=ctx.pool.model("interviewer"),
        persona=ctx.pool.model("persona"),
        critic=ctx.pool.model("critic"),
        settings=interview,
        words_target=interview.words_target(settings.persona.backend),
    )
    method: Method = "interview" if spec.kind == "interview" else "anthology"
    plan = RunPlan(
        out=run_dir,
        n=spec.n,
        method=method,
        resume=True,
        base_seed=suite.seed,
        concurrency=settings.persona.concurrency,
    )
    with RunProgress(f"{spec.label:>12}", display=ctx.display) as bar:
        summary = await run_interviews(
            plan, interview_ctx, settings.model_dump(mode="json"), bar.start, bar.result
        )
    personas = load_personas(run_dir)
    label = f"demographics {spec.label}"
    with RunProgress(label, unit="traits", display=ctx.display) as bar:
        await fill_demographics(
            run_dir,
            ctx.pool.model("respondent"),
            personas=personas,
            concurrency=settings.respondent.concurrency,
            on_start=bar.start,
            on_result=bar.result,
        )
    ctx.cache.personas[run_dir] = personas
    return {"runs": {spec.label: asdict(summary)}}


def match(state: StudyState, runtime: Runtime[StudyContext | StudioContext]) -> dict[str, Any]:
    """Each method's respondents; for persona methods, their pool and the pairs with
    the humans."""
    ctx = resolve(runtime.context)
    suite = Suite.model_validate(state.suite)
    out = Path(state.out)
    humans = load_humans(Path(state.humans)) if state.humans else None
    matches: dict[str, str] = {}
    xs: dict[str, float] = {}
    for spec in suite.methods:
        if not spec.uses_personas:
            continue
        personas = pooled(ctx.cache.personas[out / spec.run_label], spec, suite.seed)
        ctx.cache.respondents[out / spec.label] = [from_persona(p) for p in personas]
        if humans is not None:
            path = out / f"matches_{spec.label}.csv"
            traits = [t for t in suite.match.traits if t in humans.demographics]
            m = suite.match
            match_to_file(personas, humans, traits, m.method, suite.seed, path, m.objective)
            matches[spec.label] = str(path)
        if spec.hypothesis:
            xs[spec.label] = ablation_x(spec, personas, suite, ctx.pool.settings)
    return {"matches": matches, "xs": xs}


def to_surveys(state: StudyState) -> list[Send]:
    return [Send("survey", _task(state, m)) for m in Suite.model_validate(state.suite).methods]


async def survey(
    task: MethodTask, runtime: Runtime[StudyContext | StudioContext]
) -> dict[str, Any]:
    ctx = await aresolve(runtime.context)
    suite, spec = _spec(task)
    out = Path(task["out"])
    conditioning = CONDITIONING[spec.kind]
    if spec.uses_personas:
        respondents = ctx.cache.respondents[out / spec.label]
    else:
        assert task["profiles"] is not None  # the schema refuses baselines without humans
        profiles = Path(task["profiles"])
        if profiles not in ctx.cache.profiles:
            ctx.cache.profiles[profiles] = load_humans(profiles)
        respondents = from_humans(ctx.cache.profiles[profiles], conditioning)
    path = out / f"responses_{spec.label}.jsonl"
    settings = ctx.pool.settings
    survey_ctx = SurveyContext(
        model=ctx.pool.model("respondent"),
        questionnaire=load_questionnaire(Path(task["questionnaire"])),
        seed=suite.seed,
        genagent=conditioning == "genagent",
        debias=settings.survey.debias,
    )
    label = f"{'survey ' + spec.label:>12}"
    with RunProgress(label, unit="answers", display=ctx.display) as bar:
        await run_survey(
            respondents,
            survey_ctx,
            path,
            conditioning,
            resume=True,
            concurrency=settings.respondent.concurrency,
            on_start=bar.start,
            on_result=bar.result,
        )
    return {"responses": {spec.label: str(path)}}


def to_scoring(state: StudyState) -> Literal["score", "higher_order"]:
    """A higher-order study is compared with published gaps; the rest with humans."""
    is_study = load_questionnaire(Path(state.questionnaire)).study in STUDIES
    return "higher_order" if is_study else "score"


def score(state: StudyState, runtime: Runtime[StudyContext | StudioContext]) -> dict[str, Any]:
    ctx = resolve(runtime.context)
    suite = Suite.model_validate(state.suite)
    humans = state.humans or state.profiles
    assert humans is not None  # the schema refuses a suite with neither
    result = evaluate_scores(
        _method_inputs(state, suite),
        Path(humans),
        load_questionnaire(Path(state.questionnaire)),
        Path(state.out) / "report",
        _demographics(ctx.cache, state, suite),
        splits=suite.splits,
        resamples=suite.bootstrap,
        seed=suite.seed,
        rules=Rules(suite.missing, suite.sim_dist),
        personas=_read_personas(ctx.cache, state, suite),
    )
    return _scored(ctx, state, result)


def higher_order(
    state: StudyState, runtime: Runtime[StudyContext | StudioContext]
) -> dict[str, Any]:
    ctx = resolve(runtime.context)
    suite = Suite.model_validate(state.suite)
    humans = state.humans or state.profiles
    result = evaluate_gaps(
        _method_inputs(state, suite),
        Path(humans) if humans else None,
        load_questionnaire(Path(state.questionnaire)),
        Path(state.out) / "report",
        _demographics(ctx.cache, state, suite),
        personas=_read_personas(ctx.cache, state, suite),
    )
    return _scored(ctx, state, result)


def report(state: StudyState, runtime: Runtime[StudyContext | StudioContext]) -> dict[str, Any]:
    """The ablation lines beside the report; files of an earlier suite's report go."""
    ctx = resolve(runtime.context)
    suite = Suite.model_validate(state.suite)
    report_dir = Path(state.out) / "report"
    evaluation = ctx.cache.evaluation[Path(state.out)]
    overall = {m.label: m.overall for m in evaluation.report.methods}
    lines = ablation_lines(suite, overall, state.xs)
    if lines:
        plots = write_ablations(lines, report_dir, evaluation.report.simulated)
        add_plots(report_dir / "report.html", [p for p in plots if p.suffix == ".png"])
        evaluation.files.extend(plots)
    drop_stale_report_files(report_dir, evaluation.files)
    return {
        "files": [str(f) for f in evaluation.files],
        "ablations": json_safe({h: [p.model_dump() for p in ps] for h, ps in lines.items()}),
    }


def _task(state: StudyState, spec: MethodSpec) -> MethodTask:
    return MethodTask(
        suite=state.suite,
        out=state.out,
        label=spec.label,
        questionnaire=state.questionnaire,
        profiles=state.profiles,
    )


def _spec(task: MethodTask) -> tuple[Suite, MethodSpec]:
    suite = Suite.model_validate(task["suite"])
    return suite, next(m for m in suite.methods if m.label == task["label"])


CONDITIONING: dict[str, Conditioning] = {
    "interview": "backstory",
    "anthology": "backstory",
    "genagent": "genagent",
    "qa": "qa",
    "bio": "bio",
    "portray": "portray",
}
"""How each kind of method's respondents are prompted."""


def _method_inputs(state: StudyState, suite: Suite) -> list[MethodInput]:
    """In the suite's order, whichever method's survey finished first."""
    return [
        MethodInput(
            m.label,
            Path(state.responses[m.label]),
            Path(state.matches[m.label]) if m.label in state.matches else None,
        )
        for m in suite.methods
    ]


def _demographics(
    cache: StudyCache, state: StudyState, suite: Suite
) -> dict[str, dict[str, dict[str, float]]]:
    return {p.id: p.demographics for p in _read_personas(cache, state, suite)}


def _read_personas(cache: StudyCache, state: StudyState, suite: Suite) -> list[Persona]:
    """Every persona the suite's methods use, as the study read them (once)."""
    out = Path(state.out)
    runs = sorted({out / m.run_label for m in suite.methods if m.uses_personas})
    return [p for run in runs for p in cache.personas[run]]


def _scored(ctx: StudyContext, state: StudyState, result: EvalResult) -> dict[str, Any]:
    ctx.cache.evaluation[Path(state.out)] = result
    scores: dict[str, Any] = {m.label: asdict(m.overall) for m in result.report.methods}
    for label, found in result.gaps.items():
        scores[label] = [asdict(g) for g in found]
    return {"scores": json_safe(scores), "files": [str(f) for f in result.files]}

"""The study graph: one suite, end to end.

    prepare ─► make_personas ×M ─► match ─► survey ×N ─► score ─► report
       │         (Send per method             (Send per    │          ▲
       │          that makes personas)         method)     └► higher_order
       └──── (no method makes personas) ─► match

``prepare`` samples the humans and writes the questionnaire's subset; ``make_personas``
interviews (resumably) and fills the demographics; ``match`` pairs humans with personas;
``survey`` asks every method's respondents; ``score`` compares with the humans' answers,
``higher_order`` with a study's published gaps; ``report`` adds the ablation lines. The
methods of one stage run side by side on the same endpoints, whose concurrency limits
bound them together. Rerunning into the same ``out`` resumes every stage.

State holds only plain values (LangGraph Studio checkpoints it); the personas read once
per study, the respondents and the scored report stay in ``StudyContext.cache``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict, cast

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send
from rich.console import Console
from rich.progress import Progress

from interviewer.contracts.humans import HumanData, load_humans
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.evaluation.higher_order import STUDIES
from interviewer.evaluation.report import EvalResult, MethodInput, evaluate_gaps, evaluate_scores
from interviewer.evaluation.scoring import Rules, json_safe
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.interview.state import Method
from interviewer.matching import match_to_file
from interviewer.pool import ModelPool, StudioContext, astudio_pool, studio_pool
from interviewer.progress import RunProgress, progress_display
from interviewer.storage import drop_stale_report_files
from interviewer.study.ablations import ablation_lines, ablation_x, write_ablations
from interviewer.study.prepare import pooled, sample_humans, suite_questionnaire
from interviewer.study.schema import MethodSpec, Suite, interview_settings
from interviewer.survey.conditioning import Conditioning, Respondent, from_humans, from_persona
from interviewer.survey.fill_demographics import fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey


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
        evaluation.files.extend(write_ablations(lines, report_dir))
    drop_stale_report_files(report_dir, evaluation.files)
    return {
        "files": [str(f) for f in evaluation.files],
        "ablations": json_safe({h: [p.model_dump() for p in ps] for h, ps in lines.items()}),
    }


def build_study_graph(
    context_schema: type[StudyContext] | type[StudioContext] = StudyContext,
) -> Any:
    """The compiled study graph. ``context_schema``: ``pool.StudioContext`` for LangGraph
    Studio (graphs/study.py)."""
    builder: StateGraph[StudyState, StudyContext | StudioContext, StudyInput, StudyOutput]
    builder = StateGraph(
        StudyState,
        context_schema=context_schema,
        input_schema=StudyInput,
        output_schema=StudyOutput,
    )
    builder.add_node("prepare", prepare)
    # mypy does not take a TypedDict for LangGraph's TypedDictLike protocol; LangGraph
    # reads the node's input schema (MethodTask) from its annotations all the same.
    builder.add_node("make_personas", cast(Any, make_personas))
    builder.add_node("match", match)
    builder.add_node("survey", cast(Any, survey))
    builder.add_node("score", score)
    builder.add_node("higher_order", higher_order)
    builder.add_node("report", report)
    builder.add_edge(START, "prepare")
    builder.add_conditional_edges("prepare", to_makers, ["make_personas", "match"])
    builder.add_edge("make_personas", "match")
    builder.add_conditional_edges("match", to_surveys, ["survey"])
    builder.add_conditional_edges("survey", to_scoring)
    builder.add_edge("score", "report")
    builder.add_edge("higher_order", "report")
    builder.add_edge("report", END)
    return builder.compile(name="study")


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
    out = Path(state.out)
    runs = sorted({out / m.run_label for m in suite.methods if m.uses_personas})
    return {p.id: p.demographics for run in runs for p in cache.personas[run]}


def _scored(ctx: StudyContext, state: StudyState, result: EvalResult) -> dict[str, Any]:
    ctx.cache.evaluation[Path(state.out)] = result
    scores: dict[str, Any] = {m.label: asdict(m.overall) for m in result.report.methods}
    for label, found in result.gaps.items():
        scores[label] = [asdict(g) for g in found]
    return {"scores": json_safe(scores), "files": [str(f) for f in result.files]}

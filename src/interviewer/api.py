"""The Python API: what the commands do, callable from a script or a notebook.

Every step has an async form (``await interviewer.amake_personas(...)``) for code that
runs in an event loop (Jupyter's cells do), and a plain form for scripts. The plain
form also works inside a running loop: it runs the step on a worker thread with its
own loop, so it never fails with "asyncio.run() cannot be called from a running event
loop".

The objects wrap the file contracts rather than copy them: a ``Run`` is a run
directory and its ``Persona`` files, ``Responses`` a responses JSONL and its
``SimulatedResponse`` lines, ``Matches`` a match CSV, ``Report`` the result of an
evaluation (``report.json``, the plots and ``report.html``). Each has ``to_pandas()``
(``pip install 'interviewer[tables]'``).

Settings: ``settings`` is a settings YAML path, a ``Settings`` object (its explicitly
set fields count, as a settings file's keys do) or None (the defaults and
``INTERVIEWER_*``); ``overrides`` are dotted keys, as ``--set`` takes them
(``{"interview.target_words": 150}``) and beat both.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import json
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from interviewer.contracts.choices import Conditioning, MatchMethod, MissingRule, Objective, SimDist
from interviewer.contracts.persona import Manifest, Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.contracts.responses import SimulatedResponse, read_responses
from interviewer.errors import InterviewerError, UserInputError
from interviewer.interview.runner import RunSummary
from interviewer.interview.state import Method
from interviewer.settings import DebiasScheme, RoleName, Settings, dotted_overrides, load_settings

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from interviewer.evaluation.report import EvalResult
    from interviewer.inference.population import Inputs as InferInputs
    from interviewer.inference.results import Estimates
    from interviewer.interview.context import InterviewContext
    from interviewer.interview.run_status import RunStatus
    from interviewer.interview.runner import RunPlan
    from interviewer.interview.workers import Workers
    from interviewer.matching import Matching
    from interviewer.pool import ModelPool
    from interviewer.progress import RunProgress
    from interviewer.study.runner import SuiteResult
    from interviewer.study.schema import Suite
    from interviewer.survey.conditioning import Respondent
    from interviewer.survey.fill_demographics import DemographicsSummary
    from interviewer.survey.runner import SurveySummary
    from interviewer.usage import Budget

T = TypeVar("T")
P = ParamSpec("P")
PathLike = str | Path
SettingsLike = Settings | PathLike | None

__all__ = [
    "Inference",
    "Manifest",
    "Matches",
    "Persona",
    "Questionnaire",
    "Report",
    "Responses",
    "Run",
    "Settings",
    "SimulatedResponse",
    "SuiteRun",
    "aevaluate",
    "afill_demographics",
    "ainfer",
    "amake_personas",
    "amatch",
    "arun_suite",
    "arun_survey",
    "evaluate",
    "fill_demographics",
    "infer",
    "make_personas",
    "match",
    "open_questionnaire",
    "open_report",
    "open_responses",
    "open_run",
    "run_suite",
    "run_survey",
    "settings_from",
    "status",
    "write_slurm_script",
]


# ---------------------------------------------------------------------------- objects


@dataclass
class Run:
    """A persona run directory: ``manifest.json`` and one ``Persona`` file each."""

    path: Path
    summary: RunSummary | None = None
    """What the call that made it did (None for a run opened from disk)."""
    demographics: DemographicsSummary | None = None
    """What ``fill_demographics`` did on it (None when it did not run on this object)."""

    @property
    def manifest(self) -> Manifest | None:
        """The run's manifest; None where the folder has none (personas from elsewhere)."""
        path = self.path / "manifest.json"
        if not path.is_file():
            return None
        return Manifest.model_validate_json(path.read_bytes())

    @cached_property
    def personas(self) -> list[Persona]:
        """Every persona file, read and checked once (``reload()`` reads them again)."""
        return load_personas(self.path)

    def reload(self) -> Run:
        return Run(self.path, self.summary, self.demographics)

    def __len__(self) -> int:
        return len(self.personas)

    def __iter__(self) -> Iterator[Persona]:
        return iter(self.personas)

    def __getitem__(self, persona_id: str) -> Persona:
        for persona in self.personas:
            if persona.id == persona_id:
                return persona
        raise KeyError(persona_id)

    def to_pandas(self) -> pd.DataFrame:
        """One row per persona (``tables.personas_frame``)."""
        from interviewer.tables import personas_frame

        return personas_frame(self.personas)

    def transcripts(self) -> pd.DataFrame:
        """One row per turn (``tables.transcripts_frame``)."""
        from interviewer.tables import transcripts_frame

        return transcripts_frame(self.personas)


@dataclass
class Responses:
    """A responses JSONL file, checked against its questionnaire when it is known."""

    path: Path
    questionnaire: Questionnaire | None = None
    summary: SurveySummary | None = None

    @cached_property
    def records(self) -> list[SimulatedResponse]:
        return read_responses(self.path, self.questionnaire)

    def __len__(self) -> int:
        return len(self.records)

    def to_pandas(self, *, wide: bool = False, labels: bool = False) -> pd.DataFrame:
        """Long (one row per respondent × question) or ``wide`` (one per respondent);
        ``labels``: option labels instead of 0-based indices (``tables.responses_frame``)."""
        from interviewer.tables import responses_frame

        return responses_frame(self.records, self.questionnaire, wide=wide, labels=labels)


@dataclass
class Matches:
    """A match CSV: ``respondent_id, persona_id, log_weight, objective``."""

    path: Path
    result: Matching | None = None
    """The pairs and their weights in memory (None for a CSV opened from disk)."""

    def to_pandas(self) -> pd.DataFrame:
        from interviewer.tables import matches_frame

        return matches_frame(self.path)


@dataclass
class Report:
    """An evaluation: ``report.json``, its plots and ``report.html`` in ``out``."""

    out: Path
    body: dict[str, Any]
    """What ``report.json`` holds."""
    questionnaire: Questionnaire | None = None
    result: EvalResult | None = None
    """The in-memory result (None for a report opened from disk)."""

    @property
    def html(self) -> Path:
        return self.out / "report.html"

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.out.iterdir() if p.suffix in (".json", ".png", ".html"))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table (``tables.REPORT_TABLES``): methods, subgroups, questions,
        distributions, gaps."""
        from interviewer.tables import report_tables

        return report_tables(self.body, self.questionnaire)

    def to_pandas(self, table: str = "methods") -> pd.DataFrame:
        from interviewer.tables import REPORT_TABLES

        if table not in REPORT_TABLES:
            raise UserInputError(f"no report table {table!r}; there are {list(REPORT_TABLES)}")
        return self.tables()[table]

    def _repr_html_(self) -> str:
        """Jupyter shows the methods table."""
        return str(self.to_pandas().to_html(index=False, na_rep="n/a"))


@dataclass
class SuiteRun:
    """A suite's output folder: a ``Run`` per persona method, the responses, the report."""

    out: Path
    runs: dict[str, Run] = field(default_factory=dict)
    responses: dict[str, Responses] = field(default_factory=dict)
    report: Report | None = None
    result: SuiteResult | None = None
    """The study's in-memory result: run summaries, personas, evaluation, ablations."""


# ----------------------------------------------------------------------- opening files


def open_run(path: PathLike) -> Run:
    """A run directory of persona files (made by ``make_personas`` or the CLI)."""
    run = Run(Path(path))
    if not run.path.is_dir():
        raise UserInputError(f"{run.path}: not a directory")
    return run


def open_responses(
    path: PathLike, questionnaire: PathLike | Questionnaire | None = None
) -> Responses:
    """A responses JSONL; given the questionnaire, checked against it and labelled."""
    q = _questionnaire(questionnaire) if questionnaire is not None else None
    responses = Responses(Path(path), q)
    _ = responses.records  # a bad line fails here, naming file and line
    return responses


def open_report(out: PathLike, questionnaire: PathLike | Questionnaire | None = None) -> Report:
    """A report folder (``report.json`` in it) written by ``evaluate`` or ``eval``."""
    folder = Path(out)
    path = folder / "report.json"
    if not path.is_file():
        raise UserInputError(f"{folder}: no report.json; is it a report folder?")
    q = _questionnaire(questionnaire) if questionnaire is not None else None
    return Report(folder, json.loads(path.read_text(encoding="utf-8")), q)


def open_questionnaire(path: PathLike, questions: Sequence[str] | None = None) -> Questionnaire:
    """A questionnaire YAML, checked; ``questions``: keep only these ids, in file order."""
    q = load_questionnaire(Path(path))
    if questions is None:
        return q
    missing = set(questions) - set(q.by_id)
    if missing:
        raise UserInputError(f"questions {sorted(missing)} not in {path}")
    kept = [question for question in q.questions if question.id in set(questions)]
    return q.model_copy(update={"questions": kept})


def _questionnaire(value: PathLike | Questionnaire) -> Questionnaire:
    return value if isinstance(value, Questionnaire) else load_questionnaire(Path(value))


# ---------------------------------------------------------------------------- settings


def settings_from(
    settings: SettingsLike = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    base: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings as the commands merge them: defaults < ``INTERVIEWER_*`` < ``base`` (a
    suite's block) < ``settings`` < ``overrides`` (dotted keys)."""
    nested = dotted_overrides(dict(overrides or {}))
    if isinstance(settings, Settings):
        from interviewer.settings import deep_merge

        # What the caller gave: every value that differs from its default (an attribute
        # edited after construction, s.interview.target_words = 150, is not "set" on s
        # itself), and every value set explicitly, even to its default.
        given = deep_merge(
            settings.model_dump(mode="json", exclude_defaults=True),
            settings.model_dump(mode="json", exclude_unset=True),
        )
        return load_settings(None, deep_merge(given, nested), base=base)
    return load_settings(Path(settings) if settings is not None else None, nested, base=base)


# ------------------------------------------------------------------ loops and models


def run_sync(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to the end from synchronous code: on a new loop here, or, where a
    loop already runs in this thread (Jupyter), on a worker thread with its own loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="interviewer") as worker:
        return worker.submit(context.run, asyncio.run, work).result()


def plain(work: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """The plain (synchronous) form of an async step, same parameters (``run_sync``)."""

    @functools.wraps(work)
    def step(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_sync(work(*args, **kwargs))

    _rename(step, work.__name__.removeprefix("a"))
    step.__doc__ = (
        f"``{work.__name__}``, from synchronous code (also in a notebook).\n\n{work.__doc__}"
    )
    return step


def off_loop(work: Callable[P, T]) -> Callable[P, Coroutine[Any, Any, T]]:
    """The async form of a CPU-bound step: run on a worker thread, the loop stays free."""

    @functools.wraps(work)
    async def step(*args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(work, *args, **kwargs)

    _rename(step, "a" + work.__name__)
    step.__doc__ = f"``{work.__name__}``, off the event loop (it is CPU work).\n\n{work.__doc__}"
    return step


def _rename(function: Callable[..., Any], name: str) -> None:
    function.__name__ = name
    function.__qualname__ = name


@asynccontextmanager
async def _models(
    settings: Settings,
    roles: Sequence[RoleName],
    budget: Budget | None = None,
    console: Console | None = None,
) -> AsyncIterator[ModelPool]:
    """A started ``ModelPool`` whose calls stop at ``budget`` (``BudgetReached``; None: no
    limit); starting and stopping servers block, so they run off the loop, and the HTTP
    clients close on the loop that used them. ``console`` spins while the models start."""
    from interviewer.pool import ModelPool
    from interviewer.usage import Budget, limited

    pool = ModelPool(settings, roles)
    await _start(pool, console)
    try:
        models = [pool.model(r).model_name for r in pool.roles]
        with limited(settings.prices, budget or Budget(), models):
            yield pool
    finally:
        try:
            await pool.aclose()
        finally:
            await asyncio.to_thread(pool.close)


async def _start(pool: ModelPool, console: Console | None) -> None:
    if console is None:
        await _enter(pool)
        return
    with console.status("starting the models…"):  # spins only while they start
        await _enter(pool)


async def _enter(pool: ModelPool) -> None:
    """Start ``pool`` on a worker thread. A thread cannot be stopped: where the run is
    cancelled (Ctrl-C) while it starts, the pool stops once the start ends, so no
    server outlives the run."""
    lock = threading.Lock()
    state = {"cancelled": False, "started": False}

    def enter() -> None:
        pool.__enter__()
        with lock:
            state["started"] = True
            if not state["cancelled"]:
                return
        pool.close()

    start = asyncio.ensure_future(asyncio.to_thread(enter))
    try:
        await asyncio.shield(start)
    except asyncio.CancelledError:
        with lock:
            state["cancelled"] = True
            started = state["started"]
        if started:  # the thread ended before it saw the cancel: stop here
            pool.close()
        raise


@contextmanager
def _bar(
    label: str, progress: bool, unit: str = "tok", console: Console | None = None
) -> Iterator[RunProgress | None]:
    """A progress bar when asked for, on ``console`` (None: a console of its own); None
    draws nothing."""
    if not progress:
        yield None
        return
    from interviewer.progress import RunProgress

    with RunProgress(label, console, unit=unit) as bar:
        yield bar


def _console(progress: bool) -> Console:
    from rich.console import Console

    return Console() if progress else Console(quiet=True)


# ---------------------------------------------------------------------------- personas


async def amake_personas(
    out: PathLike,
    n: int = 2,
    *,
    method: Method = "interview",
    settings: SettingsLike = None,
    overrides: Mapping[str, Any] | None = None,
    target_words: int | None = None,
    resume: bool = False,
    concurrency: int | None = None,
    seed_texts: Sequence[str] = (),
    shard: tuple[int, int] | None = None,
    progress: bool = True,
    console: Console | None = None,
    budget: Budget | None = None,
    raise_on_failure: bool = True,
    workers: int = 1,
) -> Run:
    """Interview ``n`` personas (``method`` interview: deep binding; anthology: one open
    question) into the run directory ``out``, as ``interviewer interview`` does. A
    persona that failed raises ``InterviewerError`` (``resume=True`` tries it again), or
    with ``raise_on_failure=False`` is counted in ``Run.summary.failed`` (reasons in
    ``out/failed``). ``shard=(i, k)``: make only the personas whose index % k == i (several
    machines on shared storage). ``console``: spin there while the models start and draw
    the progress bar there; ``budget``: stop the calls at it (``BudgetReached``).
    ``workers``: orchestrator processes sharing the run and its one engine
    (``interview.workers``; 1: this process alone)."""
    from interviewer.interview.context import InterviewContext
    from interviewer.interview.runner import RunPlan, run_interviews
    from interviewer.interview.workers import refuse_thin_split, workers_for

    chosen = settings_from(settings, overrides)
    if target_words is not None:
        chosen.interview.target_words = target_words
    plan = RunPlan(
        out=Path(out),
        n=n,
        method=method,
        concurrency=concurrency or chosen.persona.concurrency,
        resume=resume,
        shard=shard,
        seed_texts=tuple(seed_texts),
        base_seed=chosen.persona.seed or 0,
    )
    _refuse_resume_without_run(plan.out, resume)
    if workers < 1:
        raise UserInputError(f"workers {workers}: need at least 1")
    if workers > 1:
        refuse_thin_split(plan, chosen, workers)  # before the models take minutes to start
    roles: tuple[RoleName, ...] = ("interviewer", "persona", "critic")
    # The workers start first: they import while the models start.
    async with workers_for(workers) as team, _models(chosen, roles, budget, console) as pool:
        ctx = InterviewContext.from_pool(pool, chosen)
        label = "interviews" if method == "interview" else "backstories"
        with _bar(label, progress, console=console) as bar:
            dump = chosen.model_dump(mode="json")
            on_start, on_result = (bar.start, bar.result) if bar else (None, None)
            if team is None:
                summary = await run_interviews(plan, ctx, dump, on_start, on_result)
            else:
                summary = await _with_workers(
                    plan, ctx, pool, chosen, team, budget, dump, on_start, on_result
                )
    if summary.failed and raise_on_failure:
        raise InterviewerError(
            f"{summary.failed} persona(s) failed; reasons are in {plan.out / 'failed'}, "
            "resume=True tries them again"
        )
    return Run(plan.out, summary)


async def _with_workers(
    plan: RunPlan,
    ctx: InterviewContext,
    pool: ModelPool,
    chosen: Settings,
    team: Workers,
    budget: Budget | None,
    dump: dict[str, Any],
    on_start: Callable[[int, int], None] | None,
    on_result: Callable[[str, bool, int], None] | None,
) -> RunSummary:
    """The run made by ``team``'s processes, attached to ``pool``'s endpoints."""
    from interviewer.interview.workers import run_with_workers, worker_jobs
    from interviewer.usage import Budget

    jobs = worker_jobs(
        plan, chosen, pool.endpoints, team.count, ctx.words_target, budget or Budget()
    )
    return await run_with_workers(plan, ctx, dump, jobs, on_start, on_result, team)


def _refuse_resume_without_run(out: Path, resume: bool) -> None:
    if resume and not (out / "manifest.json").is_file():
        raise UserInputError(f"resume: {out} holds no run (no manifest.json), nothing to resume")


make_personas = plain(amake_personas)


def status(run: Run | PathLike, *, stale_after_s: float = 60.0) -> RunStatus:
    """What the processes writing a run directory are doing (``interviewer status``):
    per shard (or for the one process) done, failed, running or dead (heartbeat older
    than ``stale_after_s``), tokens, rate and ETA, and the commands that finish the
    shards that need it. Reads file names and the small status files only."""
    from interviewer.interview.run_status import run_status

    return run_status(_path(run), stale_after_s)


def write_slurm_script(
    out: PathLike,
    n: int,
    shards: int,
    *,
    settings: PathLike | None = None,
    overrides: Mapping[str, Any] | None = None,
    method: Method = "interview",
    concurrency: int | None = None,
    seed_texts: PathLike | None = None,
    target_words: int | None = None,
    sbatch: Sequence[str] = (),
    job_name: str = "interviewer",
) -> Path:
    """Write ``out/interview.sbatch`` (``interviewer slurm``): a SLURM array of
    ``shards`` tasks, task I running ``interviewer interview --shard I/shards`` into
    ``out`` with these settings (a YAML path and dotted overrides, forwarded as
    ``--settings``/``--set``) and a node-local response cache unless the settings name
    one. ``sbatch``: ``#SBATCH`` options such as ``--partition=gpu``."""
    from interviewer.slurm import SlurmJob, interview_args, refuse_secrets, settings_args
    from interviewer.slurm import write_script as write

    given = dict(overrides or {})
    refuse_secrets(given)
    file = Path(settings) if settings is not None else None
    chosen = load_settings(file, dotted_overrides(given))  # a bad setting fails here, now
    job = SlurmJob(
        out=Path(out).resolve(),
        n=n,
        shards=shards,
        interview_args=interview_args(
            method, concurrency, Path(seed_texts) if seed_texts else None, target_words
        ),
        settings_args=settings_args(file, given),
        node_cache="cache_dir" not in chosen.model_fields_set,
        sbatch=tuple(sbatch),
        job_name=job_name,
    )
    return write(job)


async def afill_demographics(
    run: Run | PathLike,
    *,
    settings: SettingsLike = None,
    overrides: Mapping[str, Any] | None = None,
    force: bool = False,
    concurrency: int | None = None,
    samples: int = 20,
    seed: int = 0,
    progress: bool = True,
    console: Console | None = None,
    raise_on_failure: bool = True,
) -> Run:
    """Ask each persona the demographic questions and store a distribution per trait in
    its file (``interviewer demographics``); returns the run, read again, with what was
    done in ``Run.demographics``. ``console``: draw the progress bar there.
    ``raise_on_failure=False``: a persona that failed is left in
    ``Run.demographics.failed`` (id -> reason) instead of raising."""
    from interviewer.survey.fill_demographics import fill_demographics as fill

    path = run.path if isinstance(run, Run) else Path(run)
    chosen = settings_from(settings, overrides)
    async with _models(chosen, ("respondent",)) as pool:
        with _bar("personas", progress, unit="traits", console=console) as bar:
            summary: DemographicsSummary = await fill(
                path,
                pool.model("respondent"),
                concurrency=concurrency or chosen.respondent.concurrency,
                force=force,
                samples=samples,
                seed=seed,
                on_start=bar.start if bar else None,
                on_result=bar.result if bar else None,
            )
    if summary.failed and raise_on_failure:
        first = next(iter(summary.failed.items()))
        raise InterviewerError(
            f"{len(summary.failed)} persona(s) failed (first: {first[0]}: {first[1]}); run it again"
        )
    return Run(path, run.summary if isinstance(run, Run) else None, summary)


fill_demographics = plain(afill_demographics)


# ------------------------------------------------------------------------------ survey


async def arun_survey(
    questionnaire: PathLike | Questionnaire,
    out: PathLike,
    *,
    run: Run | PathLike | None = None,
    conditioning: Conditioning = "backstory",
    humans: PathLike | None = None,
    settings: SettingsLike = None,
    overrides: Mapping[str, Any] | None = None,
    resume: bool = False,
    concurrency: int | None = None,
    carry_answers: bool = False,
    samples: int = 20,
    seed: int = 0,
    debias: DebiasScheme | None = None,
    progress: bool = True,
    console: Console | None = None,
    budget: Budget | None = None,
    raise_on_failure: bool = True,
) -> Responses:
    """Ask every respondent the questionnaire into the JSONL ``out`` (``interviewer
    survey``): the personas of ``run`` (conditioning backstory or genagent), or one
    demographic profile per human of ``humans`` (qa, bio, portray). A respondent that
    failed raises ``InterviewerError`` (``resume=True`` asks it again), or with
    ``raise_on_failure=False`` is left in ``Responses.summary.failed`` (id -> reason).
    ``console``: draw the progress bar there; ``budget``: stop the calls at it
    (``BudgetReached``; what was written is kept, ``resume=True`` goes on)."""
    from interviewer.survey.graph import SurveyContext
    from interviewer.survey.runner import run_survey as ask_all

    q = _questionnaire(questionnaire)
    target = Path(out)
    if resume and not target.is_file():
        raise UserInputError(f"resume: {target} does not exist, nothing to resume")
    chosen = settings_from(settings, overrides)
    if debias is not None:
        chosen.survey.debias = debias
    respondents = survey_respondents(conditioning, run, humans)
    async with _models(chosen, ("respondent",), budget) as pool:
        ctx = SurveyContext(
            model=pool.model("respondent"),
            questionnaire=q,
            carry_answers=carry_answers,
            samples=samples,
            seed=seed,
            genagent=conditioning == "genagent",
            debias=chosen.survey.debias,
        )
        with _bar("respondents", progress, unit="answers", console=console) as bar:
            summary = await ask_all(
                respondents,
                ctx,
                target,
                conditioning,
                resume=resume,
                concurrency=concurrency or chosen.respondent.concurrency,
                settings_dump=chosen.model_dump(mode="json"),
                on_start=bar.start if bar else None,
                on_result=bar.result if bar else None,
            )
    if summary.failed and raise_on_failure:
        first = next(iter(summary.failed.items()))
        raise InterviewerError(
            f"{len(summary.failed)} respondent(s) failed (first: {first[0]}: {first[1]}); "
            "resume=True asks them again"
        )
    return Responses(target, q, summary)


run_survey = plain(arun_survey)


def survey_respondents(
    conditioning: Conditioning, run: Run | PathLike | None, humans: PathLike | None
) -> list[Respondent]:
    """Who ``run_survey`` asks: the personas of ``run`` (backstory, genagent), or one
    demographic profile per human of ``humans`` (qa, bio, portray)."""
    from interviewer.contracts.humans import load_humans
    from interviewer.survey.conditioning import from_humans, from_persona

    if conditioning in ("backstory", "genagent"):
        if run is None:
            raise UserInputError(
                f"conditioning {conditioning} needs the personas' run directory "
                "(run=; on the command line its argument)"
            )
        personas = run.personas if isinstance(run, Run) else load_personas(Path(run))
        return [from_persona(p) for p in personas]
    if humans is None:
        raise UserInputError(
            f"conditioning {conditioning} needs a human CSV, one profile per human "
            "(humans=; on the command line --humans H.csv)"
        )
    return from_humans(load_humans(Path(humans)), conditioning)


# ---------------------------------------------------------------------------- matching


def match(
    run: Run | PathLike,
    humans: PathLike,
    out: PathLike,
    *,
    method: MatchMethod = "maxweight",
    objective: Objective = "weight",
    traits: Sequence[str] | None = None,
    seed: int = 0,
) -> Matches:
    """Pair each human with a persona by demographics (``interviewer match``); writes
    the pairs CSV ``out``. ``traits``: default every canonical trait the humans have."""
    from interviewer.contracts.demographics import traits as canonical_traits
    from interviewer.contracts.humans import load_humans
    from interviewer.matching import match_to_file

    personas = run.personas if isinstance(run, Run) else load_personas(Path(run))
    people = load_humans(Path(humans))
    canonical = canonical_traits()
    names = list(traits) if traits else [t for t in canonical if t in people.demographics]
    unknown = [t for t in names if t not in canonical]
    if unknown:
        raise UserInputError(
            f"traits {unknown} (traits=, --traits): not canonical traits ({list(canonical)})"
        )
    if not names:
        raise UserInputError(f"{humans}: no canonical demographic columns to match on")
    result = match_to_file(personas, people, names, method, seed, Path(out), objective)
    return Matches(Path(out), result)


amatch = off_loop(match)


# -------------------------------------------------------------------------- evaluation


def evaluate(
    responses: Mapping[str, Responses | PathLike],
    questionnaire: PathLike | Questionnaire,
    out: PathLike,
    *,
    humans: PathLike | None = None,
    matches: Mapping[str, Matches | PathLike] | None = None,
    personas: Sequence[Run | PathLike] = (),
    splits: int = 100,
    bootstrap: int = 200,
    seed: int = 0,
    missing: MissingRule = "complete",
    sim_dist: SimDist = "probs",
) -> Report:
    """Score each method's responses (label -> file) against the humans, or for a
    higher-order study against the published gaps (``interviewer eval``): writes
    report.json, the plots and report.html into ``out`` (and removes a plot an earlier
    evaluation there left that this one did not write)."""
    from interviewer.evaluation.report import MethodInput
    from interviewer.evaluation.report import evaluate as score
    from interviewer.evaluation.scoring import Rules
    from interviewer.storage import drop_stale_report_files

    q = _questionnaire(questionnaire)
    unknown = set(matches or {}) - set(responses)
    if unknown:
        raise UserInputError(f"matches (--matches) for unknown label(s) {sorted(unknown)}")
    methods = [
        MethodInput(
            label, _path(r), _path(matches[label]) if matches and label in matches else None
        )
        for label, r in responses.items()
    ]
    folder = Path(out)
    result = score(
        methods,
        Path(humans) if humans is not None else None,
        q,
        folder,
        personas=[_path(p) for p in personas],
        splits=splits,
        resamples=bootstrap,
        seed=seed,
        rules=Rules(missing, sim_dist),
    )
    drop_stale_report_files(folder, result.files)
    report = open_report(folder, q)
    report.result = result
    return report


def _path(value: Run | Responses | Matches | PathLike) -> Path:
    if isinstance(value, Run | Responses | Matches):
        return value.path
    return Path(value)


aevaluate = off_loop(evaluate)


# --------------------------------------------------------------------------- inference


@dataclass
class Inference:
    """Population estimates (``interviewer infer``): ``report.json``'s ``inference``
    section, the plot and ``report.html`` in ``out``."""

    out: Path
    body: dict[str, Any]
    """The ``inference`` section of ``report.json``."""
    estimates: Estimates
    summary: list[str]
    """The run in plain words, as the command prints it."""


def infer(
    responses: Responses | PathLike,
    personas: Run | PathLike,
    questionnaire: PathLike | Questionnaire,
    frame: PathLike,
    out: PathLike,
    *,
    pilot: PathLike | None = None,
    method: MatchMethod = "greedy",
    objective: Objective = "weight",
    traits: Sequence[str] | None = None,
    seed: int = 0,
    by: str | None = None,
    alpha: float = 0.1,
    past_humans: PathLike | None = None,
    past_responses: Responses | PathLike | None = None,
    past_questionnaire: PathLike | Questionnaire | None = None,
) -> Inference:
    """Estimate each question's answer shares in the population the ``frame`` (a humans
    CSV: demographics and weights, answers not needed) describes: naive (personas
    only), pilot only and rectified (PPI++) intervals, with effective sample sizes
    (``interviewer infer``). Frame and ``pilot`` respondents are matched to the personas
    as ``match`` pairs them (``method`` greedy by default: one fixed prediction per
    profile). ``by``: a demographic trait to estimate within each of its groups.
    ``past_humans``, ``past_responses``, ``past_questionnaire`` (all three): a past
    survey people and the same personas answered; gives the adaptive simulation size
    (``inference.adaptive``), an effective sample size with no pilot. Writes
    report.json (its ``inference`` section), intervals.png and report.html."""
    from interviewer.contracts.demographics import traits as canonical_traits
    from interviewer.inference.html import write_inference_html
    from interviewer.inference.plots import intervals_png
    from interviewer.inference.population import Inputs, assemble
    from interviewer.inference.report import (
        Provenance,
        inference_json,
        summary_lines,
        write_report_json,
    )
    from interviewer.inference.results import estimate

    if not 0 < alpha < 1:
        raise UserInputError(f"alpha (--alpha) must be between 0 and 1, got {alpha}")
    if by is not None and by not in canonical_traits():
        raise UserInputError(
            f"by (--by) {by!r}: not a canonical trait ({list(canonical_traits())})"
        )
    inputs = Inputs(
        responses=_path(responses),
        personas=_path(personas),
        questionnaire=_questionnaire(questionnaire),
        frame=Path(frame),
        pilot=Path(pilot) if pilot is not None else None,
        method=method,
        objective=objective,
        seed=seed,
        traits=traits,
    )
    population = assemble(inputs)
    if by is not None and by not in population.frame.people.demographics:
        raise UserInputError(f"by (--by) {by!r}: the frame {frame} has no {by} column")
    past = _past_inputs(inputs, past_humans, past_responses, past_questionnaire)
    adaptive = None
    if past is not None:
        from interviewer.inference.adaptive import adaptive as adaptive_size

        adaptive = adaptive_size(population, assemble(past), alpha, seed)
    estimates = estimate(population, alpha, by)
    provenance = Provenance(inputs, alpha, by, past)
    section = inference_json(estimates, population, provenance, adaptive)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    write_report_json(folder, section)
    write_inference_html(folder, section, intervals_png(section, folder / "intervals.png"))
    return Inference(folder, section, estimates, summary_lines(section))


def _past_inputs(
    inputs: InferInputs,
    humans: PathLike | None,
    responses: Responses | PathLike | None,
    questionnaire: PathLike | Questionnaire | None,
) -> InferInputs | None:
    """The past survey as ``assemble`` reads it: its humans are both frame and pilot."""
    given = {
        "past_humans (--past-humans)": humans,
        "past_responses (--past-responses)": responses,
        "past_questionnaire (--past-questionnaire)": questionnaire,
    }
    if all(value is None for value in given.values()):
        return None
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise UserInputError(f"a past survey needs all three of {list(given)}; missing {missing}")
    assert humans is not None and responses is not None and questionnaire is not None
    from dataclasses import replace

    return replace(
        inputs,
        responses=_path(responses),
        questionnaire=_questionnaire(questionnaire),
        frame=Path(humans),
        pilot=Path(humans),
    )


ainfer = off_loop(infer)


# ------------------------------------------------------------------------------ suites


async def arun_suite(
    suite: PathLike | Suite,
    out: PathLike,
    *,
    scale: float = 1.0,
    settings: SettingsLike = None,
    overrides: Mapping[str, Any] | None = None,
    progress: bool = True,
    console: Console | None = None,
    budget: Budget | None = None,
    dry_run: bool = False,
) -> SuiteRun:
    """Run a whole eval suite through the study graph (``interviewer eval --suite``):
    personas, demographics, matching, surveys, report; a rerun into ``out`` resumes.
    ``console``: draw the study's progress there; ``budget``: stop every call at it
    (``BudgetReached``; finished work is kept, a rerun carries on); ``dry_run``: on the
    SIMULATED engine at a few respondents per method, every output marked so
    (``interviewer eval --dry-run``; ``study.dry_run.wiring_problems`` checks it)."""
    from interviewer.study import load_suite, scaled
    from interviewer.study.dry_run import dry_run_settings, dry_run_suite, mark_dry_run
    from interviewer.study.runner import study

    spec = scaled(suite if not isinstance(suite, str | Path) else load_suite(Path(suite)), scale)
    chosen = settings_from(settings, overrides, base=spec.settings)
    folder = Path(out)
    if dry_run:
        spec, chosen = dry_run_suite(spec), dry_run_settings(chosen)
        mark_dry_run(folder)
    folder.mkdir(parents=True, exist_ok=True)
    async with _models(chosen, _all_roles(), budget) as pool:
        result = await study(spec, pool, folder, console or _console(progress))
    q = _suite_questionnaire(spec, folder)
    return SuiteRun(
        out=folder,
        runs={label: Run(folder / label, summary) for label, summary in result.runs.items()},
        responses={
            m.label: Responses(folder / f"responses_{m.label}.jsonl", q) for m in spec.methods
        },
        report=Report(folder / "report", result.evaluation.report.to_json(), q, result.evaluation),
        result=result,
    )


def _suite_questionnaire(spec: Suite, folder: Path) -> Questionnaire:
    """What the suite asked: its copy in ``folder`` when it picks questions, else its file."""
    from interviewer.study.schema import evals_path

    copy = folder / "questionnaire.yaml"
    return load_questionnaire(copy if copy.is_file() else evals_path(spec.questionnaire))


def _all_roles() -> tuple[RoleName, ...]:
    from interviewer.settings import ROLES

    return tuple(ROLES)


run_suite = plain(arun_suite)

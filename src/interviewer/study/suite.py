"""Eval suites: one YAML file per paper experiment, run end to end in one command.

A suite names a questionnaire, the humans to score against (and/or the human profiles
the demographic baselines are built from), the methods to compare with their sizes, how
to match, and model settings. ``interviewer eval --suite FILE --out DIR`` makes the
personas (resumably), fills their demographics, matches, surveys every method and writes
the report. Paths in a suite are relative to the ``evals/`` folder.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from rich.console import Console

from interviewer.contracts.humans import load_humans
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import SettingsError, UserInputError
from interviewer.evaluation.metrics import MissingRule
from interviewer.evaluation.report import EvalResult, MethodInput, evaluate
from interviewer.evaluation.scoring import Rules, SimDist, json_safe
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, RunSummary, run_interviews
from interviewer.interview.state import Method
from interviewer.matching import Objective, match_to_file
from interviewer.paths import resource_dir
from interviewer.pool import ModelPool
from interviewer.progress import RunProgress
from interviewer.settings import InterviewSettings, Settings, load_settings
from interviewer.storage import atomic_write_json, atomic_write_text, drop_stale_report_files
from interviewer.survey.conditioning import (
    Conditioning,
    Respondent,
    from_humans,
    from_persona,
    truncated,
)
from interviewer.survey.fill_demographics import fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey
from interviewer.yaml_io import dump_yaml, read_yaml_file

Kind = Literal["interview", "anthology", "genagent", "qa", "bio", "portray"]
PERSONA_KINDS = ("interview", "anthology", "genagent")
Hypothesis = Literal["H1", "H2", "H3"]
BASELINES: dict[str, Conditioning] = {"qa": "qa", "bio": "bio", "portray": "portray"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MethodSpec(_Strict):
    label: str
    kind: Kind
    n: int = Field(default=0, ge=0)
    """Personas to make (interview/anthology); baselines use one per human profile."""
    personas_from: str | None = None
    """Reuse another method's personas instead of making new ones."""
    interview: dict[str, Any] = Field(default_factory=dict)
    """Overrides of the interview settings for the personas this method makes
    (e.g. {critic: false} for the H3 ablation); unknown keys are refused."""
    depth: int | None = Field(default=None, ge=1, le=10)
    """Cut transcripts to their first ``depth`` AVP questions (the H2 ablation)."""
    pool_fraction: float = Field(default=1.0, gt=0, le=1)
    """Match and survey a seeded share of the persona pool (the H1 ablation)."""
    hypothesis: Hypothesis | None = None
    """Plot this method on the hypothesis' ablation line."""

    @field_validator("interview")
    @classmethod
    def _known_interview_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            InterviewSettings.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{where}: {first['msg']}") from None
        return value


class MatchSpec(_Strict):
    method: Literal["maxweight", "greedy", "random"] = "maxweight"
    objective: Objective = "weight"
    """What ``maxweight`` maximises: the sum of weights (the papers') or of log-weights."""
    traits: list[str] = Field(
        default_factory=lambda: ["age", "gender", "race", "education", "income", "party", "region"]
    )


class Suite(_Strict):
    id: str
    title: str = ""
    paper: str = ""
    questionnaire: str
    questions: list[str] | None = None
    """Only these question ids (default: all)."""
    humans: str | None = None
    """Human responses to score against (None for the higher-order studies)."""
    profiles: str | None = None
    """Humans whose profiles build the QA/Bio/Portray respondents (default: ``humans``)."""
    sample: int | None = Field(default=None, ge=2)
    """Use a seeded sample of this many humans."""
    methods: list[MethodSpec] = Field(min_length=1)
    match: MatchSpec = Field(default_factory=MatchSpec)
    settings: dict[str, Any] = Field(default_factory=dict)
    """Setting overrides (flags on the command line still win)."""
    splits: int = Field(default=100, ge=2)
    """Split-half splits for the human bound (as ``eval --splits``)."""
    bootstrap: int = Field(default=200, ge=0)
    seed: int = 0
    missing: MissingRule = "complete"
    """Correlations and alpha over complete cases or pairwise (docs/metrics.md)."""
    sim_dist: SimDist = "probs"
    """The simulated distribution WD compares: mean of probs, or sampled answers."""

    @model_validator(mode="after")
    def _reuse(self) -> Suite:
        makers = {m.label for m in self.methods if m.personas_from is None}
        for method in self.methods:
            if method.personas_from and method.personas_from not in makers:
                raise ValueError(
                    f"{method.label}: personas_from {method.personas_from!r} is "
                    "not a method that makes personas"
                )
            if method.kind == "genagent" and not method.personas_from:
                raise ValueError(f"{method.label}: genagent needs personas_from")
        return self

    @model_validator(mode="after")
    def _needs(self) -> Suite:
        baselines = [m.label for m in self.methods if m.kind in ("qa", "bio", "portray")]
        if baselines and not (self.profiles or self.humans):
            raise ValueError(f"methods {baselines} need humans or profiles")
        return self


def load_suite(path: Path) -> Suite:
    data = read_yaml_file(path)
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "suite"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise UserInputError(f"{path}: {where}: {message}") from None
    try:
        load_settings(base=suite.settings)
    except SettingsError as exc:
        raise UserInputError(f"{path}: settings: {exc}") from None
    return suite


def scaled(suite: Suite, factor: float) -> Suite:
    """The suite with every persona count and the human sample multiplied by ``factor``
    (at least 2 each): one file serves a GPU run and a toy run on a laptop."""
    if factor == 1.0:
        return suite
    methods = [
        m.model_copy(update={"n": max(2, round(m.n * factor))}) if m.n else m for m in suite.methods
    ]
    sample = max(2, round(suite.sample * factor)) if suite.sample else suite.sample
    return suite.model_copy(update={"methods": methods, "sample": sample})


def with_flags(suite: Suite, flags: dict[str, Any]) -> Suite:
    """The suite with the command line's explicitly given values (None: not given) on
    top, validated like the file itself."""
    given = {key: value for key, value in flags.items() if value is not None}
    return Suite.model_validate({**suite.model_dump(), **given}) if given else suite


def evals_path(relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else resource_dir("evals") / path


def run_suite(suite: Suite, settings: Settings, out: Path, console: Console) -> SuiteResult:
    out.mkdir(parents=True, exist_ok=True)
    with ModelPool(settings) as pool:
        return pool.run(_run(suite, settings, pool, out, console))


class SuiteResult(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    out: Path
    runs: dict[str, RunSummary]
    evaluation: EvalResult
    ablations: dict[str, list[AblationPoint]] = Field(default_factory=dict)
    """Hypothesis -> its methods' points, for the line plots."""


class AblationPoint(BaseModel):
    label: str
    x: float
    """Personas in the pool (H1), persona words (H2), critic on = 1 (H3)."""
    wd_mean: float
    fro: float


async def _run(
    suite: Suite, settings: Settings, pool: ModelPool, out: Path, console: Console
) -> SuiteResult:
    questionnaire = _questionnaire(suite, out)
    humans = _sample(evals_path(suite.humans), out / "humans.csv", suite) if suite.humans else None
    profiles = (
        _sample(evals_path(suite.profiles), out / "profiles.csv", suite)
        if suite.profiles
        else humans
    )
    runs: dict[str, RunSummary] = {}
    methods: list[MethodInput] = []
    xs: dict[str, float] = {}
    for spec in suite.methods:
        if spec.kind in PERSONA_KINDS:
            run_dir = out / (spec.personas_from or spec.label)
            if spec.personas_from is None:
                runs[spec.label] = await _personas(
                    settings, pool, run_dir, spec, suite.seed, console
                )
                with RunProgress(f"{'demographics':>12}", console, unit="traits") as bar:
                    await fill_demographics(
                        run_dir,
                        pool.model("respondent"),
                        concurrency=settings.respondent.concurrency,
                        on_start=bar.start,
                        on_result=bar.result,
                    )
            personas = _pool(load_personas(run_dir), spec, suite.seed)
            matches = (
                _match(personas, humans, out / f"matches_{spec.label}.csv", suite)
                if humans
                else None
            )
            conditioning: Conditioning = "genagent" if spec.kind == "genagent" else "backstory"
            path = await _survey(
                pool,
                [from_persona(p) for p in personas],
                questionnaire,
                out,
                spec.label,
                conditioning,
                suite.seed,
                console,
            )
            methods.append(MethodInput(spec.label, path, matches))
            xs[spec.label] = _x(spec, personas, suite, settings)
        else:
            assert profiles is not None
            baseline = BASELINES[spec.kind]
            respondents = from_humans(load_humans(profiles), baseline)
            path = await _survey(
                pool, respondents, questionnaire, out, spec.label, baseline, suite.seed, console
            )
            methods.append(MethodInput(spec.label, path))
    persona_dirs = sorted(
        {out / (s.personas_from or s.label) for s in suite.methods if s.kind in PERSONA_KINDS}
    )
    with console.status("scoring against the humans…"):
        evaluation = evaluate(
            methods,
            humans or profiles,
            questionnaire,
            out / "report",
            personas=persona_dirs,
            splits=suite.splits,
            resamples=suite.bootstrap,
            seed=suite.seed,
            rules=Rules(suite.missing, suite.sim_dist),
        )
    result = SuiteResult(
        out=out, runs=runs, evaluation=evaluation, ablations=_ablations(suite, evaluation, xs)
    )
    if result.ablations:
        _write_ablations(result, out / "report")
    drop_stale_report_files(out / "report", result.evaluation.files)
    return result


def _pool(personas: list[Persona], spec: MethodSpec, seed: int) -> list[Persona]:
    """The seeded share of the pool this method uses, cut to its interview depth."""
    if spec.pool_fraction < 1:
        keep = max(1, math.ceil(spec.pool_fraction * len(personas)))
        picked = np.random.default_rng(seed).permutation(len(personas))[:keep]
        personas = [personas[i] for i in sorted(picked)]
    if spec.depth is not None:
        personas = [truncated(p, spec.depth) for p in personas]
    return personas


def _x(spec: MethodSpec, personas: list[Persona], suite: Suite, settings: Settings) -> float:
    if spec.hypothesis == "H1":
        return float(len(personas))
    if spec.hypothesis == "H2":
        return float(np.mean([p.stats.words for p in personas])) if personas else float("nan")
    maker = next(m for m in suite.methods if m.label == (spec.personas_from or spec.label))
    return 1.0 if maker.interview.get("critic", settings.interview.critic) else 0.0


def _ablations(
    suite: Suite, evaluation: EvalResult, xs: dict[str, float]
) -> dict[str, list[AblationPoint]]:
    scores = {m.label: m.overall for m in evaluation.report.methods}
    lines: dict[str, list[AblationPoint]] = {}
    for spec in suite.methods:
        if spec.hypothesis and spec.label in scores:
            score = scores[spec.label]
            lines.setdefault(spec.hypothesis, []).append(
                AblationPoint(
                    label=spec.label, x=xs[spec.label], wd_mean=score.wd_mean, fro=score.fro
                )
            )
    return {h: sorted(points, key=lambda p: p.x) for h, points in sorted(lines.items())}


def _write_ablations(result: SuiteResult, report_dir: Path) -> None:
    from interviewer.evaluation import plots

    body = {h: [p.model_dump() for p in points] for h, points in result.ablations.items()}
    atomic_write_json(report_dir / "ablations.json", json_safe(body))
    result.evaluation.files.append(report_dir / "ablations.json")
    for hypothesis, points in result.ablations.items():
        path = report_dir / f"ablation_{hypothesis}.png"
        plots.ablation_png(hypothesis, [p.model_dump() for p in points], path)
        result.evaluation.files.append(path)


async def _personas(
    settings: Settings,
    pool: ModelPool,
    run_dir: Path,
    spec: MethodSpec,
    seed: int,
    console: Console,
) -> RunSummary:
    interview = interview_settings(settings, spec)
    ctx = InterviewContext(
        interviewer=pool.model("interviewer"),
        persona=pool.model("persona"),
        critic=pool.model("critic"),
        settings=interview,
        words_target=interview.words_target(settings.persona.backend),
    )
    method: Method = "interview" if spec.kind == "interview" else "anthology"
    plan = RunPlan(
        out=run_dir,
        n=spec.n,
        method=method,
        resume=True,
        base_seed=seed,
        concurrency=settings.persona.concurrency,
    )
    with RunProgress(f"{spec.label:>12}", console) as bar:
        return await run_interviews(
            plan, ctx, settings.model_dump(mode="json"), bar.start, bar.result
        )


def interview_settings(settings: Settings, spec: MethodSpec) -> InterviewSettings:
    """The run's interview settings with the method's own block on top, validated."""
    return InterviewSettings.model_validate({**settings.interview.model_dump(), **spec.interview})


def _questionnaire(suite: Suite, out: Path) -> Path:
    source = evals_path(suite.questionnaire)
    load_questionnaire(source)  # fail early, with the file's own message
    if not suite.questions:
        return source
    data = read_yaml_file(source)
    keep = set(suite.questions)
    data["questions"] = [q for q in data["questions"] if q["id"] in keep]
    missing = keep - {q["id"] for q in data["questions"]}
    if missing:
        raise UserInputError(f"suite {suite.id}: questions {sorted(missing)} not in {source}")
    path = out / "questionnaire.yaml"
    atomic_write_text(path, dump_yaml(data))
    return path


def _sample(source: Path, target: Path, suite: Suite) -> Path:
    """The humans file, or a seeded sample of ``suite.sample`` of its rows."""
    if suite.sample is None:
        return source
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    count = min(suite.sample, len(rows))
    picked = sorted(np.random.default_rng(suite.seed).choice(len(rows), count, replace=False))
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[i] for i in picked)
    return target


def _match(personas: list[Persona], humans_csv: Path, out: Path, suite: Suite) -> Path:
    humans = load_humans(humans_csv)
    names = [t for t in suite.match.traits if t in humans.demographics]
    match = suite.match
    match_to_file(personas, humans, names, match.method, suite.seed, out, match.objective)
    return out


async def _survey(
    pool: ModelPool,
    respondents: list[Respondent],
    questionnaire: Path,
    out: Path,
    label: str,
    conditioning: Conditioning,
    seed: int,
    console: Console,
) -> Path:
    path = out / f"responses_{label}.jsonl"
    ctx = SurveyContext(
        model=pool.model("respondent"),
        questionnaire=load_questionnaire(questionnaire),
        seed=seed,
        genagent=conditioning == "genagent",
        debias=pool.settings.survey.debias,
    )
    with RunProgress(f"{'survey ' + label:>12}", console, unit="answers") as bar:
        await run_survey(
            respondents,
            ctx,
            path,
            conditioning,
            resume=True,
            concurrency=pool.settings.respondent.concurrency,
            on_start=bar.start,
            on_result=bar.result,
        )
    return path

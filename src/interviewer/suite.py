"""Eval suites: one YAML file per paper experiment, run end to end in one command.

A suite names a questionnaire, the humans to score against (and/or the human profiles
the demographic baselines are built from), the methods to compare with their sizes, how
to match, and model settings. ``interviewer eval --suite FILE --out DIR`` makes the
personas (resumably), fills their demographics, matches, surveys every method and writes
the report. Paths in a suite are relative to the ``evals/`` folder.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rich.console import Console

from interviewer.demographics import traits
from interviewer.errors import UserInputError
from interviewer.eval_run import EvalResult, MethodInput, evaluate
from interviewer.humans import load_humans
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, RunSummary, run_interviews
from interviewer.interview.state import Method
from interviewer.matching import match, trait_table
from interviewer.paths import resource_dir
from interviewer.personas import load_personas
from interviewer.pool import ModelPool
from interviewer.progress import RunProgress
from interviewer.settings import Settings
from interviewer.storage import atomic_write_text
from interviewer.survey.conditioning import Conditioning, Respondent, from_humans, from_persona
from interviewer.survey.demographics_run import fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.questionnaire import load_questionnaire
from interviewer.survey.runner import run_survey
from interviewer.yaml_io import load_yaml

Kind = Literal["interview", "anthology", "qa", "bio", "portray"]
BASELINES: dict[str, Conditioning] = {"qa": "qa", "bio": "bio", "portray": "portray"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MethodSpec(_Strict):
    label: str
    kind: Kind
    n: int = Field(default=0, ge=0)
    """Personas to make (interview/anthology); baselines use one per human profile."""


class MatchSpec(_Strict):
    method: Literal["maxweight", "greedy", "random"] = "maxweight"
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
    splits: int = 100
    bootstrap: int = 200
    seed: int = 0

    @model_validator(mode="after")
    def _needs(self) -> Suite:
        baselines = [m.label for m in self.methods if m.kind in ("qa", "bio", "portray")]
        if baselines and not (self.profiles or self.humans):
            raise ValueError(f"methods {baselines} need humans or profiles")
        return self


def load_suite(path: Path) -> Suite:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
        return Suite.model_validate(data)
    except FileNotFoundError:
        raise UserInputError(f"{path}: file does not exist") from None
    except yaml.YAMLError:
        raise UserInputError(f"{path}: not valid YAML") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "suite"
        raise UserInputError(f"{path}: {where}: {first['msg']}") from None


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
    for spec in suite.methods:
        kind = spec.kind
        if kind == "interview" or kind == "anthology":
            run_dir = out / spec.label
            runs[spec.label] = await _personas(settings, pool, run_dir, spec, suite.seed, console)
            with RunProgress(f"{'demographics':>12}", console, unit="traits") as bar:
                await fill_demographics(
                    run_dir, pool.model("respondent"), on_start=bar.start, on_result=bar.result
                )
            matches = (
                _match(run_dir, humans, out / f"matches_{spec.label}.csv", suite)
                if humans
                else None
            )
            respondents = [from_persona(p) for p in load_personas(run_dir)]
            path = await _survey(
                pool, respondents, questionnaire, out, spec.label, "backstory", suite.seed, console
            )
            methods.append(MethodInput(spec.label, path, matches))
        else:
            assert profiles is not None
            baseline = BASELINES[spec.kind]
            respondents = from_humans(load_humans(profiles), baseline)
            path = await _survey(
                pool, respondents, questionnaire, out, spec.label, baseline, suite.seed, console
            )
            methods.append(MethodInput(spec.label, path))
    persona_dirs = [out / s.label for s in suite.methods if s.kind in ("interview", "anthology")]
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
        )
    return SuiteResult(out=out, runs=runs, evaluation=evaluation)


async def _personas(
    settings: Settings,
    pool: ModelPool,
    run_dir: Path,
    spec: MethodSpec,
    seed: int,
    console: Console,
) -> RunSummary:
    ctx = InterviewContext(
        interviewer=pool.model("interviewer"),
        persona=pool.model("persona"),
        critic=pool.model("critic"),
        settings=settings.interview,
        words_target=settings.interview.words_target(settings.persona.backend),
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


def _questionnaire(suite: Suite, out: Path) -> Path:
    source = evals_path(suite.questionnaire)
    load_questionnaire(source)  # fail early, with the file's own message
    if not suite.questions:
        return source
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    keep = set(suite.questions)
    data["questions"] = [q for q in data["questions"] if q["id"] in keep]
    missing = keep - {q["id"] for q in data["questions"]}
    if missing:
        raise UserInputError(f"suite {suite.id}: questions {sorted(missing)} not in {source}")
    path = out / "questionnaire.yaml"
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
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


def _match(run_dir: Path, humans_csv: Path, out: Path, suite: Suite) -> Path:
    personas = load_personas(run_dir)
    humans = load_humans(humans_csv)
    canonical = traits()
    options = {t: canonical[t].options for t in suite.match.traits if t in humans.demographics}
    table = trait_table(
        [p.demographics for p in personas], [humans.profile(i) for i in range(len(humans))], options
    )
    result = match(table, suite.match.method, suite.seed)
    rows = ["respondent_id,persona_id,log_weight"] + [
        f"{humans.ids[h]},{personas[p].id},{w:.6f}"
        for h, p, w in zip(result.human_index, result.persona_index, result.log_weight, strict=True)
    ]
    atomic_write_text(out, "\n".join(rows) + "\n")
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
        model=pool.model("respondent"), questionnaire=load_questionnaire(questionnaire), seed=seed
    )
    with RunProgress(f"{'survey ' + label:>12}", console, unit="answers") as bar:
        await run_survey(
            respondents,
            ctx,
            path,
            conditioning,
            resume=True,
            concurrency=4,
            on_start=bar.start,
            on_result=bar.result,
        )
    return path

"""The bodies of the survey-side commands: validate, survey, demographics, match."""

from __future__ import annotations

from pathlib import Path

import yaml
from rich.console import Console

from interviewer.contracts.demographics import traits
from interviewer.contracts.humans import load_humans
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import (
    Questionnaire,
    load_questionnaire,
    questionnaire_problems,
)
from interviewer.contracts.responses import read_responses
from interviewer.errors import InterviewerError, UserInputError
from interviewer.matching import Matching, Method, Objective, match_to_file
from interviewer.pool import ModelPool
from interviewer.progress import RunProgress
from interviewer.settings import Settings, load_settings
from interviewer.survey.conditioning import (
    CONDITIONINGS,
    Conditioning,
    Respondent,
    from_humans,
    from_persona,
)
from interviewer.survey.fill_demographics import DemographicsSummary, fill_demographics
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import SurveySummary, run_survey
from interviewer.yaml_io import load_yaml


def validate_files(
    paths: list[Path], questionnaire: Path | None = None
) -> list[tuple[Path, str, list[str]]]:
    """Each file, what it is and every problem found in it. CSVs and JSONLs are checked
    against ``questionnaire``, else against the questionnaire among ``paths`` (as in
    ``validate my_survey.yaml humans.csv``), with the loaders the commands use."""
    if questionnaire is None:
        questionnaires = [p for p in paths if _is_yaml(p) and _looks_like_questionnaire(p)]
        data = [p for p in paths if p.suffix.lower() in (".csv", ".jsonl")]
        if len(questionnaires) > 1 and data:  # which one the data answer is not ours to guess
            raise UserInputError(
                f"{len(questionnaires)} questionnaires among the files; name the one "
                f"{data[0].name} answers with --questionnaire"
            )
        questionnaire = questionnaires[0] if questionnaires else None
    return [(path, *validate_file(path, questionnaire)) for path in paths]


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml") and path.is_file()


def validate_file(path: Path, questionnaire: Path | None = None) -> tuple[str, list[str]]:
    """What ``path`` is and every problem found in it."""
    if path.is_dir():
        return _checked("persona run", lambda: f"{len(load_personas(path))} personas")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        if _looks_like_questionnaire(path):
            return "questionnaire", questionnaire_problems(path)
        return _checked("settings", lambda: str(load_settings(path) and "valid"))
    if suffix == ".csv":
        return _checked(
            "human responses",
            lambda: f"{len(load_humans(path, _against(questionnaire, path)))} respondents",
        )
    if suffix == ".jsonl":
        return _checked(
            "simulated responses",
            lambda: f"{len(read_responses(path, _against(questionnaire, path)))} lines",
        )
    if suffix == ".json":
        from interviewer.contracts.persona_files import load_persona

        return _checked("persona", lambda: load_persona(path).id)
    return "unknown", [
        f"{path}: cannot tell what this file is (expected .yaml, .csv, .json, .jsonl or a run directory)"
    ]


def _against(questionnaire: Path | None, path: Path) -> Questionnaire | None:
    """The questionnaire to check ``path`` against; its own problems name both files."""
    if questionnaire is None:
        return None
    try:
        return load_questionnaire(questionnaire)
    except UserInputError as exc:
        raise UserInputError(f"{path}: cannot check against {questionnaire}: {exc}") from None


def _looks_like_questionnaire(path: Path) -> bool:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return True  # let the questionnaire check report it
    return isinstance(data, dict) and "questions" in data


def _checked(kind: str, check: object) -> tuple[str, list[str]]:
    assert callable(check)
    try:
        check()
    except InterviewerError as exc:
        return kind, [str(exc)]
    return kind, []


def respondents_for(
    conditioning: Conditioning, run_dir: Path | None, humans: Path | None
) -> list[Respondent]:
    if conditioning not in CONDITIONINGS:
        raise UserInputError(
            f"--conditioning {conditioning!r}: expected one of {list(CONDITIONINGS)}"
        )
    if conditioning in ("backstory", "genagent"):
        if run_dir is None:
            raise UserInputError(f"--conditioning {conditioning} needs the personas' run directory")
        return [from_persona(p) for p in load_personas(run_dir)]
    if humans is None:
        raise UserInputError(
            f"--conditioning {conditioning} needs --humans H.csv (one profile per human)"
        )
    baseline: Conditioning = (
        "qa" if conditioning == "qa" else ("bio" if conditioning == "bio" else "portray")
    )
    return from_humans(load_humans(humans), baseline)


def survey(
    settings: Settings,
    console: Console,
    respondents: list[Respondent],
    questionnaire: Path,
    out: Path,
    conditioning: Conditioning,
    *,
    resume: bool,
    concurrency: int,
    carry_answers: bool,
    samples: int,
    seed: int,
) -> SurveySummary:
    q = load_questionnaire(questionnaire)
    with ModelPool(settings, roles=("respondent",)) as pool:
        ctx = SurveyContext(
            model=pool.model("respondent"),
            questionnaire=q,
            carry_answers=carry_answers,
            samples=samples,
            seed=seed,
            genagent=conditioning == "genagent",
            debias=settings.survey.debias,
        )
        with RunProgress("respondents", console, unit="answers") as bar:
            return pool.run(
                run_survey(
                    respondents,
                    ctx,
                    out,
                    conditioning,
                    resume=resume,
                    concurrency=concurrency,
                    settings_dump=settings.model_dump(mode="json"),
                    on_start=bar.start,
                    on_result=bar.result,
                )
            )


def demographics(
    settings: Settings,
    console: Console,
    run_dir: Path,
    *,
    force: bool,
    concurrency: int,
    samples: int,
    seed: int,
) -> DemographicsSummary:
    with (
        ModelPool(settings, roles=("respondent",)) as pool,
        RunProgress("personas", console, unit="traits") as bar,
    ):
        return pool.run(
            fill_demographics(
                run_dir,
                pool.model("respondent"),
                concurrency=concurrency,
                force=force,
                samples=samples,
                seed=seed,
                on_start=bar.start,
                on_result=bar.result,
            )
        )


def match_run(
    run_dir: Path,
    humans_path: Path,
    method: Method,
    out: Path,
    seed: int,
    trait_names: list[str] | None,
    objective: Objective = "weight",
) -> Matching:
    personas = load_personas(run_dir)
    humans = load_humans(humans_path)
    canonical = traits()
    names = trait_names or [t for t in canonical if t in humans.demographics]
    unknown = [t for t in names if t not in canonical]
    if unknown:
        raise UserInputError(f"--traits {unknown}: not canonical traits ({list(canonical)})")
    if not names:
        raise UserInputError(f"{humans_path}: no canonical demographic columns to match on")
    return match_to_file(personas, humans, names, method, seed, out, objective)

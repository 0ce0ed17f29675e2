"""``interviewer validate``: every problem in the files, before a run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml

from interviewer.cli._common import console
from interviewer.contracts.persona_files import load_persona, load_personas
from interviewer.contracts.questionnaire import load_questionnaire, questionnaire_problems
from interviewer.contracts.responses import read_responses
from interviewer.errors import InterviewerError, UserInputError
from interviewer.settings import load_settings
from interviewer.yaml_io import load_yaml

if TYPE_CHECKING:
    from interviewer.contracts.questionnaire import Questionnaire


def command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Questionnaire YAML, settings YAML, "
            "human-responses CSV, persona JSON, responses JSONL or a run directory."
        ),
    ],
    questionnaire: Annotated[
        Path | None,
        typer.Option(
            "--questionnaire",
            dir_okay=False,
            help="Check a human CSV's question columns against this.",
        ),
    ] = None,
) -> None:
    """Check files before a run: every problem, each naming the file, question and field."""
    bad = 0
    for path, kind, problems in validate_files(files, questionnaire):
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            bad += 1
        else:
            console.print(f"[green]ok[/] {path} ({kind})")
    if bad:
        raise typer.Exit(2)


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
    from interviewer.contracts.humans import load_humans  # numpy: only when checking

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

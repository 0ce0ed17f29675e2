"""``interviewer export``: a run, a responses file or a suite's output as CSV or
Parquet tables, for R, Stata, SPSS and pandas users.

What is exported depends on what ``source`` is:

- a responses JSONL: ``responses`` (long, or ``--wide``), and ``codebook`` (question
  id, text, option index and label) when the questionnaire is known;
- a persona run directory: ``personas`` (one row per persona) and ``transcripts``
  (one row per turn);
- a report folder (``report.json``): every report table;
- a suite's (or the demo's) output folder: all of the above for each method, each
  method's ``matches``, and every report table (``report_methods``, ...).

The questionnaire (for labels and the codebook) is the one given, else the suite's copy
beside the responses, else the shipped questionnaire whose id the responses' metadata
names. In CSV, list and dict cells (``probs``, ``age_probs``) are JSON text; Parquet
keeps them typed (lists, structs), ids are strings and answers nullable integers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from interviewer.contracts.persona_files import load_personas, persona_files
from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.errors import UserInputError
from interviewer.paths import resource_dir
from interviewer.tables import (
    matches_frame,
    pandas,
    personas_frame,
    report_tables,
    require_pyarrow,
    responses_frame,
    transcripts_frame,
)

if TYPE_CHECKING:
    import pandas as pd

Format = Literal["csv", "parquet"]


def export_tables(
    source: Path,
    *,
    questionnaire: Questionnaire | None = None,
    wide: bool = False,
    labels: bool = False,
) -> dict[str, pd.DataFrame]:
    """Table name -> frame for ``source`` (a responses JSONL, a run dir or a suite dir)."""
    if source.is_file():
        return _responses_tables(source, questionnaire, wide, labels, "")
    if not source.is_dir():
        raise UserInputError(f"{source}: no such file or directory")
    if (source / "manifest.json").is_file() or (
        persona_files(source) and not (source / "report.json").is_file()
    ):
        personas = load_personas(source)
        return {"personas": personas_frame(personas), "transcripts": transcripts_frame(personas)}
    if list(source.glob("responses_*.jsonl")) or (source / "report" / "report.json").is_file():
        return _suite_tables(source, questionnaire, wide, labels)
    if (source / "report.json").is_file():
        body = json.loads((source / "report.json").read_text(encoding="utf-8"))
        return {
            f"report_{name}": frame for name, frame in report_tables(body, questionnaire).items()
        }
    raise UserInputError(
        f"{source}: not a responses file, a persona run directory, a report folder or a "
        "suite's output folder"
    )


def _responses_tables(
    path: Path, questionnaire: Questionnaire | None, wide: bool, labels: bool, suffix: str
) -> dict[str, pd.DataFrame]:
    q = questionnaire or find_questionnaire(path)
    if labels and q is None:
        raise UserInputError(
            f"{path}: --labels needs the questionnaire; give it with --questionnaire"
        )
    records = read_responses(path, q)
    name = "responses_wide" if wide else "responses"
    tables = {name + suffix: responses_frame(records, q, wide=wide, labels=labels)}
    if q is not None:
        tables["codebook"] = codebook(q)
    return tables


def _suite_tables(
    folder: Path, questionnaire: Questionnaire | None, wide: bool, labels: bool
) -> dict[str, pd.DataFrame]:
    q = questionnaire or _suite_questionnaire(folder)
    tables: dict[str, pd.DataFrame] = {}
    for path in sorted(folder.glob("responses_*.jsonl")):
        label = path.stem.removeprefix("responses_")
        tables |= _responses_tables(path, q, wide, labels, f"_{label}")
    for run in sorted(d for d in folder.iterdir() if (d / "manifest.json").is_file()):
        personas = load_personas(run)
        tables[f"personas_{run.name}"] = personas_frame(personas)
        tables[f"transcripts_{run.name}"] = transcripts_frame(personas)
    for path in sorted(folder.glob("matches_*.csv")):
        tables[path.stem] = matches_frame(path)
    report = folder / "report" / "report.json"
    if report.is_file():
        body = json.loads(report.read_text(encoding="utf-8"))
        for name, frame in report_tables(body, q).items():
            tables[f"report_{name}"] = frame
    return tables


def _suite_questionnaire(folder: Path) -> Questionnaire | None:
    copy = folder / "questionnaire.yaml"
    if copy.is_file():
        return load_questionnaire(copy)
    first = next(iter(sorted(folder.glob("responses_*.jsonl"))), None)
    return find_questionnaire(first) if first is not None else None


def find_questionnaire(responses: Path) -> Questionnaire | None:
    """The suite's copy beside ``responses``, or the shipped questionnaire whose id its
    ``.meta.json`` names; None when neither is found."""
    beside = responses.parent / "questionnaire.yaml"
    if beside.is_file():
        return load_questionnaire(beside)
    meta = responses.with_name(responses.name + ".meta.json")
    if not meta.is_file():
        return None
    wanted = json.loads(meta.read_text(encoding="utf-8")).get("questionnaire")
    for path in sorted(resource_dir("evals").rglob("*.yaml")):
        if f"id: {wanted}\n" in path.read_text(encoding="utf-8"):
            found = load_questionnaire(path)
            if found.id == wanted:
                return found
    return None


def codebook(questionnaire: Questionnaire) -> pd.DataFrame:
    """One row per question × option: id, text, 0-based option index, option label."""
    rows = [
        {"question_id": q.id, "text": q.text, "option": k, "label": label}
        for q in questionnaire.questions
        for k, label in enumerate(q.options)
    ]
    frame: pd.DataFrame = pandas().DataFrame(
        rows, columns=["question_id", "text", "option", "label"]
    )
    return frame


def write_tables(tables: dict[str, pd.DataFrame], out: Path, fmt: Format) -> list[Path]:
    """Each table as ``out/<name>.csv`` or ``.parquet``; returns the files written."""
    if fmt == "parquet":
        require_pyarrow()
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[str, Callable[[pd.DataFrame, Path], None]] = {
        "csv": _write_csv,
        "parquet": _write_parquet,
    }
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        writers[fmt](frame, path)
        written.append(path)
    return written


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, list | dict)).any():
            flat[column] = flat[column].map(_json_cell)
    flat.to_csv(path, index=False)


def _json_cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)

"""``interviewer export``: a run, a responses file or a suite's output as CSV/Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from interviewer.cli._common import console
from interviewer.paths import WRITABLE_FIX, writable_dir


def command(
    source: Annotated[
        Path,
        typer.Argument(
            help="A responses JSONL, a persona run directory, a report folder, or a suite's "
            "(demo's) output folder."
        ),
    ],
    fmt: Annotated[
        Literal["csv", "parquet"], typer.Option("--format", help="csv or parquet.")
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option("--out", file_okay=False, help="Folder to write (default: SOURCE-export)."),
    ] = None,
    wide: Annotated[
        bool,
        typer.Option("--wide", help="Responses one row per respondent, a column per question."),
    ] = False,
    labels: Annotated[
        bool, typer.Option("--labels", help="Option labels instead of 0-based option indices.")
    ] = False,
    questionnaire: Annotated[
        Path | None,
        typer.Option(
            "--questionnaire",
            "-q",
            dir_okay=False,
            help="The responses' questionnaire (default: the suite's copy, or the shipped "
            "one their .meta.json names).",
        ),
    ] = None,
) -> None:
    """Write tidy tables (personas, transcripts, responses, matches, report tables) as
    CSV or Parquet, with a codebook of the questionnaire's labels, for R, Stata and pandas."""
    from interviewer.contracts.questionnaire import load_questionnaire
    from interviewer.exports import export_tables, write_tables

    q = load_questionnaire(questionnaire) if questionnaire is not None else None
    tables = export_tables(source, questionnaire=q, wide=wide, labels=labels)
    # Only once there is something to write: a bad SOURCE leaves no empty folder.
    target = writable_dir(out or source.with_name(source.stem + "-export"), "--out", WRITABLE_FIX)
    for path in write_tables(tables, target, fmt):
        console.print(f"wrote {path} ({len(tables[path.stem])} rows)")

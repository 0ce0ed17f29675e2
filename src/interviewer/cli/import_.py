"""``interviewer import``: survey data into a human-responses CSV and its questionnaire."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interviewer.cli._common import console
from interviewer.errors import UserInputError
from interviewer.paths import WRITABLE_FIX, writable_dir


def command(
    dataset: Annotated[
        str,
        typer.Argument(
            help="cces (CCES 2018 sample), anes (ANES 1996), "
            "gss (GSS 2022), or atp (your own file + --mapping)."
        ),
    ],
    source: Annotated[
        Path,
        typer.Argument(
            help="The dataset's folder (e.g. ../shared/data/cces2018), or your .sav/.csv file."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Where to write NAME.csv and NAME.yaml.")
    ] = Path("evals/humans"),
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            dir_okay=False,
            help="For atp: YAML naming the id, weight, demographic and question columns "
            "(a commented example: evals/mappings/atp_example.yaml).",
        ),
    ] = None,
) -> None:
    """Convert survey data into a human-responses CSV and its questionnaire."""
    from interviewer.importers import IMPORTERS

    writable_dir(out, "--out", WRITABLE_FIX)
    if dataset == "atp":
        from interviewer.importers import mapped

        if mapping is None:
            raise UserInputError(
                "import atp needs --mapping MAP.yaml (see `interviewer import --help`)"
            )
        name, converted = mapped.convert(source, mapping)
        origin = f"Converted by `interviewer import atp {source.name} --mapping {mapping.name}`."
    elif dataset in IMPORTERS:
        name, convert = IMPORTERS[dataset]
        converted = convert(source)
        origin = f"Converted by `interviewer import {dataset}`; origin in evals/ORIGIN.md."
    else:
        raise UserInputError(f"dataset {dataset!r}: expected atp or one of {sorted(IMPORTERS)}")
    csv_path, yaml_path = converted.write(out, name, origin)
    console.print(f"{len(converted.rows):,} respondents → {csv_path} (+ {yaml_path})")

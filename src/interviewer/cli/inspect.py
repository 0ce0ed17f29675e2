"""``interviewer inspect``: browse a run's personas in a terminal app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interviewer.errors import UserInputError


def command(
    run_dir: Annotated[
        Path, typer.Argument(help="A run directory of persona files.", file_okay=False)
    ],
    responses: Annotated[
        Path | None,
        typer.Option(
            "--responses",
            dir_okay=False,
            help="Survey responses JSONL to show beside each persona.",
        ),
    ] = None,
) -> None:
    """Browse personas in a terminal app: transcripts, critic verdicts, demographics."""
    from interviewer.tui.app import InspectApp

    if not run_dir.is_dir():
        raise UserInputError(f"{run_dir}: not a directory")
    InspectApp(run_dir, responses).run()

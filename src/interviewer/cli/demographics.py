"""``interviewer demographics``: a distribution per demographic trait for each persona."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from interviewer.cli._common import console, with_settings
from interviewer.errors import InterviewerError
from interviewer.settings import Settings

if TYPE_CHECKING:  # langchain loads only when the personas are asked
    from interviewer.survey.fill_demographics import DemographicsSummary


@with_settings
def command(
    run_dir: Annotated[Path, typer.Argument(help="Personas' run directory.", file_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Ask again where filled.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Personas in flight (default: respondent.concurrency)."
        ),
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=1)] = 20,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    *,
    settings: Settings,
) -> None:
    """Ask each persona the demographic questions; store a distribution per trait."""
    summary = demographics(
        settings,
        console,
        run_dir,
        force=force,
        concurrency=concurrency or settings.respondent.concurrency,
        samples=samples,
        seed=seed,
    )
    console.print(f"{summary.filled} personas filled, {summary.skipped} already had demographics")
    for pid, reason in summary.failed.items():
        console.print(f"[red]failed[/] {pid}: {reason}")
    if summary.failed:
        raise InterviewerError(f"{len(summary.failed)} persona(s) failed; run the command again")


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
    from interviewer.api import afill_demographics
    from interviewer.pool import run_loop

    run = run_loop(
        afill_demographics(
            run_dir,
            settings=settings,
            force=force,
            concurrency=concurrency,
            samples=samples,
            seed=seed,
            console=console,
            raise_on_failure=False,
        )
    )
    assert run.demographics is not None  # afill_demographics always fills it in
    return run.demographics

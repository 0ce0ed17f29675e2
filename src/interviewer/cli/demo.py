"""``interviewer demo``: the whole pipeline, end to end, on the embedded backend."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from interviewer.cli._common import GivenSettings, console, with_settings
from interviewer.paths import WRITABLE_FIX, writable_dir


@with_settings
def command(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", file_okay=False, help="Where to write the run (default: runs/demo-<time>)."
        ),
    ] = None,
    interviews: Annotated[
        int, typer.Option("--interviews", min=1, help="Deep-binding interviews.")
    ] = 2,
    backstories: Annotated[
        int, typer.Option("--backstories", min=1, help="Anthology backstories.")
    ] = 4,
    humans: Annotated[
        int,
        typer.Option(
            "--humans",
            min=4,
            help="CCES respondents sampled (each also a QA/Bio/Portray respondent).",
        ),
    ] = 12,
    questions: Annotated[
        int, typer.Option("--questions", min=2, max=6, help="CCES items asked.")
    ] = 6,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    *,
    given: GivenSettings,
) -> None:
    """The main job, end to end, on the default (embedded) backend, in under ten minutes.

    Interviews personas and collects Anthology backstories, surveys their demographics,
    matches CCES 2018 respondents to them, surveys every method on CCES items (with the
    QA/Bio/Portray demographic baselines built from the same humans) and scores all of
    them against the humans' real answers: a table, report.json and PNG plots.
    """
    import datetime as dt

    from interviewer.api import arun_suite
    from interviewer.cli.views import demo_report
    from interviewer.pool import run_loop
    from interviewer.study.demo import DemoSizes, demo_result, demo_suite

    target = writable_dir(
        out or Path("runs") / f"demo-{dt.datetime.now():%Y%m%d-%H%M%S}", "--out", WRITABLE_FIX
    )
    started = time.perf_counter()
    sizes = DemoSizes(interviews, backstories, humans, questions, seed)
    ran = run_loop(
        arun_suite(
            demo_suite(sizes),
            target,
            settings=given.file,
            overrides=given.overrides,
            console=console,
        )
    )
    assert ran.result is not None  # arun_suite always keeps the study's result
    console.print(demo_report(demo_result(ran.result), time.perf_counter() - started))

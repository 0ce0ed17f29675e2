"""``interviewer slurm``: write an sbatch array script that makes a run, one shard per task."""

from __future__ import annotations

import functools
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from interviewer.cli._common import GivenSettings, console, with_settings
from interviewer.interview.state import Method


@with_settings
def command(
    n: Annotated[int, typer.Option("--n", min=1, help="How many personas, in all.")],
    out: Annotated[
        Path,
        typer.Option("--out", help="Run directory on storage every node sees.", file_okay=False),
    ],
    shards: Annotated[int, typer.Option("--shards", min=1, help="Array tasks, one shard each.")],
    method: Annotated[Method, typer.Option("--method", help="interview or anthology.")] = (
        "interview"
    ),
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="Interviews in flight per task.")
    ] = None,
    seed_texts: Annotated[
        Path | None, typer.Option("--seed-texts", dir_okay=False, help="As for interview.")
    ] = None,
    target_words: Annotated[
        int | None, typer.Option("--target-words", min=50, help="As for interview.")
    ] = None,
    partition: Annotated[str | None, typer.Option("--partition", help="#SBATCH.")] = None,
    account: Annotated[str | None, typer.Option("--account", help="#SBATCH.")] = None,
    time: Annotated[str | None, typer.Option("--time", help="#SBATCH, e.g. 24:00:00.")] = None,
    gpus_per_task: Annotated[
        int | None, typer.Option("--gpus-per-task", min=0, help="#SBATCH (a started engine).")
    ] = None,
    cpus_per_task: Annotated[
        int | None, typer.Option("--cpus-per-task", min=1, help="#SBATCH.")
    ] = None,
    mem: Annotated[str | None, typer.Option("--mem", help="#SBATCH, e.g. 64G.")] = None,
    sbatch: Annotated[
        list[str] | None,
        typer.Option("--sbatch", help="Any other #SBATCH option, e.g. --sbatch=--qos=high."),
    ] = None,
    *,
    given: GivenSettings,
) -> None:
    """Write OUT/interview.sbatch: task I runs `interviewer interview --shard I/SHARDS
    --out OUT` with these settings (each task starts its engine, or attaches to
    base_url), a node-local response cache and a log per task in OUT/logs."""
    from interviewer.api import write_slurm_script
    from interviewer.slurm import engines

    options = {
        "--partition": partition,
        "--account": account,
        "--time": time,
        "--gpus-per-task": gpus_per_task,
        "--cpus-per-task": cpus_per_task,
        "--mem": mem,
    }
    directives = [f"{k}={v}" for k, v in options.items() if v is not None] + list(sbatch or [])
    path = write_slurm_script(
        out,
        n,
        shards,
        settings=given.file,
        overrides=given.overrides,
        method=method,
        concurrency=concurrency,
        seed_texts=seed_texts,
        target_words=target_words,
        sbatch=directives,
    )
    settings = given.build()
    say = functools.partial(console.print, soft_wrap=True)  # commands stay copyable
    say(f"wrote [bold]{escape(str(path))}[/]: {shards} array task(s), {n:,} personas")
    for line in engines(settings):
        say(f"  {escape(line)}")
    if "cache_dir" in settings.model_fields_set:
        say(
            f"[yellow]cache_dir is set ({escape(str(settings.cache_dir))}): every task uses "
            "it; on a shared filesystem that is one SQLite file written by many hosts, "
            "which is unsafe. Leave cache_dir unset for a node-local cache per task.[/]"
        )
    run = shlex.quote(str(out.resolve()))
    say(f"submit:  sbatch {escape(shlex.quote(str(path)))}")
    say(f"watch:   interviewer status {escape(run)}   (and squeue --me)")
    say(f"try one task here first:  SLURM_ARRAY_TASK_ID=0 bash {escape(shlex.quote(str(path)))}")

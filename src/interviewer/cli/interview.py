"""``interviewer interview``: settings in, a run directory of persona files out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from interviewer.cli._common import MaxTokensOpt, MaxUsdOpt, console, with_settings
from interviewer.errors import InterviewerError, UserInputError
from interviewer.interview.state import Method
from interviewer.paths import WRITABLE_FIX, writable_dir
from interviewer.settings import Settings
from interviewer.usage import Budget

if TYPE_CHECKING:  # langchain loads only when an interview runs
    from interviewer.interview.runner import RunSummary


@with_settings
def command(
    n: Annotated[int, typer.Option("--n", min=1, help="How many personas.")] = 2,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Run directory (default: personas/run-<time>).", file_okay=False
        ),
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="interview (deep binding, AVP "
            "questions + critic) or anthology (one open question).",
        ),
    ] = "interview",
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Finish the missing personas of an existing run directory."),
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Interviews in flight (default: persona.concurrency)."
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="I/N: make only every N-th "
            "persona starting at I (for several machines on shared storage).",
        ),
    ] = None,
    seed_texts: Annotated[
        Path | None,
        typer.Option(
            "--seed-texts",
            dir_okay=False,
            help="Text file, one steering description per line "
            "(e.g. 'a retired nurse in Ohio'); off by default.",
        ),
    ] = None,
    target_words: Annotated[
        int | None,
        typer.Option(
            "--target-words", min=50, help="Words per persona (default 2,500; 600 embedded)."
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Orchestrator processes sharing the run and its one engine; what may be "
            "in flight is split between them (with --shard: they split the shard).",
        ),
    ] = 1,
    max_usd: MaxUsdOpt = None,
    max_tokens: MaxTokensOpt = None,
    *,
    settings: Settings,
) -> None:
    """Interview N personas into DIR: one JSON file each, resumable."""
    run_interview_command(
        settings,
        console,
        n=n,
        out=out,
        method=method,
        resume=resume,
        concurrency=concurrency,
        shard=shard,
        seed_texts=seed_texts,
        target_words=target_words,
        budget=Budget(max_usd, max_tokens),
        workers=workers,
    )


def run_interview_command(
    settings: Settings,
    console: Console,
    *,
    n: int,
    out: Path | None,
    method: Method,
    resume: bool,
    concurrency: int | None,
    shard: str | None,
    seed_texts: Path | None,
    target_words: int | None = None,
    budget: Budget | None = None,
    workers: int = 1,
) -> RunSummary:
    from interviewer.api import amake_personas
    from interviewer.interview.lengths import run_length_lines
    from interviewer.interview.runner import parse_shard
    from interviewer.pool import run_loop

    target = out or default_out_dir()
    if resume and not (target / "manifest.json").is_file():
        raise UserInputError(
            f"--resume: {target} holds no run (no manifest.json), nothing to resume; "
            "drop --resume to start one"
        )
    writable_dir(target, "--out", WRITABLE_FIX)  # before the models take minutes to start
    run = run_loop(
        amake_personas(
            target,
            n,
            method=method,
            settings=settings,
            target_words=target_words,
            resume=resume,
            concurrency=concurrency,
            seed_texts=read_seed_texts(seed_texts),
            shard=parse_shard(shard) if shard else None,
            console=console,
            budget=budget,
            raise_on_failure=False,
            workers=workers,
        )
    )
    assert run.summary is not None  # amake_personas always fills it in
    summary = run.summary
    console.print(
        f"[bold]{summary.done}[/] made, [red]{summary.failed}[/] failed, "
        f"{summary.done_before} already there · {summary.tokens:,} tokens in "
        f"{summary.seconds:.0f} s → {target}"
    )
    if target_words is not None:  # what the run was told, as amake_personas applied it
        settings.interview.target_words = target_words
    for line in run_length_lines(target, method, settings):
        console.print(f"[yellow]{line}[/]" if line.startswith("warning") else line)
    if summary.failed:
        raise InterviewerError(
            f"{summary.failed} persona(s) failed; reasons are in {target / 'failed'}, "
            "--resume tries them again"
        )
    return summary


def default_out_dir() -> Path:
    return Path("personas") / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}"


def read_seed_texts(path: Path | None) -> tuple[str, ...]:
    if path is None:
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserInputError(f"--seed-texts {path} does not exist") from None
    except UnicodeDecodeError:
        raise UserInputError(f"--seed-texts {path} is not UTF-8 text") from None
    texts = tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    if not texts:
        raise UserInputError(f"--seed-texts {path} has no lines")
    return texts

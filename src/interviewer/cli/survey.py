"""``interviewer survey``: ask every respondent a questionnaire, one JSONL line per answer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from interviewer.cli._common import MaxTokensOpt, MaxUsdOpt, console, with_settings
from interviewer.contracts.choices import Conditioning
from interviewer.errors import InterviewerError, UserInputError
from interviewer.paths import WRITABLE_FIX, writable_dir
from interviewer.settings import DebiasScheme, Settings
from interviewer.usage import Budget

if TYPE_CHECKING:  # langchain and numpy load only when a survey runs
    from interviewer.survey.runner import SurveySummary


@with_settings
def command(
    run_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Personas' run directory (for --conditioning backstory).", file_okay=False
        ),
    ] = None,
    questionnaire: Annotated[
        Path, typer.Option("--questionnaire", "-q", dir_okay=False, help="Questionnaire YAML.")
    ] = Path("questionnaire.yaml"),
    out: Annotated[
        Path, typer.Option("--out", dir_okay=False, help="Responses JSONL to write.")
    ] = Path("responses.jsonl"),
    conditioning: Annotated[
        Conditioning,
        typer.Option(
            "--conditioning",
            help="backstory (the persona's "
            "transcript) or a demographic baseline: qa, bio, portray.",
        ),
    ] = "backstory",
    humans: Annotated[
        Path | None,
        typer.Option(
            "--humans",
            dir_okay=False,
            help="Human responses CSV: one profile per human for qa/bio/portray.",
        ),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an existing --out.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Respondents in flight (default: respondent.concurrency)."
        ),
    ] = None,
    carry_answers: Annotated[
        bool,
        typer.Option(
            "--carry-answers", help="Show each respondent its earlier answers (sequential survey)."
        ),
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=1,
            help="Sampled answers per option order when the endpoint gives no logprobs.",
        ),
    ] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed for drawn answers.")] = 0,
    debias: Annotated[
        DebiasScheme | None,
        typer.Option(
            "--debias",
            help="Option orders against letter-position bias (setting survey.debias): "
            "reversed (listed + reversed, the papers'), cyclic (all K rotations: a position "
            "bias cancels; K calls per question) or random (one seeded order per answer, "
            "the Anthology code's). Default: the questionnaire's orders. A question's own "
            "orders always win; each answer records its scheme.",
        ),
    ] = None,
    max_usd: MaxUsdOpt = None,
    max_tokens: MaxTokensOpt = None,
    *,
    settings: Settings,
) -> None:
    """Ask every respondent a questionnaire; write one JSONL line per respondent × question."""
    if resume and not out.is_file():
        raise UserInputError(f"--resume: {out} does not exist, nothing to resume; drop --resume")
    writable_dir(out.parent, "--out", WRITABLE_FIX)
    summary = survey(
        settings,
        console,
        run_dir,
        humans,
        questionnaire,
        out,
        conditioning,
        resume=resume,
        concurrency=concurrency or settings.respondent.concurrency,
        carry_answers=carry_answers,
        samples=samples,
        seed=seed,
        debias=debias,
        budget=Budget(max_usd, max_tokens),
    )
    console.print(
        f"{summary.answered} answers from {summary.respondents - summary.skipped} "
        f"respondents in {summary.seconds:.0f} s → {out}"
    )
    _report_letter_mass(out)
    if summary.not_asked:
        console.print(
            f"[yellow]{summary.not_asked} respondent(s) not asked anything[/]: outside the "
            "questionnaire's audience, or no Democrat/Republican lean to fill {IN}/{OUT} "
            "(no demographics yet: run interviewer demographics; or an exact party tie)"
        )
    if summary.failed:
        for rid, reason in summary.failed.items():
            console.print(f"[red]failed[/] {rid}: {reason}")
        raise InterviewerError(
            f"{len(summary.failed)} respondent(s) failed; --resume asks them again"
        )


def survey(
    settings: Settings,
    console: Console,
    run_dir: Path | None,
    humans: Path | None,
    questionnaire: Path,
    out: Path,
    conditioning: Conditioning,
    *,
    resume: bool,
    concurrency: int,
    carry_answers: bool,
    samples: int,
    seed: int,
    debias: DebiasScheme | None = None,
    budget: Budget | None = None,
) -> SurveySummary:
    from interviewer.api import arun_survey
    from interviewer.pool import run_loop

    responses = run_loop(
        arun_survey(
            questionnaire,
            out,
            run=run_dir,
            conditioning=conditioning,
            humans=humans,
            settings=settings,
            resume=resume,
            concurrency=concurrency,
            carry_answers=carry_answers,
            samples=samples,
            seed=seed,
            debias=debias,
            console=console,
            budget=budget,
            raise_on_failure=False,
        )
    )
    assert responses.summary is not None  # arun_survey always fills it in
    return responses.summary


def _report_letter_mass(out: Path) -> None:
    from interviewer.contracts.responses import letter_mass_line, read_responses

    line = letter_mass_line(read_responses(out)) if out.exists() else None
    if line:
        console.print(line)

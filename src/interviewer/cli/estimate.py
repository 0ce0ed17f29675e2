"""``interviewer estimate``: calls, tokens, time and money an interview run will take."""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from interviewer.cli._common import console, with_settings
from interviewer.contracts.choices import Conditioning
from interviewer.errors import UserInputError
from interviewer.interview.state import Method
from interviewer.settings import Settings

if TYPE_CHECKING:  # langchain loads only when the estimate runs
    from interviewer.estimate import Assumptions, Estimate, Pace
    from interviewer.survey.conditioning import Respondent


@with_settings
def command(
    n: Annotated[
        int | None, typer.Option("--n", min=1, help="Personas the run will make (default 2).")
    ] = None,
    method: Annotated[Method, typer.Option("--method", help="interview or anthology.")] = (
        "interview"
    ),
    pilot: Annotated[
        int | None,
        typer.Option(
            "--pilot",
            min=1,
            help="Interview K personas for real (the configured models) and scale what "
            "they spent; without it, the estimate comes from the settings alone.",
        ),
    ] = None,
    target_words: Annotated[
        int | None, typer.Option("--target-words", min=50, help="As interview --target-words.")
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, help="Interviews in flight (default: persona's)."),
    ] = None,
    latency: Annotated[
        float | None,
        typer.Option("--latency", min=0.0, help="Seconds per call (default: the pilot's, or 1)."),
    ] = None,
    token_latency: Annotated[
        float, typer.Option("--token-latency", min=0.0, help="Seconds per generated token.")
    ] = 0.0,
    followup_rate: Annotated[
        float,
        typer.Option("--followup-rate", min=0.0, max=1.0, help="Assumed share of probes."),
    ] = 0.5,
    flag_rate: Annotated[
        float,
        typer.Option("--flag-rate", min=0.0, max=1.0, help="Assumed share of flagged answers."),
    ] = 0.1,
    answer_fill: Annotated[
        float,
        typer.Option(
            "--answer-fill", min=0.0, max=1.0, help="Assumed share of an answer's budget used."
        ),
    ] = 1.0,
    questionnaire: Annotated[
        Path | None,
        typer.Option(
            "--questionnaire",
            "-q",
            dir_okay=False,
            help="Also estimate a survey of the personas (or of --personas / --humans).",
        ),
    ] = None,
    personas: Annotated[
        Path | None,
        typer.Option("--personas", file_okay=False, help="Survey these personas (no interviews)."),
    ] = None,
    conditioning: Annotated[
        Conditioning, typer.Option("--conditioning", help="As survey --conditioning.")
    ] = "backstory",
    humans: Annotated[
        Path | None,
        typer.Option("--humans", dir_okay=False, help="As survey --humans (qa, bio, portray)."),
    ] = None,
    no_logprobs: Annotated[
        bool,
        typer.Option("--no-logprobs", help="Assume no logprobs: --samples calls per order."),
    ] = False,
    samples: Annotated[int, typer.Option("--samples", min=1, help="As survey --samples.")] = 20,
    *,
    settings: Settings,
) -> None:
    """Estimate a run: calls, tokens sent, prefix-cache prefill, time and money, for N
    interviews (from the settings, or a --pilot) and, with -q, the survey after them."""
    from interviewer.estimate import Assumptions, Pace, pilot_estimate, simulate
    from interviewer.pool import run_loop

    if target_words is not None:
        settings.interview.target_words = target_words
    if conditioning == "genagent":
        raise UserInputError("estimate does not model --conditioning genagent's reasoning calls")
    survey_only = personas is not None or conditioning != "backstory"
    _refuse_unused(
        questionnaire is not None,
        survey_only,
        {"--n": n, "--pilot": pilot},
        {"--personas": personas, "--humans": humans, "--no-logprobs": no_logprobs or None},
    )
    pace = Pace(concurrency or settings.persona.concurrency, latency, token_latency)
    how = Assumptions(followup_rate, flag_rate, answer_fill)
    n = n or 2
    if questionnaire is not None and survey_only:
        from interviewer.api import survey_respondents

        respondents = survey_respondents(conditioning, personas, humans)
        asked = _survey(settings, respondents, questionnaire, pace, how, no_logprobs, samples)
        console.print(estimate_table(run_loop(asked), settings))
        return
    if pilot is None:
        estimate = run_loop(simulate(settings, n, method, pace, how))
    else:
        with console.status("starting the models…"):
            estimate = pilot_estimate(settings, n, pilot, method, pace)
    if questionnaire is not None:
        asked = _survey(
            settings, estimate.personas, questionnaire, pace, how, no_logprobs, samples, total=n
        )
        estimate = estimate.then(run_loop(asked))
    console.print(estimate_table(estimate, settings))


def _refuse_unused(
    survey: bool, survey_only: bool, interview: dict[str, object], asked: dict[str, object]
) -> None:
    """A flag the estimate would not use is an error, not silently dropped."""
    if not survey:
        unused = [flag for flag, value in asked.items() if value is not None]
        if unused:
            raise UserInputError(f"{', '.join(unused)} describe a survey; give -q QUESTIONNAIRE")
    elif survey_only:
        unused = [flag for flag, value in interview.items() if value is not None]
        if unused:
            raise UserInputError(
                f"{', '.join(unused)}: no interviews to estimate when the survey's "
                "respondents are given (--personas, or a --conditioning baseline)"
            )


def _survey(
    settings: Settings,
    respondents: Sequence[Respondent],
    questionnaire: Path,
    pace: Pace,
    how: Assumptions,
    no_logprobs: bool,
    samples: int,
    *,
    total: int | None = None,
) -> Coroutine[Any, Any, Estimate]:
    from interviewer.contracts.questionnaire import load_questionnaire
    from interviewer.estimate import Pace, simulate_survey

    return simulate_survey(
        settings,
        respondents,
        load_questionnaire(questionnaire),
        Pace(settings.respondent.concurrency, pace.latency, pace.token_latency),
        how,
        total=total,
        logprobs=not no_logprobs,
        samples=samples,
    )


def estimate_table(estimate: Estimate, settings: Settings) -> Table:
    from interviewer.cli.usage import money

    table = Table(title=f"estimate for {estimate.n:,} {estimate.unit}, {estimate.source}")
    table.add_column("role", no_wrap=True)
    table.add_column("model", overflow="fold")
    for column in ("calls", "prompt", "prefill", "output", "cost"):
        table.add_column(column, justify="right", no_wrap=True)
    costs = []
    for r in estimate.roles:
        usd = r.usd(settings.prices)
        costs.append(usd)
        table.add_row(
            r.role,
            r.model,
            f"{r.calls:,.0f}",
            f"{r.prompt_tokens:,.0f}",
            f"{r.prefill_tokens:,.0f}",
            f"{r.completion_tokens:,.0f}",
            money(usd),
        )
    total = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
    table.add_row(
        "[bold]total[/]",
        "",
        f"{estimate.calls:,.0f}",
        f"{estimate.prompt_tokens:,.0f}",
        f"{estimate.prefill_tokens:,.0f}",
        f"{estimate.completion_tokens:,.0f}",
        money(total),
    )
    minutes = estimate.seconds / 60
    table.caption = (
        f"time ≈ {minutes:,.1f} min at {estimate.concurrency} in flight and "
        f"{estimate.latency:.2f} s per call · prompt: tokens sent; prefill: what an engine "
        "with a prefix cache computes of them; cost counts the rest at the cached price · "
        + " · ".join(estimate.notes)
    )
    return table

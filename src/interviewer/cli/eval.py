"""``interviewer eval``: score simulated answers against humans, or run a whole suite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer.cli._common import (
    GivenSettings,
    MaxTokensOpt,
    MaxUsdOpt,
    console,
    with_settings,
)
from interviewer.contracts.choices import MissingRule, SimDist
from interviewer.errors import UserInputError
from interviewer.paths import WRITABLE_FIX, writable_dir
from interviewer.usage import Budget

if TYPE_CHECKING:  # scipy loads only when scoring runs
    from interviewer.evaluation.scoring import Rules


@with_settings
def command(
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Report directory.")],
    suite: Annotated[
        Path | None,
        typer.Option(
            "--suite",
            dir_okay=False,
            help="Run a whole eval suite "
            "(evals/suites/*.yaml): personas, matching, surveys, report.",
        ),
    ] = None,
    responses: Annotated[
        list[str] | None,
        typer.Option(
            "--responses",
            help="LABEL=R.jsonl, one per method (qa, bio, portray, anthology, interview, ...).",
        ),
    ] = None,
    questionnaire: Annotated[
        Path | None, typer.Option("--questionnaire", "-q", dir_okay=False)
    ] = None,
    humans: Annotated[
        Path | None,
        typer.Option(
            "--humans",
            dir_okay=False,
            help="Human responses CSV (optional for the higher-order studies).",
        ),
    ] = None,
    matches: Annotated[
        list[str] | None,
        typer.Option(
            "--matches",
            help="LABEL=M.csv: weight that method's personas by the humans matched to them.",
        ),
    ] = None,
    personas: Annotated[
        list[Path] | None,
        typer.Option(
            "--personas", file_okay=False, help="Persona run dir(s), for parties and subgroups."
        ),
    ] = None,
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            min=0.0001,
            help="With --suite: multiply its persona counts "
            "and human sample (e.g. 0.02 for a toy run on a laptop).",
        ),
    ] = 1.0,
    splits: Annotated[
        int | None, typer.Option("--splits", min=2, help="Split-half splits (default 100).")
    ] = None,
    bootstrap: Annotated[
        int | None, typer.Option("--bootstrap", min=0, help="Bootstrap resamples (default 200).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed (default 0).")] = None,
    missing: Annotated[
        MissingRule | None,
        typer.Option(
            "--missing",
            help="Correlations and alpha over complete cases (default, as the papers) "
            "or pairwise-complete pairs (docs/metrics.md).",
        ),
    ] = None,
    sim_dist: Annotated[
        SimDist | None,
        typer.Option(
            "--sim-dist",
            help="Simulated distribution: mean of probs (default) or histogram of "
            "sampled answers (as the Anthology code).",
        ),
    ] = None,
    max_usd: MaxUsdOpt = None,
    max_tokens: MaxTokensOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="With --suite: run it on the SIMULATED engine at a few respondents per "
            "method, in seconds, and report what does not wire through (no model runs; "
            "every output is marked SIMULATED).",
        ),
    ] = False,
    *,
    given: GivenSettings,
) -> None:
    """Score simulated answers against humans: report.json, a table and PNG plots.

    Either score existing responses (--responses, --questionnaire, --humans) or run a
    whole suite (--suite), which makes and surveys the personas first; with a suite,
    --splits, --bootstrap and --seed given on the command line beat the suite's own.
    """
    from interviewer.evaluation.scoring import DEFAULT_RULES, Rules

    writable_dir(out, "--out", WRITABLE_FIX)
    rules = Rules(missing or DEFAULT_RULES.missing, sim_dist or DEFAULT_RULES.sim_dist)
    if suite is not None:
        ignored = {
            "--responses": responses,
            "--questionnaire": questionnaire,
            "--humans": humans,
            "--matches": matches,
            "--personas": personas,
        }
        named = [flag for flag, value in ignored.items() if value]
        budget = Budget(max_usd, max_tokens)
        if named:
            raise UserInputError(
                f"--suite names its own inputs; {', '.join(named)} cannot be combined with it"
            )
        flags: dict[str, object] = {"splits": splits, "bootstrap": bootstrap, "seed": seed}
        flags |= {"missing": missing, "sim_dist": sim_dist}
        _run_suite(suite, scale, flags, given, out, budget, dry_run)
        return
    if max_usd is not None or max_tokens is not None:
        raise UserInputError(
            "--max-usd and --max-tokens limit a --suite run; scoring calls no model"
        )
    if dry_run:
        raise UserInputError("--dry-run needs --suite")
    given.build()  # a bad flag or settings file fails here too, though scoring needs none
    if not responses or questionnaire is None:
        raise UserInputError("give --suite, or --responses and --questionnaire")
    _score(
        responses,
        matches or [],
        humans,
        questionnaire,
        out,
        personas or [],
        splits=100 if splits is None else splits,  # the defaults --help states
        resamples=200 if bootstrap is None else bootstrap,
        seed=0 if seed is None else seed,
        rules=rules,
    )


def _run_suite(
    suite: Path,
    scale: float,
    flags: dict[str, object],
    given: GivenSettings,
    out: Path,
    budget: Budget,
    dry_run: bool = False,
) -> None:
    from interviewer.api import arun_suite
    from interviewer.cli.views import print_evaluation
    from interviewer.pool import run_loop
    from interviewer.study import load_suite, scaled, with_flags
    from interviewer.study.dry_run import dry_run_suite, wiring_problems

    spec = with_flags(scaled(load_suite(suite), scale), flags)
    ran = run_loop(
        arun_suite(
            spec,
            out,
            settings=given.file,
            overrides=given.overrides,
            console=console,
            budget=budget,
            dry_run=dry_run,
        )
    )
    assert ran.result is not None  # arun_suite always keeps the study's result
    print_evaluation(console, ran.result.evaluation)
    if dry_run:
        problems = wiring_problems(dry_run_suite(spec), out)
        for problem in problems:
            console.print(f"[red]dry run: {problem}[/]")
        if problems:
            raise UserInputError(f"dry run: {len(problems)} problem(s) above")
        console.print("dry run (SIMULATED engine): every method and question wired through")


def _score(
    responses: list[str],
    matches: list[str],
    humans: Path | None,
    questionnaire: Path,
    out: Path,
    personas: list[Path],
    *,
    splits: int,
    resamples: int,
    seed: int,
    rules: Rules,
) -> None:
    """Score existing responses files (``LABEL=PATH`` each) against the humans."""
    from interviewer.api import evaluate
    from interviewer.cli.views import print_evaluation
    from interviewer.evaluation.report import parse_labelled

    report = evaluate(
        parse_labelled(responses, "--responses"),
        questionnaire,
        out,
        humans=humans,
        matches=parse_labelled(matches, "--matches"),
        personas=personas,
        splits=splits,
        bootstrap=resamples,
        seed=seed,
        missing=rules.missing,
        sim_dist=rules.sim_dist,
    )
    assert report.result is not None  # evaluate always keeps what it computed
    print_evaluation(console, report.result)

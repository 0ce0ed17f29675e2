"""``interviewer match``: pair each human with a persona by demographics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer.cli._common import console
from interviewer.contracts.choices import MatchMethod, Objective
from interviewer.paths import WRITABLE_FIX, writable_dir

if TYPE_CHECKING:  # scipy loads only when a match runs
    from interviewer.matching import Matching


def command(
    run_dir: Annotated[Path, typer.Argument(help="Personas' run directory.", file_okay=False)],
    humans: Annotated[
        Path, typer.Option("--humans", dir_okay=False, help="Human responses CSV.")
    ] = Path("humans.csv"),
    method: Annotated[
        MatchMethod,
        typer.Option(
            "--method",
            help="maxweight (one-to-one, exact), greedy (best persona, reuse allowed) "
            "or random (seeded; every persona once before any twice).",
        ),
    ] = "maxweight",
    objective: Annotated[
        Objective,
        typer.Option(
            "--objective",
            help="What maxweight maximises: weight (sum of weights, the Anthology code's; "
            "default) or loglik (sum of log-weights, the joint likelihood). Written in "
            "the CSV's objective column.",
        ),
    ] = "weight",
    out: Annotated[Path, typer.Option("--out", dir_okay=False)] = Path("matches.csv"),
    seed: Annotated[int, typer.Option("--seed")] = 0,
    traits: Annotated[
        str | None,
        typer.Option(
            "--traits",
            help="Comma-separated traits (default: every canonical trait the human file has).",
        ),
    ] = None,
) -> None:
    """Match each human to a persona by demographics; write the pairs and log-weights."""
    names = [t.strip() for t in traits.split(",")] if traits else None
    writable_dir(out.parent, "--out", WRITABLE_FIX)
    result = match_run(run_dir, humans, method, out, seed, names, objective)
    console.print(
        f"{len(result.log_weight)} humans matched ({method}, objective {objective}), "
        f"mean log-weight {result.mean_log_weight:.3f} over the pairs with a positive weight, "
        f"{result.zero_pairs} with weight 0 → {out}"
    )


def match_run(
    run_dir: Path,
    humans_path: Path,
    method: MatchMethod,
    out: Path,
    seed: int,
    trait_names: list[str] | None,
    objective: Objective = "weight",
) -> Matching:
    from interviewer.api import match

    matches = match(
        run_dir, humans_path, out, method=method, objective=objective, traits=trait_names, seed=seed
    )
    assert matches.result is not None  # match always returns what it computed
    return matches.result

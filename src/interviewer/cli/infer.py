"""``interviewer infer``: population estimates from personas and a small pilot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from interviewer.cli._common import console
from interviewer.contracts.choices import MatchMethod, Objective
from interviewer.paths import WRITABLE_FIX, writable_dir

if TYPE_CHECKING:
    from rich.console import Console


def command(
    responses: Annotated[
        Path,
        typer.Argument(help="The personas' responses JSONL (interviewer survey).", dir_okay=False),
    ],
    personas: Annotated[
        Path, typer.Option("--personas", file_okay=False, help="The personas' run directory.")
    ],
    questionnaire: Annotated[
        Path, typer.Option("--questionnaire", "-q", dir_okay=False, help="Questionnaire YAML.")
    ],
    frame: Annotated[
        Path,
        typer.Option(
            "--frame",
            dir_okay=False,
            help="The population to describe: a humans CSV (respondent_id, demographics, "
            "weight; no answers needed; no weight column: each counts 1, and the report "
            "says so).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Report directory.")],
    pilot: Annotated[
        Path | None,
        typer.Option(
            "--pilot",
            dir_okay=False,
            help="A small sample of real answers (humans CSV with a column per question): "
            "pilot-only and rectified intervals.",
        ),
    ] = None,
    method: Annotated[
        MatchMethod,
        typer.Option(
            "--match",
            help="How frame and pilot respondents find their persona (as interviewer "
            "match): greedy (default: the best persona, one fixed prediction per profile, "
            "as the rectified interval's guarantee needs), maxweight or random.",
        ),
    ] = "greedy",
    objective: Annotated[
        Objective, typer.Option("--objective", help="What maxweight maximises (as match).")
    ] = "weight",
    traits: Annotated[
        str | None,
        typer.Option(
            "--traits",
            help="Comma-separated traits to match on (default: every canonical trait "
            "frame and pilot both have).",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Estimate within each group of this trait (e.g. party)."),
    ] = None,
    alpha: Annotated[
        float,
        typer.Option("--alpha", min=0.0001, max=0.5, help="1 - coverage (0.1: 90% intervals)."),
    ] = 0.1,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of random matching and simulated draws.")
    ] = 0,
    past_humans: Annotated[
        Path | None,
        typer.Option(
            "--past-humans",
            dir_okay=False,
            help="A past survey's people (humans CSV with answers): with --past-responses "
            "and --past-questionnaire, the adaptive simulation size (no pilot needed).",
        ),
    ] = None,
    past_responses: Annotated[
        Path | None,
        typer.Option(
            "--past-responses", dir_okay=False, help="The same personas' answers to it (JSONL)."
        ),
    ] = None,
    past_questionnaire: Annotated[
        Path | None,
        typer.Option("--past-questionnaire", dir_okay=False, help="The past questionnaire."),
    ] = None,
) -> None:
    """Estimate what the population would answer: naive (personas only), pilot only and
    rectified (prediction-powered, PPI++) intervals, and how many real respondents the
    rectified estimate is worth. Writes report.json, intervals.png and report.html.
    Calls no model."""
    from interviewer.api import infer

    writable_dir(out, "--out", WRITABLE_FIX)
    names = [t.strip() for t in traits.split(",")] if traits else None
    result = infer(
        responses,
        personas,
        questionnaire,
        frame,
        out,
        pilot=pilot,
        method=method,
        objective=objective,
        traits=names,
        seed=seed,
        by=by,
        alpha=alpha,
        past_humans=past_humans,
        past_responses=past_responses,
        past_questionnaire=past_questionnaire,
    )
    print_inference(console, result.body)
    for line in result.summary:
        console.print(line)
    console.print(f"→ {out / 'report.json'}, {out / 'report.html'}")


def print_inference(target: Console, section: dict[str, Any]) -> None:
    """One table per question: each option's three intervals, λ and effective size."""
    from rich.table import Table

    level = f"{section['level']:.0%}"
    for question in section["questions"]:
        groups = [("", question["overall"])] + [
            (f"{section['by']}={value}", group) for value, group in question.get("by", {}).items()
        ]
        for name, group in groups:
            title = f"{question['id']}{' · ' + name if name else ''} ({level} intervals)"
            table = Table(title=title, title_justify="left")
            adaptive = not name and section["adaptive"] is not None
            headers = ["option", "naive (personas)", "pilot", "rectified", "λ", "ESS"]
            for header in headers + (["adaptive"] if adaptive else []):
                table.add_column(header, justify="left" if header == "option" else "right")
            for target_ in [*group["options"], group["mean"]]:
                rect = target_["rectified"]
                cells = [
                    target_["label"],
                    _cell(target_["naive"]),
                    _cell(target_["pilot"]),
                    _cell(rect),
                    f"{rect['lam']:.2f}" if rect else "-",
                    f"{target_['ess']:.0f}" if target_["ess"] is not None else "-",
                ]
                table.add_row(*cells, *([_cell(target_.get("adaptive"))] if adaptive else []))
            target.print(table)


def _cell(e: dict[str, Any] | None) -> str:
    if e is None:
        return "-"
    return f"{e['value']:.3f} [{e['lower']:.3f}, {e['upper']:.3f}]"

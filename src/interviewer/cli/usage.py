"""``interviewer usage RUN``: what a run's calls spent, per role, and what it cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from interviewer.cli._common import console, with_settings
from interviewer.errors import UserInputError
from interviewer.settings import ROLES, Price, Settings
from interviewer.usage import RoleUsage, cost, merge, read_usage, usage_files


@with_settings
def command(
    run: Annotated[
        Path,
        typer.Argument(help="A run directory, a responses JSONL, or a suite's out directory."),
    ],
    *,
    settings: Settings,
) -> None:
    """Calls, cached calls, tokens and cost per role, from the run's usage files (costs
    from the ``prices`` setting; a model without a price shows n/a)."""
    if not run.exists():
        raise UserInputError(f"{run}: no such file or directory")
    files = [f for f in usage_files(run) if f.is_file()]
    if not files:
        raise UserInputError(
            f"{run}: no usage recorded (usage.json or <responses>.usage.json); "
            "runs made before usage accounting have none"
        )
    order: list[str] = list(ROLES)
    entries = sorted(
        merge(e for f in files for e in read_usage(f)),
        key=lambda e: order.index(e.role) if e.role in order else len(order),
    )
    console.print(usage_table(entries, settings.prices, title=f"usage of {run}"))


def usage_table(entries: Sequence[RoleUsage], prices: Mapping[str, Price], title: str) -> Table:
    table = Table(title=title)
    table.caption = (
        "cached: calls the response cache answered (nothing sent, no cost) · prompt, "
        "output: tokens sent and generated · prefix: prompt tokens the endpoint served "
        "from its prefix cache · cost: the prices setting ($/Mtok)"
    )
    table.add_column("role", no_wrap=True)
    table.add_column("model", overflow="fold")
    for column in ("calls", "cached", "prompt", "prefix", "output", "cost"):
        table.add_column(column, justify="right", no_wrap=True)
    for e in entries:
        table.add_row(
            e.role,
            e.model,
            f"{e.calls:,}",
            f"{e.cached_calls:,}",
            f"{e.prompt_tokens:,}",
            f"{e.cached_tokens:,}",
            f"{e.completion_tokens:,}",
            money(cost(e, prices)),
        )
    costs = [cost(e, prices) for e in entries]
    total = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
    table.add_row(
        "[bold]total[/]",
        "",
        f"{sum(e.calls for e in entries):,}",
        f"{sum(e.cached_calls for e in entries):,}",
        f"{sum(e.prompt_tokens for e in entries):,}",
        f"{sum(e.cached_tokens for e in entries):,}",
        f"{sum(e.completion_tokens for e in entries):,}",
        money(total),
    )
    return table


def money(usd: float | None) -> str:
    """Dollars, or n/a for what has no price (never a made-up 0)."""
    return "n/a" if usd is None else f"${usd:,.4f}"

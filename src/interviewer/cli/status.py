"""``interviewer status RUN``: what the processes writing a run directory are doing."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from interviewer.cli._common import console

if TYPE_CHECKING:
    from interviewer.interview.run_status import RunStatus, ShardView

_STYLE = {"done": "green", "running": "cyan", "dead": "bold red", "stopped": "red"}


def command(
    run: Annotated[Path, typer.Argument(help="A run directory.", file_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, for scripts.")] = False,
    stale_after: Annotated[
        float,
        typer.Option(
            "--stale-after",
            min=1.0,
            help="Seconds without a heartbeat after which a process counts as dead.",
        ),
    ] = 60.0,
) -> None:
    """Per shard: done, failed, running or dead, tokens, rate, ETA, and the commands
    that finish the shards that need it."""
    from interviewer.api import status

    found = status(run, stale_after_s=stale_after)
    if as_json:
        print(json.dumps(status_json(found), indent=2))
        return
    console.print(status_table(found))
    for line in found.notes:
        console.print(f"[yellow]{escape(line)}[/]")
    console.print(summary_line(found))
    rerun = found.to_rerun
    if rerun:
        console.print(
            f"[bold]{len(rerun)} shard(s) neither done nor running[/]; each command finishes "
            "one (a 'not started' one may still be queued: squeue --me):",
            soft_wrap=True,
        )
        for view in rerun:
            console.print(f"  {escape(view.rerun or '')}", soft_wrap=True)
        if found.slurm_rerun:
            console.print(f"  or with SLURM: {escape(found.slurm_rerun)}", soft_wrap=True)


def status_table(found: RunStatus) -> Table:
    table = Table(title=f"{found.path}: {found.n} personas ({found.method})")
    table.caption = (
        "running / dead: heartbeat fresh / stale and unfinished · finished: went through "
        "its ids, some failed (--resume retries them) · tokens: sent and generated"
    )
    for name in ("shard", "state", "done", "failed", "left", "host", "pid", "beat"):
        table.add_column(name, justify="right" if name not in ("state", "host") else "left")
    for name in ("tokens", "/min", "ETA"):
        table.add_column(name, justify="right")
    for view in found.shards:
        table.add_row(*_row(view))
    return table


def _row(view: ShardView) -> list[str]:
    style = _STYLE.get(view.state, "yellow")
    state = f"[{style}]{view.state}[/]" + (f" ({escape(view.reason)})" if view.reason else "")
    return [
        view.shard or "-",
        state,
        f"{view.done:,}/{view.planned:,}",
        f"{view.failed:,}",
        f"{view.left:,}",
        escape(view.host or "?"),
        str(view.pid or "?"),
        _duration(view.heartbeat_age_s) + " ago" if view.heartbeat_age_s is not None else "?",
        f"{view.tokens:,}",
        f"{view.per_minute:.1f}" if view.per_minute else "?",
        _duration(view.eta_s) if view.eta_s is not None else "-",
    ]


def summary_line(found: RunStatus) -> str:
    rate = f"{found.per_minute:.1f}/min" if found.per_minute else "no rate yet"
    eta = _duration(found.eta_s) if found.eta_s is not None else "-"
    if found.to_rerun:
        eta = "after the reruns"
    return (
        f"[bold]{found.done:,}[/] of {found.n:,} done, [red]{found.failed:,}[/] failed · "
        f"{found.tokens:,} tokens · {rate} · ETA {eta}"
    )


def status_json(found: RunStatus) -> dict[str, Any]:
    return {
        "path": str(found.path),
        "n": found.n,
        "method": found.method,
        "done": found.done,
        "failed": found.failed,
        "tokens": found.tokens,
        "per_minute": found.per_minute,
        "eta_s": found.eta_s,
        "has_status_files": found.has_status_files,
        "shards": [asdict(v) | {"left": v.left} for v in found.shards],
        "rerun": [v.rerun for v in found.to_rerun],
        "slurm_rerun": found.slurm_rerun,
        "notes": found.notes,
    }


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = int(seconds)
    if whole < 120:
        return f"{whole} s"
    if whole < 7200:
        return f"{whole // 60} min"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"

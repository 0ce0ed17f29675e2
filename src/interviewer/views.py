"""Rich renderables for the terminal: tables and panels the commands print."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interviewer.probe import ProbeResult
from interviewer.smoke import LETTERS, OPTIONS, QUESTION, SmokeResult


def backends_table(results: list[ProbeResult]) -> Table:
    table = Table(title="Configured backends")
    for column in ("roles", "backend", "url", "answers", "logprobs"):
        table.add_column(column)
    for result in results:
        answers = (f"[red]no[/]: {result.error}" if result.error
                   else f"[green]yes[/] ({result.seconds * 1000:.0f} ms, {result.token!r})")
        table.add_row(
            ", ".join(result.roles), result.endpoint.label, result.endpoint.base_url, answers,
            "[green]yes[/]" if result.logprobs else "[yellow]no[/]",
        )
    return table


def smoke_panel(result: SmokeResult, load_s: float, total_s: float) -> Panel:
    story = result.backstory
    scores = Table(title=QUESTION, title_justify="left")
    scores.add_column("option")
    scores.add_column("probability", justify="right")
    scores.add_column("")
    for letter, text, prob in zip(LETTERS, OPTIONS, result.scores.probs, strict=True):
        scores.add_row(f"{letter}. {text}", f"{prob:.3f}", "█" * round(prob * 30))
    footer = Text(
        f"letter mass {result.scores.letter_mass:.3f} · backstory {story.completion_tokens} "
        f"tokens · model up in {load_s:.1f} s · total {total_s:.1f} s",
        style="dim",
    )
    return Panel(
        Group(Text("Tell me about yourself.", style="bold cyan"),
              Text(story.text.strip() or "(empty)"), Text(""), scores, footer),
        title="interviewer demo (smoke run on the embedded model)",
    )

"""Rich renderables for the terminal: tables and panels the commands print."""

from __future__ import annotations

from statistics import mean

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interviewer.demo import LETTERS, OPTIONS, QUESTION, DemoResult
from interviewer.probe import ProbeResult
from interviewer.schemas import Persona


def backends_table(results: list[ProbeResult]) -> Table:
    table = Table(title="Configured backends")
    for column in ("roles", "backend", "url", "answers", "logprobs"):
        table.add_column(column)
    for result in results:
        answers = (
            f"[red]no[/]: {result.error}"
            if result.error
            else f"[green]yes[/] ({result.seconds * 1000:.0f} ms, {result.token!r})"
        )
        table.add_row(
            ", ".join(result.roles),
            result.endpoint.label,
            result.endpoint.base_url,
            answers,
            "[green]yes[/]" if result.logprobs else "[yellow]no[/]",
        )
    return table


def transcript_view(persona: Persona, max_turns: int = 6, max_chars: int = 400) -> Group:
    """The first turns of a transcript, interviewer and persona styled apart."""
    flagged = {v.turn for v in persona.critic if not v.consistent}
    repaired = {v.turn for v in persona.critic if v.action == "repaired"}
    lines: list[RenderableType] = []
    for index, turn in enumerate(persona.transcript[:max_turns]):
        text = turn.text if len(turn.text) <= max_chars else turn.text[:max_chars] + "…"
        if turn.role == "interviewer":
            tag = "follow-up" if turn.kind == "followup" else turn.question_id
            lines.append(Text(f"Interviewer [{tag}]: {text}", style="bold cyan"))
        else:
            marks = ("  [critic: flagged]" if index in flagged else "") + (
                "  [repaired]" if index in repaired else ""
            )
            lines.append(Text(f"Persona: {text}") + Text(marks, style="yellow"))
    more = len(persona.transcript) - max_turns
    if more > 0:
        lines.append(Text(f"… {more} more turns", style="dim"))
    return Group(*lines)


def runs_table(personas: list[Persona]) -> Table:
    table = Table(title="Personas made")
    table.caption = "calls per persona: persona / interviewer / critic model"
    for column in ("method", "n", "words", "seconds", "calls p/i/c", "critic flags", "repairs"):
        table.add_column(column, justify="right" if column != "method" else "left", no_wrap=True)
    for method in ("interview", "anthology"):
        group = [p for p in personas if p.method == method]
        if not group:
            continue
        calls = "/".join(
            f"{mean(p.stats.calls[r].calls if r in p.stats.calls else 0 for p in group):.1f}"
            for r in ("persona", "interviewer", "critic")
        )
        table.add_row(
            method,
            str(len(group)),
            f"{mean(p.stats.words for p in group):.0f}",
            f"{mean(p.stats.seconds for p in group):.1f}",
            calls,
            str(sum(not v.consistent for p in group for v in p.critic)),
            str(sum(v.action == "repaired" for p in group for v in p.critic)),
        )
    return table


def scores_table(result: DemoResult) -> Table:
    caption = " · ".join(f"{k} {o}" for k, o in zip(LETTERS, OPTIONS, strict=True))
    table = Table(title=QUESTION, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("persona", no_wrap=True)
    for letter in LETTERS:
        table.add_column(letter, justify="right")
    table.add_column("letter mass", justify="right")
    for name, scores in result.scores.items():
        table.add_row(name, *(f"{p:.2f}" for p in scores.probs), f"{scores.letter_mass:.2f}")
    return table


def demo_report(result: DemoResult, seconds: float) -> Group:
    parts: list[RenderableType] = [runs_table(result.personas)]
    interviews = [p for p in result.personas if p.method == "interview"]
    if interviews:
        first = interviews[0]
        parts.append(Panel(transcript_view(first), title=f"transcript {first.id} (excerpt)"))
    parts.append(scores_table(result))
    failed = sum(run.failed for run in result.runs.values())
    note = f" · {failed} failed (see failed/ in the run)" if failed else ""
    parts.append(Text(f"done in {seconds:.0f} s · personas in {result.out}{note}", style="dim"))
    return Group(*parts)

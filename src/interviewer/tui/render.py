"""Rich renderables of one persona: transcript with critic verdicts, demographics, answers.

Shared by the Textual app (one block per widget) and ``interviewer show`` (printed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from interviewer.contracts.persona import CriticVerdict, Persona
from interviewer.contracts.responses import SimulatedResponse

BlockKind = Literal["header", "turn", "verdict", "rejected", "final"]
HIGHLIGHT = "bold black on yellow"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    turn: int | None
    """Transcript index the block belongs to (None for header/final)."""
    text: Text
    contradicted: bool = False
    """A turn some critic verdict says a later answer contradicted."""


def header(persona: Persona) -> Text:
    stats = persona.stats
    calls = ", ".join(f"{role} {c.calls}" for role, c in stats.calls.items())
    text = Text(f"{persona.id}", style="bold")
    text.append(
        f"  {persona.method} · seed {persona.seed} · {stats.words} words · "
        f"{stats.seconds:.0f} s · calls: {calls}",
        style="dim",
    )
    if persona.seed_text:
        text.append(f"\nsteered: {persona.seed_text}", style="italic")
    return text


def transcript_blocks(persona: Persona, show_rejected: bool = False) -> list[Block]:
    """Header, each turn, each verdict under the answer it judged, the final check."""
    quotes = _contradicted_quotes(persona.critic)
    by_turn: dict[int, list[CriticVerdict]] = {}
    for verdict in persona.critic:
        by_turn.setdefault(verdict.turn, []).append(verdict)
    blocks = [Block("header", None, header(persona))]
    for index in range(len(persona.transcript)):
        blocks.append(
            Block(
                "turn",
                index,
                turn_text(persona, index, quotes.get(index)),
                contradicted=index in quotes,
            )
        )
        for verdict in sorted(by_turn.get(index, []), key=lambda v: v.attempt):
            blocks.append(Block("verdict", index, verdict_text(verdict)))
            if show_rejected and verdict.rejected_text:
                blocks.append(Block("rejected", index, rejected_text(verdict)))
    if persona.final_check is not None:
        blocks.append(Block("final", None, final_text(persona)))
    return blocks


def turn_text(persona: Persona, index: int, quotes: Sequence[str] | None = None) -> Text:
    turn = persona.transcript[index]
    if turn.role == "interviewer":
        tag = "follow-up ↳" if turn.kind == "followup" else (turn.question_id or "")
        text = Text(f"[{index}] Interviewer ({tag}): ", style="bold cyan")
        text.append(turn.text, style="cyan")
        return text
    text = Text(f"[{index}] Persona: ", style="bold green")
    body = Text(turn.text)
    for quote in quotes or []:
        if not _highlight(body, quote):
            body.stylize("on dark_red")  # quoted loosely: mark the whole statement
    text.append_text(body)
    if quotes:
        text.append("  ⚠ contradicted later", style="bold yellow")
    return text


def verdict_text(verdict: CriticVerdict) -> Text:
    draft = f" draft {verdict.attempt + 1}" if verdict.attempt or verdict.rejected_text else ""
    if verdict.consistent:
        return Text(f"    ✓ critic{draft}: consistent", style="dim green")
    text = Text(f"    ✗ critic{draft}: contradiction", style="bold red")
    if verdict.contradiction:
        where = (
            f" (turn {verdict.contradicted_turn})" if verdict.contradicted_turn is not None else ""
        )
        text.append(f" of “{verdict.contradiction}”{where}", style="red")
    if verdict.reason:
        text.append(f" — {verdict.reason}", style="red")
    text.append(
        "  → repaired" if verdict.action == "repaired" else "  → kept (flagged)",
        style="bold magenta" if verdict.action == "repaired" else "bold yellow",
    )
    return text


def rejected_text(verdict: CriticVerdict) -> Text:
    text = Text(f"      rejected draft {verdict.attempt + 1}: ", style="magenta")
    text.append(verdict.rejected_text or "", style="strike dim")
    return text


def final_text(persona: Persona) -> Text:
    final = persona.final_check
    assert final is not None
    if final.consistent:
        return Text("final check: the whole transcript is consistent", style="dim green")
    text = Text("final check: contradictions found", style="bold red")
    for item in final.contradictions:
        text.append(f"\n  • {item}", style="red")
    return text


def demographics_table(persona: Persona, width: int = 6) -> Table:
    table = Table(title="demographics", show_header=False, box=None, padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True, overflow="ellipsis", width=15)
    table.add_column(no_wrap=True, width=width)
    table.add_column(justify="right", no_wrap=True, width=4)
    if not persona.demographics:
        table.add_row(Text("none yet: run interviewer demographics", style="dim"), "", "")
    for trait, dist in persona.demographics.items():
        table.add_row(Text(trait, style="bold"), "", "")
        for option, prob in sorted(dist.items(), key=lambda item: -item[1])[:3]:
            table.add_row(f" {option}", _bar(prob, width), f"{prob:.0%}")
    return table


def responses_table(responses: Sequence[SimulatedResponse]) -> Table:
    """Per question: a bar per option (A, B, …) and the drawn answer."""
    table = Table(title="survey answers", show_header=False, box=None, padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True, overflow="ellipsis", width=15)
    table.add_column(no_wrap=True)
    for response in responses:
        spark = "".join(_SPARK[min(int(p * len(_SPARK)), len(_SPARK) - 1)] for p in response.probs)
        table.add_row(response.question_id, f"{spark} → {chr(65 + response.answer)}")
    return table


_SPARK = "▁▂▃▄▅▆▇█"


def persona_view(persona: Persona, responses: Sequence[SimulatedResponse] = ()) -> Group:
    """Everything about one persona, for ``interviewer show``."""
    parts: list[Text | Table] = [b.text for b in transcript_blocks(persona, show_rejected=True)]
    parts.append(demographics_table(persona))
    if responses:
        parts.append(responses_table(responses))
    return Group(*parts)


def _bar(prob: float, width: int) -> str:
    filled = round(max(0.0, min(prob, 1.0)) * width)
    return "█" * filled + "·" * (width - filled)


def _contradicted_quotes(verdicts: Sequence[CriticVerdict]) -> dict[int, list[str]]:
    quotes: dict[int, list[str]] = {}
    for verdict in verdicts:
        if not verdict.consistent and verdict.contradicted_turn is not None:
            quotes.setdefault(verdict.contradicted_turn, []).append(verdict.contradiction or "")
    return quotes


def _highlight(body: Text, quote: str) -> bool:
    if not quote:
        return False
    start = body.plain.lower().find(quote.lower())
    if start < 0:
        return False
    body.stylize(HIGHLIGHT, start, start + len(quote))
    return True

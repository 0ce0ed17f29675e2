"""How long the personas came out against the length asked for.

A small model may stop well short of (or run past) the target, and the target is not
enforced: the run summary states the achieved mean against it instead, and warns when
it is off by more than ``LENGTH_TOLERANCE``. Interviews are measured in the persona's
words (``target_words``), Anthology backstories in generated tokens
(``anthology_tokens``), each in the unit of its own setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_persona, persona_files
from interviewer.settings import Settings

LENGTH_TOLERANCE = 0.25
"""Relative distance from the target beyond which the summary warns."""


def length_lines(
    personas: Sequence[Persona], method: str, *, target_words: int, anthology_tokens: int
) -> list[str]:
    """The summary's length line and, when off target, a warning line."""
    if not personas:
        return []
    if method == "anthology":
        achieved = sum(p.stats.tokens for p in personas) / len(personas)
        unit, target = "tokens per backstory", anthology_tokens
    else:
        achieved = sum(p.stats.words for p in personas) / len(personas)
        unit, target = "words per persona", target_words
    lines = [f"mean {achieved:.0f} {unit} (target {target})"]
    off = achieved / target - 1
    if abs(off) > LENGTH_TOLERANCE:
        side = "above" if off > 0 else "below"
        lines.append(
            f"warning: {abs(off):.0%} {side} the target (tolerance {LENGTH_TOLERANCE:.0%}); "
            "the model does not meet the length asked for"
        )
    return lines


def run_length_lines(run_dir: Path, method: str, settings: Settings) -> list[str]:
    """``length_lines`` over every persona of a run directory, against its settings."""
    interview = settings.interview
    return length_lines(
        [load_persona(path) for path in persona_files(run_dir)],
        method,
        target_words=interview.words_target(settings.persona.backend),
        anthology_tokens=interview.anthology_tokens,
    )

"""How transcripts become prompts.

The persona prompt is the preamble followed by the transcript, ending in ``Me:``.
Each call's prompt is therefore a strict prefix of the next call's for the same
persona, so a prefix-caching engine (vLLM, llama.cpp) re-reads nothing it has seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interviewer.interview.state import TurnDict

PERSONA_STOPS = ("Interviewer:", "\nMe:", "\nQuestion:", "\nINTERVIEWER")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]?(?=\s|$)")


def persona_prompt(preamble: str, transcript: Sequence[TurnDict]) -> str:
    parts = [preamble]
    for turn in transcript:
        if turn["role"] == "interviewer":
            parts.append(f"Interviewer: {turn['text']}\n\nMe:")
        else:
            parts.append(f" {turn['text']}\n\n")
    return "".join(parts)


def statements(transcript: Sequence[TurnDict]) -> str:
    """The persona's earlier answers, numbered by transcript index, for the critic."""
    lines = [
        f"[{i}] {turn['text']}" for i, turn in enumerate(transcript) if turn["role"] == "persona"
    ]
    return "\n".join(lines) if lines else "(none yet)"


def clean_answer(text: str, finish_reason: str | None) -> str:
    """Strip whitespace; an answer cut by the token budget ends at its last full sentence."""
    answer = text.strip()
    if finish_reason != "length":
        return answer
    ends = list(_SENTENCE_END.finditer(answer))
    if ends and ends[-1].end() >= len(answer) // 2:
        return answer[: ends[-1].end()]
    return answer


def locate_statement(quote: str, transcript: Sequence[TurnDict]) -> int | None:
    """Index of the persona turn that holds ``quote`` (case- and space-insensitive)."""
    needle = _normalise(quote)
    if len(needle) < 8:
        return None
    for index, turn in enumerate(transcript):
        if turn["role"] == "persona" and needle in _normalise(turn["text"]):
            return index
    return None


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def words(text: str) -> int:
    return len(text.split())

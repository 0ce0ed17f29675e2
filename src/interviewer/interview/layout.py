"""How transcripts become prompts.

The persona prompt is the preamble followed by the transcript, ending in ``Me:``; the
interviewer's and critic's prompts are the same document with a staff note after the
newest answer. Each call's prompt therefore extends the previous ones up to that answer,
so a prefix-caching engine (vLLM, llama.cpp) re-reads little it has seen. A chat
persona gets the transcript as alternating user (interviewer) and assistant (persona)
messages instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interviewer.interview.state import TurnDict
from interviewer.prompts import Message

PERSONA_STOPS = ("Interviewer:", "\nMe:", "\nQuestion:", "\nINTERVIEWER")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]?(?=\s|$)")


def persona_prompt(preamble: str, transcript: Sequence[TurnDict]) -> str:
    parts = [preamble]
    for turn in transcript:
        if turn["role"] == "interviewer":
            parts.append(f"Interviewer: {turn['text']}\n\nMe:")
        else:
            parts.append(answer_turn(turn["text"]))
    return "".join(parts)


def persona_messages(system: str, transcript: Sequence[TurnDict]) -> tuple[Message, ...]:
    """A chat persona's input: the system message, then the interviewer's turns as the
    user's and the persona's own as the assistant's, so its reply is the next answer."""
    turns = [("user" if t["role"] == "interviewer" else "assistant", t["text"]) for t in transcript]
    return (("system", system), *turns)


def answer_turn(text: str) -> str:
    """An answer as it follows ``Me:``; the critic sees a draft exactly as it will stand."""
    return f" {text}\n\n"


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

"""State of one interview, as LangGraph sees it.

Values are plain JSON-like data (TypedDicts, lists, numbers) so the SQLite
checkpointer stores and restores them without custom serialisers. The pydantic
contract in ``interviewer.contracts.persona`` validates the final persona file.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypedDict

Method = Literal["interview", "anthology"]


class TurnDict(TypedDict):
    role: Literal["interviewer", "persona"]
    text: str
    question_id: str | None
    kind: Literal["question", "followup", "answer"]


class VerdictDict(TypedDict):
    turn: int
    attempt: int
    consistent: bool
    contradiction: str | None
    contradicted_turn: int | None
    reason: str | None
    action: Literal["repaired", "kept"]
    rejected_text: str | None


class UsageDict(TypedDict):
    calls: int
    prompt_tokens: int
    completion_tokens: int


def merge_usage(left: dict[str, UsageDict], right: dict[str, UsageDict]) -> dict[str, UsageDict]:
    """Add per-role call and token counts."""
    merged = {role: UsageDict(**counts) for role, counts in left.items()}
    for role, counts in right.items():
        if role not in merged:
            merged[role] = UsageDict(**counts)
        else:
            for key in ("calls", "prompt_tokens", "completion_tokens"):
                merged[role][key] += counts[key]
    return merged


@dataclass(kw_only=True)
class InterviewInput:
    """What starts an interview."""

    persona_id: str
    """Names the persona file and the checkpoint thread."""
    seed: int
    """Every sampled call derives its seed from this, so a persona can be replayed."""
    method: Method = "interview"
    """``interview`` (deep binding, AVP questions) or ``anthology`` (one question)."""
    seed_text: str | None = None
    """Optional steering, e.g. "a retired nurse in Ohio"; None: unconditioned."""


@dataclass(kw_only=True)
class InterviewState(InterviewInput):
    """Everything the nodes read and write while an interview runs."""

    transcript: Annotated[list[TurnDict], operator.add] = field(default_factory=list)
    """Accepted turns, in order; nodes append, never rewrite."""
    question_index: int = -1
    """Index of the current AVP question; -1 before the first."""
    followups: int = 0
    """Follow-ups asked for the current question."""
    draft: str | None = None
    """The persona's answer under review, not yet in the transcript."""
    draft_tokens: int = 0
    """Tokens the persona model generated for ``draft``."""
    attempt: int = 0
    """Repairs made on the current answer slot (0: first draft)."""
    pending: VerdictDict | None = None
    """The critic's verdict on ``draft``, until ``accept`` or ``repair`` records it."""
    verdicts: Annotated[list[VerdictDict], operator.add] = field(default_factory=list)
    """Every critic judgement, repaired drafts included."""
    final_check: dict[str, Any] | None = None
    """The whole-transcript pass: {"consistent": bool, "contradictions": [str]}."""
    done: bool = False
    """The interviewer has no more questions."""
    tokens: Annotated[int, operator.add] = 0
    """Persona tokens generated for kept answers."""
    usage: Annotated[dict[str, UsageDict], merge_usage] = field(default_factory=dict)
    """Per role: calls and tokens spent, repairs and decisions included."""


@dataclass(kw_only=True)
class InterviewOutput:
    """What an interview hands back: the material of a persona file."""

    persona_id: str
    seed: int
    method: Method
    seed_text: str | None
    transcript: list[TurnDict]
    verdicts: list[VerdictDict]
    final_check: dict[str, Any] | None
    tokens: int
    usage: dict[str, UsageDict]

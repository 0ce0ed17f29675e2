"""The persona file contract (``<out>/<persona_id>.json``) and the run manifest.

Stable: scripts and users depend on these shapes (see docs/DESIGN.md, "Data contracts").
Fields may be added; none may change meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Method = Literal["interview", "anthology"]

Demographics = Mapping[str, Mapping[str, Mapping[str, float]]]
"""Persona id -> trait -> option -> probability: many personas' ``demographics``."""


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Turn(_Contract):
    """One utterance in the interview."""

    role: Literal["interviewer", "persona"]
    text: str
    question_id: str | None = None
    """The AVP question this turn belongs to (follow-ups and answers carry it too)."""
    kind: Literal["question", "followup", "answer"]


class CriticVerdict(_Contract):
    """One judgement of one draft answer by the critic."""

    turn: int
    """Index in ``transcript`` of the answer slot judged."""
    attempt: int = 0
    """0 for the first draft, 1.. for repairs."""
    consistent: bool
    contradiction: str | None = None
    """The earlier statement the draft contradicts, as the critic quoted it."""
    contradicted_turn: int | None = None
    """Index of the earlier turn holding that statement, when it could be found."""
    reason: str | None = None
    action: Literal["repaired", "kept"]
    """``repaired``: this draft was rejected and resampled; ``kept``: it stayed."""
    rejected_text: str | None = None
    """The draft's text when it was rejected (the kept one is in the transcript)."""


class FinalCheck(_Contract):
    """The whole-transcript consistency pass after the last question."""

    consistent: bool
    contradictions: list[str] = Field(default_factory=list)


class RoleCalls(_Contract):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class PersonaStats(_Contract):
    words: int
    """Words the persona said."""
    tokens: int
    """Tokens the persona model generated for the kept answers."""
    calls: dict[str, RoleCalls]
    """Per role: LLM calls and tokens, repairs and follow-up decisions included."""
    seconds: float


class Persona(_Contract):
    """One virtual person: how it was made and everything it said."""

    id: str
    method: Method
    models: dict[str, str]
    """Per role, the identity of the model that played it."""
    prompt_version: str
    seed: int
    seed_text: str | None = None
    """Optional steering ("a retired nurse in Ohio"); None for unconditioned personas."""
    transcript: list[Turn]
    critic: list[CriticVerdict] = Field(default_factory=list)
    final_check: FinalCheck | None = None
    demographics: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Trait -> {option: probability}; filled by ``interviewer demographics``."""
    stats: PersonaStats


class FailedPersona(_Contract):
    """A persona that could not be made; ``--resume`` tries it again."""

    id: str
    reason: str


class Manifest(_Contract):
    """``manifest.json``: what a run directory holds and how it was made."""

    kind: Literal["personas"] = "personas"
    package_version: str
    created: str
    method: Method
    n: int
    shard: str | None = None
    settings: dict[str, object]
    prompts: dict[str, str]
    """Template name -> content hash."""
    models: dict[str, str]
    config: dict[str, object] = Field(default_factory=dict)
    """What shapes the personas besides models and prompts (sampling, seeds, interview
    settings); ``--resume`` refuses a run whose configuration differs."""
    status: dict[str, int] = Field(default_factory=dict)

"""The structured replies the interviewer and critic give (JSON-schema constrained)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

Short = Annotated[str, Field(max_length=120)]


class FollowUpReply(BaseModel):
    follow_up: bool
    question: str = Field(default="", max_length=160)


class CriticReply(BaseModel):
    consistent: bool
    contradicted_statement: Short = ""
    reason: Short = ""


class FinalReply(BaseModel):
    consistent: bool
    contradictions: list[Short] = Field(default_factory=list, max_length=3)

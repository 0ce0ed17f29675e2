"""A smoke run of the embedded stack: one completion and one logprob-scored question."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from interviewer.logprobs import OptionScores
from interviewer.model import Completion
from interviewer.pool import ModelPool
from interviewer.prompts import load_prompt

QUESTION = "How much do you trust the federal government to do what is right?"
OPTIONS = ("Just about always", "Most of the time", "Only some of the time", "Never")
LETTERS = "ABCD"


@dataclass(frozen=True)
class SmokeResult:
    backstory: Completion
    scores: OptionScores


def question_prompt() -> str:
    options = "\n".join(f"{letter}. {text}" for letter, text in zip(LETTERS, OPTIONS, strict=True))
    return load_prompt("smoke_question").render(question=QUESTION, options=options)


async def smoke(pool: ModelPool, seed: int = 0) -> SmokeResult:
    """Complete a backstory with the persona model; score A-D with the respondent's."""
    persona = pool.model("persona")
    prompt = load_prompt("smoke_backstory").render()
    request = persona.request(prompt, max_tokens=96, seed=seed, stop=("\nInterviewer:",))
    backstory, scores = await asyncio.gather(
        persona.complete(request),
        pool.model("respondent").score_options(question_prompt(), LETTERS),
    )
    return SmokeResult(backstory=backstory, scores=scores)

"""``interviewer demo``: the pipeline so far, end to end, at a laptop's scale.

Interviews a few personas (deep binding) and collects a few Anthology backstories on
the configured backend, then asks every persona one survey question and reads its
answer distribution from next-token logprobs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, RunSummary, run_interviews
from interviewer.interview.state import Method
from interviewer.logprobs import OptionScores
from interviewer.model import Model
from interviewer.pool import ModelPool
from interviewer.progress import RunProgress
from interviewer.prompts import load_prompt
from interviewer.schemas import Persona
from interviewer.settings import Settings

QUESTION = "How much do you trust the federal government to do what is right?"
OPTIONS = ("Just about always", "Most of the time", "Only some of the time", "Never")
LETTERS = "ABCD"
BACKSTORY_WORDS = 400  # of each persona's own words, to keep scoring prompts short


@dataclass(frozen=True)
class DemoResult:
    out: Path
    runs: dict[str, RunSummary]
    personas: list[Persona]
    scores: dict[str, OptionScores]


def question_prompt(persona: Persona) -> str:
    said = " ".join(t.text for t in persona.transcript if t.role == "persona").split()
    options = "\n".join(f"{k}. {text}" for k, text in zip(LETTERS, OPTIONS, strict=True))
    return load_prompt("demo_question").render(
        backstory=" ".join(said[:BACKSTORY_WORDS]), question=QUESTION, options=options
    )


def run_demo(
    settings: Settings, out: Path, interviews: int, backstories: int, console: Console | None = None
) -> DemoResult:
    with ModelPool(settings) as pool:
        return pool.run(_demo(settings, pool, out, interviews, backstories, console))


async def _demo(
    settings: Settings,
    pool: ModelPool,
    out: Path,
    interviews: int,
    backstories: int,
    console: Console | None,
) -> DemoResult:
    ctx = InterviewContext(
        interviewer=pool.model("interviewer"),
        persona=pool.model("persona"),
        critic=pool.model("critic"),
        settings=settings.interview,
        words_target=settings.interview.words_target(settings.persona.backend),
    )
    dump = settings.model_dump(mode="json")
    runs: dict[str, RunSummary] = {}
    sizes: tuple[tuple[Method, int], ...] = (("interview", interviews), ("anthology", backstories))
    for method, n in sizes:
        if n == 0:
            continue
        plan = RunPlan(out=out / method, n=n, method=method, concurrency=2)
        with RunProgress(f"{method:>10}", console) as bar:
            runs[method] = await run_interviews(plan, ctx, dump, bar.start, bar.result)
    personas = [
        Persona.model_validate_json(path.read_bytes())
        for method in runs
        for path in sorted((out / method).glob("p*.json"))
    ]
    scores = await _score_all(pool.model("respondent"), personas)
    return DemoResult(out=out, runs=runs, personas=personas, scores=scores)


async def _score_all(model: Model, personas: list[Persona]) -> dict[str, OptionScores]:
    results = await asyncio.gather(
        *(model.score_options(question_prompt(p), LETTERS) for p in personas)
    )
    return {f"{p.method}/{p.id}": s for p, s in zip(personas, results, strict=True)}

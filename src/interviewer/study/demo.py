"""``interviewer demo``: the whole pipeline, end to end, at a laptop's scale.

A built-in eval suite: interview a few personas (deep binding) and collect a few
Anthology backstories; ask them the demographic questions; draw a seeded sample of CCES
2018 respondents and match each to its most likely persona; survey every method — the
interview and Anthology personas, and the QA / Bio / Portray demographic prompts built
from the same humans — on a few CCES items; score all against the humans' real answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from interviewer.contracts.persona import Persona
from interviewer.evaluation.report import EvalResult
from interviewer.interview.runner import RunSummary
from interviewer.study.runner import SuiteResult
from interviewer.study.schema import MatchSpec, MethodSpec, Suite

DEMO_ITEMS = (
    "economy",
    "trump_approval",
    "guns_background_checks",
    "abortion_choice",
    "medicare_for_all",
    "paris_withdrawal",
)


@dataclass(frozen=True)
class DemoSizes:
    interviews: int = 2
    backstories: int = 4
    humans: int = 12
    questions: int = len(DEMO_ITEMS)
    seed: int = 0


@dataclass(frozen=True)
class DemoResult:
    out: Path
    runs: dict[str, RunSummary]
    personas: list[Persona]
    evaluation: EvalResult


def demo_suite(sizes: DemoSizes) -> Suite:
    return Suite(
        id="demo",
        title="interviewer demo (embedded model, laptop scale)",
        questionnaire="humans/cces2018.yaml",
        questions=list(DEMO_ITEMS[: sizes.questions]),
        humans="humans/cces2018.csv",
        sample=sizes.humans,
        methods=[
            MethodSpec(label="interview", kind="interview", n=sizes.interviews),
            MethodSpec(label="anthology", kind="anthology", n=sizes.backstories),
            MethodSpec(label="qa", kind="qa"),
            MethodSpec(label="bio", kind="bio"),
            MethodSpec(label="portray", kind="portray"),
        ],
        # Few personas for many humans: each human takes its most likely persona.
        match=MatchSpec(
            method="greedy", traits=["age", "gender", "race", "education", "party", "region"]
        ),
        splits=50,
        bootstrap=100,
        seed=sizes.seed,
    )


def demo_result(result: SuiteResult) -> DemoResult:
    """What the demo shows of its suite's run (``demo_suite``)."""
    personas = [p for label in result.runs for p in result.personas[label]]
    return DemoResult(result.out, result.runs, personas, result.evaluation)

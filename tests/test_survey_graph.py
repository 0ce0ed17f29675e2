"""The survey graph's shape and cost: what the speed-up of issue 12 must keep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.survey.graph import SurveyContext, SurveyInput, build_survey_graph
from tests.test_survey_golden import CASES, GOLDEN, scripted, survey


class RefusingExecutor(ThreadPoolExecutor):
    """The loop's default executor, refusing work: where LangGraph runs a sync router."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise AssertionError(f"the survey ran {fn!r} on the thread pool")


@pytest.mark.parametrize("name", ["default", "genagent"])
async def test_the_survey_routes_on_the_event_loop_not_a_thread_pool(
    name: str, tmp_path: Path
) -> None:
    # Each hop to the executor and back cost CPU per question (bench/survey_overhead.py).
    asyncio.get_running_loop().set_default_executor(RefusingExecutor())
    case = next(c for c in CASES if c.name == name)
    await survey(case, tmp_path / "r.jsonl")
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 34


def test_the_graph_keeps_its_nodes_and_edges() -> None:
    graph = build_survey_graph().get_graph()
    assert set(graph.nodes) == {"__start__", "reflect_once", "answer_question", "__end__"}
    assert {(e.source, e.target) for e in graph.edges} == {
        ("__start__", "reflect_once"),
        ("__start__", "answer_question"),
        ("__start__", "__end__"),
        ("reflect_once", "answer_question"),
        ("reflect_once", "__end__"),
        ("answer_question", "answer_question"),
        ("answer_question", "__end__"),
    }


@pytest.mark.parametrize(
    ("questions_per_step", "steps"),
    [
        (1, ["reflect_once", "answer_question", "answer_question", "answer_question"]),
        (2, ["reflect_once", "answer_question", "answer_question"]),
        (None, ["reflect_once", "answer_question"]),
    ],
)
async def test_a_step_answers_questions_per_step(
    questions_per_step: int | None, steps: list[str]
) -> None:
    # questions_per_step=1: streams (and Studio) see one update per answer.
    ctx = SurveyContext(
        model=scripted(True),
        questionnaire=load_questionnaire(GOLDEN / "questionnaire.yaml"),
        genagent=True,
        questions_per_step=questions_per_step,
    )
    ids = ["g_fair", "g_own", "g_last"]
    start = SurveyInput(respondent_id="r0", context="I am.", question_ids=ids)
    graph = build_survey_graph()
    chunks = [c async for c in graph.astream(start, stream_mode="updates", context=ctx)]
    assert [name for chunk in chunks for name in chunk] == steps
    updates = [c["answer_question"] for c in chunks if "answer_question" in c]
    assert [a["question_id"] for u in updates for a in u["answers"]] == ids


def test_questions_per_step_must_be_positive() -> None:
    questionnaire = load_questionnaire(GOLDEN / "questionnaire.yaml")
    with pytest.raises(ValueError, match="at least 1"):
        SurveyContext(model=scripted(True), questionnaire=questionnaire, questions_per_step=0)

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


async def test_each_question_is_a_step_of_its_own() -> None:
    # Streams (and Studio) see one update per answer, as before the speed-up.
    ctx = SurveyContext(
        model=scripted(True),
        questionnaire=load_questionnaire(GOLDEN / "questionnaire.yaml"),
        genagent=True,
    )
    start = SurveyInput(respondent_id="r0", context="I am.", question_ids=["g_fair", "g_own"])
    steps = [
        list(chunk)
        async for chunk in build_survey_graph().astream(start, stream_mode="updates", context=ctx)
    ]
    assert steps == [["reflect_once"], ["answer_question"], ["answer_question"]]

"""``interview.checkpoints=steps``: a process killed between a step's writes and its
checkpoint must resume the interview where it stopped, not start it over.

LangGraph saves a finished task's writes at once, and (durability "async") the
checkpoint after the step a moment later. A kill in between leaves a latest checkpoint
whose next task already has its writes; ``aget_state`` then reports ``next == ()``,
which once made the runner start the interview again on top of its transcript: a
question left unanswered, the next one asked, and calls spent that no persona file
counts (test_reliability's request bound broke on it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from interviewer.contracts.persona import Persona
from interviewer.interview.graph import build_interview_graph
from interviewer.interview.runner import CHECKPOINTS, RunPlan, run_interviews
from interviewer.interview.state import InterviewInput
from interviewer.model import Request
from tests.interview_fakes import context, persona_from

QUESTIONS = 2


def answer(n: int, request: Request) -> str:
    # Fixed by the question asked, not by the call count: two runs answer alike.
    question = request.prompt.rsplit("Interviewer:", 1)[-1].strip()[:30]
    return f"My answer to {question}"


class DiesAfter(AsyncSqliteSaver):
    """Stores the first ``keep`` checkpoints, then none: what a process killed after
    its ``keep``-th checkpoint leaves on disk (task writes still land, as they do)."""

    keep = 0

    async def aput(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        DiesAfter.keep -= 1
        if DiesAfter.keep >= 0:
            return await super().aput(config, checkpoint, metadata, new_versions)
        return {"configurable": {**config["configurable"], "checkpoint_id": checkpoint["id"]}}


def steps_context() -> Any:
    return context(persona_from(answer), questions=QUESTIONS, checkpoints="steps")


async def killed_after(out: Path, keep: int) -> None:
    out.mkdir(parents=True)
    DiesAfter.keep = keep
    async with DiesAfter.from_conn_string(str(out / CHECKPOINTS)) as saver:
        graph = build_interview_graph(saver)
        config = {"configurable": {"thread_id": "p00000"}, "recursion_limit": 100}
        start = InterviewInput(persona_id="p00000", seed=0, method="interview")
        await graph.ainvoke(start, config, context=steps_context())


def transcript(out: Path) -> list[tuple[str, str]]:
    persona = Persona.model_validate_json((out / "p00000.json").read_bytes())
    return [(t.kind, t.text) for t in persona.transcript]


@pytest.mark.parametrize("keep", range(1, 12))
async def test_a_kill_between_task_writes_and_checkpoint_resumes_in_place(
    tmp_path: Path, keep: int
) -> None:
    whole = tmp_path / "whole"
    await run_interviews(RunPlan(out=whole, n=1), steps_context(), {})
    killed = tmp_path / "killed"
    await killed_after(killed, keep)
    await run_interviews(RunPlan(out=killed, n=1), steps_context(), {})
    assert transcript(killed) == transcript(whole)
    kinds = [kind for kind, _ in transcript(killed)]
    assert kinds == ["question", "answer"] * QUESTIONS

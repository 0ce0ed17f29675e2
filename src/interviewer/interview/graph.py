"""Wire the interview nodes into a LangGraph ``StateGraph``."""

from __future__ import annotations

from typing import Any

from langgraph.graph import START, StateGraph
from langgraph.types import Checkpointer

from interviewer.interview import nodes
from interviewer.interview.context import InterviewContext
from interviewer.interview.state import InterviewInput, InterviewOutput, InterviewState
from interviewer.pool import StudioContext
from interviewer.settings import InterviewSettings


def build_interview_graph(
    checkpointer: Checkpointer = None,
    context_schema: type[InterviewContext] | type[StudioContext] = InterviewContext,
) -> Any:
    """The compiled interview graph; pass a checkpointer to make runs resumable.
    ``context_schema``: ``pool.StudioContext`` for LangGraph Studio (graphs/interview.py)."""
    builder: StateGraph[
        InterviewState, InterviewContext | StudioContext, InterviewInput, InterviewOutput
    ]
    builder = StateGraph(
        InterviewState,
        context_schema=context_schema,
        input_schema=InterviewInput,
        output_schema=InterviewOutput,
    )
    builder.add_node("ask", nodes.ask)
    builder.add_node("answer", nodes.answer)
    builder.add_node("critic", nodes.critic)
    builder.add_node("repair", nodes.repair)
    builder.add_node("accept", nodes.accept)
    builder.add_node("final_check", nodes.final_check)
    builder.add_edge(START, "ask")
    builder.add_conditional_edges("ask", nodes.after_ask)
    builder.add_conditional_edges("answer", nodes.after_answer)
    builder.add_conditional_edges("critic", nodes.after_critic)
    builder.add_edge("repair", "answer")
    builder.add_edge("accept", "ask")
    builder.add_edge("final_check", "__end__")
    return builder.compile(checkpointer=checkpointer, name="interview")


def step_limit(settings: InterviewSettings) -> int:
    """LangGraph's recursion limit for one interview: every bounded loop at its bound."""
    answers = settings.questions * (1 + settings.max_followups)
    per_answer = 3 + 3 * settings.max_repairs  # ask, answer, critic/accept; repairs loop
    return answers * per_answer + 10

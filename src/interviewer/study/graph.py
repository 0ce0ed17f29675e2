"""The study graph: one suite, end to end.

    prepare ─► make_personas ×M ─► match ─► survey ×N ─► score ─► report
       │         (Send per method             (Send per    │          ▲
       │          that makes personas)         method)     └► higher_order
       └──── (no method makes personas) ─► match

``prepare`` samples the humans and writes the questionnaire's subset; ``make_personas``
interviews (resumably) and fills the demographics; ``match`` pairs humans with personas;
``survey`` asks every method's respondents; ``score`` compares with the humans' answers,
``higher_order`` with a study's published gaps; ``report`` adds the ablation lines. The
methods of one stage run side by side on the same endpoints, whose concurrency limits
bound them together. Rerunning into the same ``out`` resumes every stage.

State holds only plain values (LangGraph Studio checkpoints it); the personas read once
per study, the respondents and the scored report stay in ``StudyContext.cache``.
"""

from __future__ import annotations

from typing import Any, cast

from langgraph.graph import END, START, StateGraph

from interviewer.pool import StudioContext
from interviewer.study import nodes
from interviewer.study.context import StudyContext
from interviewer.study.state import StudyInput, StudyOutput, StudyState


def build_study_graph(
    context_schema: type[StudyContext] | type[StudioContext] = StudyContext,
) -> Any:
    """The compiled study graph. ``context_schema``: ``pool.StudioContext`` for LangGraph
    Studio (graphs/study.py)."""
    builder: StateGraph[StudyState, StudyContext | StudioContext, StudyInput, StudyOutput]
    builder = StateGraph(
        StudyState,
        context_schema=context_schema,
        input_schema=StudyInput,
        output_schema=StudyOutput,
    )
    builder.add_node("prepare", nodes.prepare)
    # mypy does not take a TypedDict for LangGraph's TypedDictLike protocol; LangGraph
    # reads the node's input schema (MethodTask) from its annotations all the same.
    builder.add_node("make_personas", cast(Any, nodes.make_personas))
    builder.add_node("match", nodes.match)
    builder.add_node("survey", cast(Any, nodes.survey))
    builder.add_node("score", nodes.score)
    builder.add_node("higher_order", nodes.higher_order)
    builder.add_node("report", nodes.report)
    builder.add_edge(START, "prepare")
    builder.add_conditional_edges("prepare", nodes.to_makers, ["make_personas", "match"])
    builder.add_edge("make_personas", "match")
    builder.add_conditional_edges("match", nodes.to_surveys, ["survey"])
    builder.add_conditional_edges("survey", nodes.to_scoring)
    builder.add_edge("score", "report")
    builder.add_edge("higher_order", "report")
    builder.add_edge("report", END)
    return builder.compile(name="study")

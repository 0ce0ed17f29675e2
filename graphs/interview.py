"""The interview graph, for LangGraph Studio (``langgraph dev`` reads langgraph.json).

Without a run context, the nodes use the default settings' models (the embedded
Gemma-3-270M unless INTERVIEWER_* variables or a settings file say otherwise).
"""

from interviewer.interview.graph import build_interview_graph
from interviewer.pool import StudioContext

graph = build_interview_graph(context_schema=StudioContext)

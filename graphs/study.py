"""The study graph, for LangGraph Studio (``langgraph dev`` reads langgraph.json).

Input: ``{"suite": {...a suite as its YAML holds it...}, "out": "/path/to/run"}``, e.g.
the contents of evals/suites/deep_binding.yaml. Importing this file starts nothing:
without a run context, the first node that needs a model starts the default settings'
models (the embedded Gemma-3-270M unless INTERVIEWER_* variables say otherwise) and logs
which ones, once for the life of the server.
"""

from interviewer.pool import StudioContext
from interviewer.study.graph import build_study_graph

graph = build_study_graph(context_schema=StudioContext)

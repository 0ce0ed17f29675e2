"""interviewer: virtual personas from LLM interviews, surveyed and scored against real people.

The Python API (``interviewer.api``) is re-exported here and loaded on first use, so
``import interviewer`` stays cheap::

    import interviewer
    run = interviewer.make_personas("personas/pilot", n=2)
    df = run.to_pandas()
"""

from __future__ import annotations

import importlib
from typing import Any

from interviewer.version import __version__

# Not imported for type checkers either: the layers contract (pyproject) reads every
# module that imports ``interviewer.__version__`` as importing the package. Typed
# code imports from ``interviewer.api``; ``interviewer.<name>`` is Any to mypy.
__all__ = [
    "Inference",
    "Manifest",
    "Matches",
    "Persona",
    "Questionnaire",
    "Report",
    "Responses",
    "Run",
    "Settings",
    "SimulatedResponse",
    "SuiteRun",
    "__version__",
    "aevaluate",
    "afill_demographics",
    "ainfer",
    "amake_personas",
    "amatch",
    "arun_suite",
    "arun_survey",
    "evaluate",
    "fill_demographics",
    "infer",
    "make_personas",
    "match",
    "open_questionnaire",
    "open_report",
    "open_responses",
    "open_run",
    "run_suite",
    "run_survey",
    "settings_from",
    "status",
    "write_slurm_script",
]
_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    """The API's names, importing ``interviewer.api`` (langgraph, numpy) on first use."""
    if name in _API:
        return getattr(importlib.import_module("interviewer.api"), name)
    raise AttributeError(f"module 'interviewer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])

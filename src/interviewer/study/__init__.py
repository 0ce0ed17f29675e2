"""Whole studies: a suite's schema, the study graph that runs it, the ablation analysis, and
the built-in demo."""

from interviewer.study.demo import DemoResult, DemoSizes, run_demo
from interviewer.study.runner import SuiteResult, run_suite
from interviewer.study.schema import Suite, load_suite, scaled, with_flags

__all__ = [
    "DemoResult",
    "DemoSizes",
    "Suite",
    "SuiteResult",
    "load_suite",
    "run_demo",
    "run_suite",
    "scaled",
    "with_flags",
]

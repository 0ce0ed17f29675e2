"""Whole studies: a suite's schema, the study graph that runs it, the ablation analysis, and
the built-in demo."""

from interviewer.study.demo import DemoResult, DemoSizes, demo_result
from interviewer.study.runner import SuiteResult, run_suite
from interviewer.study.schema import Suite, load_suite, scaled, with_flags

__all__ = [
    "DemoResult",
    "DemoSizes",
    "Suite",
    "SuiteResult",
    "demo_result",
    "load_suite",
    "run_suite",
    "scaled",
    "with_flags",
]

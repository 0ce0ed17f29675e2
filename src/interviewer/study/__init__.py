"""Whole studies: a suite's schema, the study graph that runs it, the ablation analysis, and
the built-in demo."""

from interviewer.study.demo import DemoResult, DemoSizes, run_demo
from interviewer.study.suite import SuiteResult, run_suite

__all__ = ["DemoResult", "DemoSizes", "SuiteResult", "run_demo", "run_suite"]

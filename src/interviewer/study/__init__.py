"""Whole studies: a suite's schema, the study graph that runs it, the ablation analysis, and
the built-in demo."""

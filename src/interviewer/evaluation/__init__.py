"""Scoring simulated answers against human ones: the metric formulas (metrics), per-method
scores (scoring), higher-order gaps, the report files (report) and the plots."""

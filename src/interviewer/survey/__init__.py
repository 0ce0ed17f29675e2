"""Surveying personas: questionnaires, conditioning, answer distributions, runs."""

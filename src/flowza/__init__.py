"""Flowza: a visual machine-learning workflow builder with a headless engine."""

__version__ = "0.1.0"

"""Generating workflows from a sentence: an offline planner, an optional LLM, one entry point."""

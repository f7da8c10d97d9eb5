"""Runs: the executor interface, the inline executor, and the service that records runs."""

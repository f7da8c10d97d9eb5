"""The ways generating a workflow can stop, each with a message a user can act on."""

from __future__ import annotations


class GenerationRefused(Exception):
    """The request cannot be satisfied (no such column, regression on a text target, no dataset...)."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ProviderError(Exception):
    """The LLM provider failed (time-out, HTTP error, rate limit) or never gave a valid workflow."""

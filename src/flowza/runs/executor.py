"""The executor interface: how the API hands a run to whatever executes it.

The inline executor runs it in this process; a Celery executor (issue 4) will send the run id to
a worker in another process. Executors pass ids, never data: the run, its events and its
outputs live in the database and the cache.
"""

from __future__ import annotations

import threading
from typing import Protocol


class CancelSignal(threading.Event):
    """A cancel flag that can say why, when it was not a person asking (e.g. the server stopping)."""

    def __init__(self) -> None:
        super().__init__()
        self.reason: str | None = None

    def stop(self, reason: str) -> None:
        self.reason = reason
        self.set()


class Executor(Protocol):
    name: str

    def submit(self, run_id: str) -> None:
        """Start the pending run `run_id` eventually; returns at once."""

    def cancel(self, run_id: str) -> None:
        """Ask a queued or running run to stop; a no-op for runs it does not hold."""

    def shutdown(self) -> None:
        """Stop accepting work and stop what runs (those runs end failed with a reason)."""

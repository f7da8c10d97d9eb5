"""The Celery task: claim one attempt of a run, then execute it with the same RunService as the API.

The message is (run id, attempt): ids, never data. The workflow, datasets and outputs are read from
the database, the data directory and the artifact store.
"""

from __future__ import annotations

import dataclasses
import logging

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from flowza.db.session import transaction
from flowza.runs.executor import CancelSignal
from flowza.worker.celery_app import RUN_TASK, STOP_GRACE_SECONDS
from flowza.worker.leases import Leases
from flowza.worker.recording import LeasedRecorder, factory
from flowza.worker.runtime import runtime, worker_name
from flowza.worker.watch import TIMEOUT_REASON, Watchdog

log = logging.getLogger(__name__)

MAX_TICK_SECONDS = 1.0  # cancel requests are noticed within this, whatever the heartbeat interval


def execute_attempt(run_id: str, attempt: int, node: str | None = None) -> str:
    """Run attempt `attempt` of `run_id` unless another delivery already claimed it."""
    state = runtime()
    worker = worker_name(node)
    with transaction(state.sessions) as session:
        if not Leases(session).claim(run_id, attempt, worker):
            log.info("run %s attempt %d: already claimed, finished or superseded; nothing to do", run_id, attempt)
            return "skipped"
    if state.datasets is not None:
        try:
            state.datasets.fetch(run_id)
        except Exception:  # the run then fails validation with a message naming the missing file
            log.exception("could not fetch the datasets of run %s from the artifact store", run_id)
    settings = state.settings
    signal = CancelSignal()
    watchdog = Watchdog(
        state.sessions,
        run_id,
        attempt,
        worker,
        signal,
        tick=min(settings.heartbeat_seconds, MAX_TICK_SECONDS),
        timeout=settings.run_timeout,
        grace=STOP_GRACE_SECONDS,
    )
    watchdog.start()
    try:
        service = dataclasses.replace(state.service, recorder_factory=factory(attempt, worker))
        service.execute(run_id, signal)
    except SoftTimeLimitExceeded:  # Celery's backstop fired outside the engine's node handling
        reason = TIMEOUT_REASON.format(seconds=settings.run_timeout)
        LeasedRecorder(state.sessions, run_id, attempt, worker).abort("failed", reason, "failed")
    finally:
        watchdog.finish()
        watchdog.join(timeout=10)
    return "done"


def register_tasks(app: Celery) -> None:
    @app.task(name=RUN_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
    def run(self: Task, run_id: str, attempt: int) -> str:
        return execute_attempt(str(run_id), int(attempt), self.request.hostname)

"""The Celery executor: the API sends (run id, attempt) to the workers' queue; the workers do the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from flowza.artifacts.datasets import DatasetSync
from flowza.artifacts.store import open_store
from flowza.config import Settings
from flowza.datasets.layout import Layout
from flowza.db.session import transaction
from flowza.worker.celery_app import RUN_TASK, make_celery
from flowza.worker.leases import Leases, write_final
from flowza.worker.reaper import Reaper

log = logging.getLogger(__name__)

SEND_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}


def sender(app: Celery, queue: str) -> Callable[[str, int], None]:
    def send(run_id: str, attempt: int) -> None:
        app.send_task(RUN_TASK, args=[run_id, attempt], queue=queue, retry=True, retry_policy=SEND_RETRY)

    return send


def make_reaper(settings: Settings, sessions: sessionmaker[Session], app: Celery) -> Reaper:
    return Reaper(
        sessions,
        sender(app, settings.queue),
        heartbeat_timeout=settings.heartbeat_timeout,
        max_attempts=settings.max_attempts,
        redispatch_seconds=settings.redispatch_seconds,
        interval=max(0.5, min(settings.heartbeat_timeout / 4, 10.0)),
    )


class CeleryExecutor:
    name = "celery"

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], app: Celery | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.app = app or make_celery(settings)
        self._send = sender(self.app, settings.queue)
        self.reaper = make_reaper(settings, sessions, self.app)
        store = open_store(settings.artifacts_url)
        layout = Layout(settings.resolved_data_dir())
        self.datasets = DatasetSync(store, sessions, layout) if store is not None else None

    def start(self) -> None:
        self.reaper.start()

    def submit(self, run_id: str) -> None:
        if self.datasets is not None:  # workers on other machines read the run's datasets from the store
            try:
                self.datasets.publish(run_id)
            except Exception:
                log.exception("could not publish the datasets of run %s to the artifact store", run_id)
        with transaction(self.sessions) as session:
            leases = Leases(session)
            leases.mark_dispatched(run_id)
            attempt = (leases.attempt(run_id) or 0) + 1
        try:
            self._send(run_id, attempt)
        except Exception as exc:  # the broker is down: the reaper sends it again later
            log.error("could not send run %s to the workers (%s); it stays queued and is re-sent", run_id, exc)

    def cancel(self, run_id: str) -> None:
        """A queued run is cancelled here and now; a running one by its worker's watchdog (DB flag)."""
        with transaction(self.sessions) as session:
            if Leases(session).cancel_unclaimed(run_id):
                write_final(session, run_id, "cancelled", "cancelled before it started", "cancelled")

    def shutdown(self) -> None:
        """Runs keep going on the workers; only this process's reaper and broker connections stop."""
        self.reaper.stop()
        self.app.close()

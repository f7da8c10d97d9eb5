"""Starting a worker: the Celery app with the run task, the reaper in the main process, then Celery's loop."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from sqlalchemy import Engine

from flowza.config import Settings
from flowza.db.migrate import current_revision, head_revision
from flowza.db.session import make_engine, make_session_factory
from flowza.worker.celery_app import make_celery
from flowza.worker.executor import make_reaper
from flowza.worker.reaper import Reaper
from flowza.worker.runtime import configure
from flowza.worker.tasks import register_tasks

log = logging.getLogger(__name__)


class DatabaseNotReady(RuntimeError):
    pass


def wait_for_schema(engine: Engine, seconds: float) -> None:
    """Wait until the server applied the migrations (a worker never migrates: one writer of the schema)."""
    head = head_revision()
    deadline = time.monotonic() + seconds
    current: str | None = None
    while True:
        try:
            current = current_revision(engine)
            if current == head:
                return
        except Exception as exc:  # not reachable yet
            current = f"unreachable ({type(exc).__name__})"
        if time.monotonic() > deadline:
            raise DatabaseNotReady(
                f"database schema is {current}, not {head}: run `flowza db upgrade` (or start serve)"
            )
        time.sleep(1)


class ReaperHooks:
    """Runs the reaper in the worker's main process once the pool is up, stops it at shutdown."""

    def __init__(self, settings: Settings, app: Celery) -> None:
        self.settings = settings
        self.app = app
        self.engine: Engine | None = None
        self.reaper: Reaper | None = None

    def on_ready(self, **_: Any) -> None:
        self.engine = make_engine(self.settings.resolved_database_url(), pool_size=2)
        self.reaper = make_reaper(self.settings, make_session_factory(self.engine), self.app)
        self.reaper.start()

    def on_child(self, **_: Any) -> None:
        if self.engine is not None:  # a child forked later must not use the parent's connections
            self.engine.dispose(close=False)

    def on_shutdown(self, **_: Any) -> None:
        if self.reaper is not None:
            self.reaper.stop()


PRELOAD = ("pandas", "pyarrow.parquet", "sklearn.pipeline", "sklearn.model_selection", "skops.io")


def preload() -> None:
    """Import the engine's heavy libraries once in the parent, so every pool process starts with them
    (shared copy-on-write) instead of paying seconds of imports on its first run. Only imports: no
    thread pools are started before the fork."""
    import importlib

    from flowza.nodes.registry import catalog

    catalog()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional library: the node that needs it imports it itself
            log.debug("preload: %s is not installed", name)


def build_worker_app(settings: Settings) -> Celery:
    configure(settings)
    app = make_celery(settings)
    register_tasks(app)
    hooks = ReaperHooks(settings, app)
    worker_ready.connect(hooks.on_ready, weak=False)
    worker_process_init.connect(hooks.on_child, weak=False)
    worker_shutdown.connect(hooks.on_shutdown, weak=False)
    return app


def worker_argv(concurrency: int, queues: list[str], loglevel: str, hostname: str | None) -> list[str]:
    argv = [
        "worker",
        f"--loglevel={loglevel}",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues)}",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    return argv

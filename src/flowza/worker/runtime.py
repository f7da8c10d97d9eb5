"""What one worker process holds: settings, database, the run service with the shared cache.

Built lazily in each Celery child (after the fork), never in the parent, so no database
connection is shared between processes.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from flowza.artifacts.datasets import DatasetSync
from flowza.artifacts.store import ArtifactStore, open_store
from flowza.config import Settings
from flowza.datasets.layout import Layout
from flowza.db.session import make_engine, make_session_factory
from flowza.engine.cache import bind_remote
from flowza.runs.service import RunService
from flowza.worker.leases import CELERY


def bind_artifact_store(settings: Settings) -> ArtifactStore | None:
    """Make the process's cache directory a working copy of FLOWZA_ARTIFACTS_URL (when set)."""
    store = open_store(settings.artifacts_url)
    bind_remote(settings.server_cache_dir(), store)
    return store


@dataclass
class WorkerRuntime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    service: RunService
    datasets: DatasetSync | None
    pid: int

    @classmethod
    def build(cls, settings: Settings) -> WorkerRuntime:
        engine = make_engine(settings.resolved_database_url(), pool_size=3)
        sessions = make_session_factory(engine)
        store = bind_artifact_store(settings)
        layout = Layout(settings.resolved_data_dir())
        service = RunService(
            sessions, layout, settings.server_cache_dir(), executor_name=CELERY, csv_limits=settings.csv_limits()
        )
        datasets = DatasetSync(store, sessions, layout) if store is not None else None
        return cls(settings, engine, sessions, service, datasets, os.getpid())


def worker_name(node: str | None = None) -> str:
    """Who holds a run: the Celery node name (or the host) and the pid of the process running it."""
    return f"{node or socket.gethostname()}:{os.getpid()}"


_settings: Settings | None = None
_runtime: WorkerRuntime | None = None


def configure(settings: Settings) -> None:
    """The settings of this worker (CLI flags included); forked children inherit them."""
    global _settings, _runtime
    _settings, _runtime = settings, None


def runtime() -> WorkerRuntime:
    global _runtime
    if _runtime is None or _runtime.pid != os.getpid():
        _runtime = WorkerRuntime.build(_settings or Settings())
    return _runtime

"""Everything one server process holds: database, layout, services and the executor."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from flowza.api.read_cache import ChangeListener, ReadCache
from flowza.config import Settings
from flowza.datasets.layout import Layout
from flowza.datasets.service import DatasetService
from flowza.db.migrate import upgrade
from flowza.db.repositories import Users
from flowza.db.session import make_engine, make_read_session_factory, make_session_factory, transaction
from flowza.demo.shared import add_shared_datasets
from flowza.runs.executor import Executor
from flowza.runs.inline import InlineExecutor
from flowza.runs.service import RunService

log = logging.getLogger(__name__)

LOCAL_USER = "local"


@dataclass
class ServerState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    layout: Layout
    datasets: DatasetService
    runs: RunService
    executor: Executor
    read_sessions: sessionmaker[Session]
    read_cache: ReadCache = field(default_factory=ReadCache)
    change_listener: ChangeListener | None = None
    user_id: str = ""
    recovered: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> ServerState:
        home = settings.resolved_data_dir()
        # one kept connection per request thread and run worker: overflow connections are closed when
        # returned, so a pool smaller than the thread pool opens a new connection per request under load
        pool_size = settings.request_threads + settings.run_workers + 2
        engine = make_engine(settings.resolved_database_url(), pool_size=pool_size)
        sessions = make_session_factory(engine)
        layout = Layout(home)
        executor: Executor
        if settings.broker_url:  # runs go to `flowza worker` processes (issue 4)
            from flowza.worker.executor import CeleryExecutor
            from flowza.worker.runtime import bind_artifact_store

            bind_artifact_store(settings)
            runs = RunService(
                sessions,
                layout,
                settings.server_cache_dir(),
                executor_name=CeleryExecutor.name,
                csv_limits=settings.csv_limits(),
            )
            executor = CeleryExecutor(settings, sessions)
        else:
            runs = RunService(sessions, layout, settings.server_cache_dir(), csv_limits=settings.csv_limits())
            executor = InlineExecutor(runs.execute, settings.run_workers, on_abandon=runs.abandon)
        datasets = DatasetService(layout, sessions)
        return cls(settings, engine, sessions, layout, datasets, runs, executor, make_read_session_factory(engine))

    def start(self) -> None:
        """Apply migrations, make the local user, add the samples, fail runs a dead process left."""
        self.layout.home.mkdir(parents=True, exist_ok=True)
        upgrade(self.settings.resolved_database_url())
        with transaction(self.sessions) as session:
            self.user_id = Users(session).get_or_create(LOCAL_USER).id
        start_executor = getattr(self.executor, "start", None)
        if callable(start_executor):  # Celery: workers hold the runs; the reaper recovers those of dead workers
            start_executor()
        else:
            self.recovered = self.runs.recover()
        if self.recovered:
            log.warning("marked %d run(s) left unfinished by a previous process as failed", len(self.recovered))
        self.datasets.clear_stale_uploads()
        if self.settings.seed_samples:
            self.datasets.seed_samples(self.user_id)
            add_shared_datasets(self.datasets, self.user_id, self.settings.resolved_shared_datasets())
        if self.engine.dialect.name == "postgresql":
            self.change_listener = ChangeListener(self.settings.resolved_database_url(), self.read_cache)
            self.change_listener.start()

    def stop(self) -> None:
        if self.change_listener is not None:
            self.change_listener.stop()
        self.executor.shutdown()
        self.engine.dispose()

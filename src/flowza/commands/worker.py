"""`flowza worker`: a Celery worker that executes runs sent by `flowza serve` (FLOWZA_BROKER_URL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from flowza.commands.serve import settings_with


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        concurrency: Annotated[
            int | None, typer.Option("--concurrency", "-c", min=1, help="Runs executed at once (default: CPU count)")
        ] = None,
        queues: Annotated[
            str | None, typer.Option("--queues", "-Q", help="Comma-separated queues to read (env FLOWZA_QUEUE)")
        ] = None,
        broker_url: Annotated[
            str | None, typer.Option("--broker-url", help="Celery broker, redis://… (env FLOWZA_BROKER_URL)")
        ] = None,
        database_url: Annotated[
            str | None, typer.Option("--database-url", help="SQLAlchemy URL (env FLOWZA_DATABASE_URL)")
        ] = None,
        data_dir: Annotated[
            Path | None, typer.Option("--data-dir", help="Datasets and local cache (env FLOWZA_DATA_DIR)")
        ] = None,
        hostname: Annotated[str | None, typer.Option("--hostname", help="Celery node name, e.g. w1@%h")] = None,
        loglevel: Annotated[str, typer.Option("--loglevel", help="Celery log level")] = "info",
        schema_wait: Annotated[
            float, typer.Option("--schema-wait", help="Seconds to wait for the database migrations")
        ] = 60.0,
    ) -> None:
        """Start a Celery worker executing Flowza runs (the server sends them when FLOWZA_BROKER_URL is set)."""
        from flowza.db.session import make_engine
        from flowza.worker.main import DatabaseNotReady, build_worker_app, preload, wait_for_schema, worker_argv

        settings = settings_with(broker_url=broker_url, database_url=database_url, data_dir=data_dir)
        if not settings.broker_url:
            typer.echo("error: no broker: set FLOWZA_BROKER_URL=redis://host:6379/0 or pass --broker-url", err=True)
            raise typer.Exit(2)
        engine = make_engine(settings.resolved_database_url(), pool_size=1)
        try:
            wait_for_schema(engine, schema_wait)
        except DatabaseNotReady as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
        names = [name.strip() for name in (queues or settings.queue).split(",") if name.strip()]
        preload()
        celery_app = build_worker_app(settings)
        typer.echo(
            f"Flowza worker: queues {', '.join(names)}, database {safe_url(settings.resolved_database_url())}", err=True
        )
        celery_app.worker_main(worker_argv(concurrency or os.cpu_count() or 1, names, loglevel, hostname))

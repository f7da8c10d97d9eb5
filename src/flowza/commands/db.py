"""`flowza db upgrade|current`: database migrations (Alembic, configured from code)."""

from __future__ import annotations

from typing import Annotated

import typer

from flowza.config import get_settings

DatabaseOption = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL (env FLOWZA_DATABASE_URL)")]


def _url(option: str | None) -> str:
    return option or get_settings().resolved_database_url()


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database migrations.", no_args_is_help=True)

    @db.command()
    def upgrade(database_url: DatabaseOption = None) -> None:
        """Apply every migration not yet applied (also done by `flowza serve` at start)."""
        from flowza.db.migrate import upgrade as apply

        url = _url(database_url)
        apply(url)
        typer.echo(f"database at the latest revision: {_safe(url)}")

    @db.command()
    def current(database_url: DatabaseOption = None) -> None:
        """Print the database's revision and the latest one."""
        from flowza.db.migrate import current_revision, head_revision
        from flowza.db.session import make_engine

        engine = make_engine(_url(database_url))
        try:
            typer.echo(f"current: {current_revision(engine) or '(empty)'}  latest: {head_revision()}")
        finally:
            engine.dispose()

    app.add_typer(db, name="db")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

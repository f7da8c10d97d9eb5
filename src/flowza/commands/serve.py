"""`flowza serve`: the API (and the built editor) on uvicorn."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any

import typer

from flowza.commands.ports import busy_port_problem
from flowza.config import Settings

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_problem(settings: Settings) -> str | None:
    """Why `serve` must not start with these settings: an open server on a non-loopback address."""
    if is_loopback(settings.host) or settings.auth:
        return None
    return (
        f"binding to {settings.host} would expose Flowza without authentication; use --host 127.0.0.1, "
        "or turn authentication on with --auth (or FLOWZA_AUTH=1) after creating an account with "
        "`flowza user create NAME --admin`"
    )


def startup_notice(settings: Settings) -> str:
    if not settings.auth:
        return (
            f"Single-user mode: no login, everything belongs to the local user; only {settings.host} can reach "
            "this server. Use --auth (FLOWZA_AUTH=1) for a shared server."
        )
    from flowza.auth.service import AuthService
    from flowza.db.migrate import upgrade
    from flowza.db.session import make_engine, make_session_factory

    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        accounts = AuthService(make_session_factory(engine)).users()
    finally:
        engine.dispose()
    if not any(a.has_password and not a.disabled for a in accounts):
        return (
            "Authentication is on, but no account can log in yet (there are no default credentials): "
            "create one with `flowza user create NAME --admin`."
        )
    return "Authentication is on: log in with an account made by `flowza user create`."


def settings_with(**flags: Any) -> Settings:
    """Settings from FLOWZA_* variables, with the flags that were given taking precedence."""
    return Settings(**{name: value for name, value in flags.items() if value is not None})


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option("--host", help="Address to bind (env FLOWZA_HOST)")] = None,
        port: Annotated[int | None, typer.Option("--port", help="Port (env FLOWZA_PORT; 0 picks a free one)")] = None,
        data_dir: Annotated[
            Path | None,
            typer.Option("--data-dir", help="Server files: database, datasets, cache (env FLOWZA_DATA_DIR)"),
        ] = None,
        database_url: Annotated[
            str | None, typer.Option("--database-url", help="SQLAlchemy URL (env FLOWZA_DATABASE_URL)")
        ] = None,
        auth: Annotated[
            bool | None,
            typer.Option("--auth", help="Require a login or API token on every route but health (env FLOWZA_AUTH=1)"),
        ] = None,
        log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level")] = "info",
    ) -> None:
        """Start the Flowza server: HTTP API, docs at /docs, the editor at / when built."""
        import uvicorn

        from flowza.api.app import create_app

        settings = settings_with(
            host=host, port=port, data_dir=data_dir, database_url=database_url, auth=True if auth else None
        )
        problem = exposure_problem(settings)
        if problem is not None:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
        busy = busy_port_problem(settings.host, settings.port)
        if busy is not None:
            typer.echo(f"error: {busy}", err=True)
            raise typer.Exit(1)
        typer.echo(startup_notice(settings), err=True)
        typer.echo(f"Flowza data directory: {settings.resolved_data_dir()}", err=True)
        typer.echo(f"API docs: http://{settings.host}:{settings.port}/docs", err=True)
        # Open event streams end 5 s after Ctrl+C, so shutdown never waits for a long run to finish.
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            timeout_graceful_shutdown=5,
        )

"""`flowza user create|list|disable|enable|token`: accounts of a server with authentication on."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from flowza.commands.db import DatabaseOption, _url

if TYPE_CHECKING:
    from flowza.auth.service import AuthService


def _service(database_url: str | None) -> AuthService:
    from flowza.auth.service import AuthService
    from flowza.config import get_settings
    from flowza.db.migrate import upgrade
    from flowza.db.session import make_engine, make_session_factory

    url = _url(database_url)
    upgrade(url)
    return AuthService(make_session_factory(make_engine(url)), get_settings().token_days)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _read_password(given: str | None) -> str:
    if given is not None:
        return given
    if sys.stdin.isatty():
        first = typer.prompt("Password", hide_input=True)
        if typer.prompt("Repeat password", hide_input=True) != first:
            _fail("the passwords differ")
        return str(first)
    return sys.stdin.readline().rstrip("\r\n")


def register(app: typer.Typer) -> None:
    user = typer.Typer(help="User accounts (for a server started with --auth or FLOWZA_AUTH=1).", no_args_is_help=True)

    @user.command("create")
    def create(
        name: Annotated[str, typer.Argument(help="User name")],
        admin: Annotated[bool, typer.Option("--admin", help="May manage other users")] = False,
        password: Annotated[
            str | None, typer.Option("--password", help="Password (default: read from standard input)")
        ] = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Create an account; the password comes from --password or standard input (never a default)."""
        from flowza.auth.passwords import WeakPassword
        from flowza.auth.service import BadUserName, UserExists

        secret = _read_password(password)
        try:
            account = _service(database_url).create_user(name, secret, admin)
        except (WeakPassword, BadUserName, UserExists) as exc:
            _fail(str(exc))
            return
        typer.echo(f"created {'admin' if account.is_admin else 'user'} {account.name!r} (id {account.id})")

    @user.command("list")
    def list_users(database_url: DatabaseOption = None) -> None:
        """Every account with its role and state."""
        for account in _service(database_url).users():
            flags = [f for f, on in (("admin", account.is_admin), ("disabled", account.disabled)) if on]
            login = "" if account.has_password else "  (no password: single-user account)"
            typer.echo(f"{account.name}\t{account.id}\t{','.join(flags) or 'user'}{login}")

    def _set_disabled(name: str, disabled: bool, database_url: str | None) -> None:
        service = _service(database_url)
        account = service.find(name)
        if account is None:
            _fail(f"no user {name!r}")
            return
        service.update(account.id, disabled=disabled)
        typer.echo(
            f"{'disabled' if disabled else 'enabled'} {name!r}" + (" and revoked its tokens" if disabled else "")
        )

    @user.command("disable")
    def disable(name: Annotated[str, typer.Argument(help="User name")], database_url: DatabaseOption = None) -> None:
        """Stop an account from logging in and revoke its tokens."""
        _set_disabled(name, True, database_url)

    @user.command("enable")
    def enable(name: Annotated[str, typer.Argument(help="User name")], database_url: DatabaseOption = None) -> None:
        """Let a disabled account log in again."""
        _set_disabled(name, False, database_url)

    @user.command("token")
    def token(
        name: Annotated[str, typer.Argument(help="User name")],
        label: Annotated[str, typer.Option("--name", help="What the token is for")] = "cli",
        days: Annotated[float | None, typer.Option("--days", help="Days until it expires (default: never)")] = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Print a new personal API token for NAME (send it as 'Authorization: Bearer TOKEN')."""
        service = _service(database_url)
        account = service.find(name)
        if account is None:
            _fail(f"no user {name!r}")
            return
        typer.echo(service.issue(account.id, label, days).token)

    app.add_typer(user, name="user")

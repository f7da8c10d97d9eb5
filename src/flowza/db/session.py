"""Engines and sessions for SQLite (the zero-service default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

SQLITE_BUSY_SECONDS = 30
CONFLICT_ATTEMPTS = 5
# Connections beyond pool_size opened under load: at least the 40 threads of the request thread pool,
# so a burst of requests waits for the database, not for a free connection.
MAX_OVERFLOW = 40


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a long busy timeout for concurrent runs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
            pool_size=pool_size,
            max_overflow=MAX_OVERFLOW,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=MAX_OVERFLOW, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that only read: each statement runs on its own, with no transaction.

    Under PostgreSQL's default READ COMMITTED every statement sees its own snapshot anyway, so a
    read gives the same answers; it saves the BEGIN and ROLLBACK round trips of each request
    (PostgreSQL API benchmark: 2 of its 4 database round trips), and returning the connection to
    the pool does no I/O. The connections come from the same pool as `make_session_factory`'s.
    """
    return sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    with factory() as session, session.begin():
        yield session


def retry_on_conflict(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """`work(session)` in a transaction, run again when it collided with a concurrent insert.

    For writers that number rows themselves (a run's events): two taking the same number at once
    fail on the unique constraint; the loser retries and takes the next one.
    """
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            with transaction(factory) as session:
                return work(session)
        except IntegrityError:
            if attempt == CONFLICT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")

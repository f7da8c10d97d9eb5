"""A fresh, migrated PostgreSQL database for a test fixture, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from flowza.db.migrate import upgrade

PG_HOST = os.environ.get("FLOWZA_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("FLOWZA_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("FLOWZA_TEST_PG_USER", "postgres")


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    )


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """Create `<prefix>_<random>`, apply the migrations, yield its URL, drop it (skip if unreachable)."""
    try:
        admin = _admin()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {exc}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""API test fixtures: every test runs against SQLite and the real PostgreSQL (fresh database per session)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.models import Base
from flowza.db.session import make_engine
from flowza.templates import load_template
from tests.postgres import fresh_database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (per xdist worker), dropped at the end."""
    with fresh_database("flowza_test") as url:
        yield url


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'flowza.db'}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        data_dir=tmp_path / "data",
        database_url=database_url,
        seed_samples=False,
        run_workers=2,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def csv_bytes(frame: Any) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def upload(client: TestClient, name: str, content: bytes, field_name: str | None = None) -> Any:
    data = {"name": field_name} if field_name is not None else None
    return client.post("/api/v1/datasets", files={"file": (name, content, "text/csv")}, data=data)


def workflow(template: str, **params: dict[str, Any]) -> dict[str, Any]:
    document = load_template(template)
    for node in document["nodes"]:
        node["params"].update(params.get(node["id"], {}))
    return document


def save(client: TestClient, document: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/workflows", json=document)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_run(
    client: TestClient, run_id: str, timeout: float = 60.0, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/v1/runs/{run_id}", headers=headers or {}).json()
        if run["status"] not in ("pending", "running", "cancelling"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def sse_events(client: TestClient, run_id: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Follow the run's event stream to its end; each item is {id, event, data}."""
    import json

    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    with client.stream("GET", f"/api/v1/runs/{run_id}/events", headers=headers or {}) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if not line:
                if current:
                    events.append(current)
                current = {}
            elif line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
    return events

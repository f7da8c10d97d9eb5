"""Security test fixtures: a server with authentication on, on SQLite and PostgreSQL, and its users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.auth.service import AuthService
from flowza.config import Settings
from tests.api.conftest import database_url, postgres_url  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery"


@dataclass
class Person:
    name: str
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def auth_settings(database_url: str, tmp_path: Path) -> Settings:  # noqa: F811
    return Settings(
        home=tmp_path / "home",
        data_dir=tmp_path / "data",
        database_url=database_url,
        seed_samples=False,
        run_workers=2,
        auth=True,
    )


@pytest.fixture
def server(auth_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(auth_settings)) as client:
        yield client


def auth_of(client: TestClient) -> AuthService:
    service: AuthService = client.app.state.flowza_auth  # type: ignore[attr-defined]
    return service


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"username": name, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["token_type"] == "bearer"
    token: str = body["access_token"]
    return token


@pytest.fixture
def make_person(server: TestClient) -> Callable[..., Person]:
    def make(name: str, admin: bool = False) -> Person:
        account = auth_of(server).create_user(name, PASSWORD, admin)
        return Person(name, account.id, login(server, name))

    return make

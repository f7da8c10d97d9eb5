"""The login throttle: atomic, per (name, client) and per name, shared by processes, never forgetful.

Runs on SQLite and PostgreSQL (the counters live in the database). Password checks are counted
by wrapping the real argon2 check; every request goes through the real app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

import flowza.auth.service as auth_service_module
from flowza.api.app import create_app
from flowza.auth.throttle import CLIENT_LIMIT, Budget, LoginThrottle
from flowza.config import Settings
from flowza.db.migrate import upgrade
from flowza.db.models import LoginAttemptRow
from flowza.db.session import make_engine, make_session_factory, transaction
from tests.security.conftest import PASSWORD, Person

TOKEN_URL = "/api/v1/auth/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Counts the real password checks the login route makes from now on."""
    real = auth_service_module.verify_password
    lock = threading.Lock()
    calls = [0]

    def counted(stored_hash: str | None, password: str) -> bool:
        with lock:
            calls[0] += 1
        return real(stored_hash, password)

    monkeypatch.setattr(auth_service_module, "verify_password", counted)
    return lambda: calls[0]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def guess(client: TestClient, name: str, password: str = "wrong-guess-1") -> int:
    return client.post(TOKEN_URL, json={"username": name, "password": password}).status_code


def test_parallel_guesses_get_at_most_the_limit_of_password_checks(
    server: TestClient, make_person: Callable[..., Person], password_checks: Callable[[], int]
) -> None:
    make_person("gail")
    before = password_checks()
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda i: guess(server, "gail", f"wrong-guess-{i}"), range(50)))
    checks = password_checks() - before
    assert checks <= CLIENT_LIMIT, f"{checks} password checks for 50 parallel guesses"
    assert statuses.count(401) == checks
    assert statuses.count(429) == 50 - checks
    # the right password from the attacker's address is refused too: the budget is spent
    assert guess(server, "gail", PASSWORD) == 429
    assert password_checks() - before == checks


def test_guesses_from_elsewhere_do_not_lock_the_owner_out(
    server: TestClient, make_person: Callable[..., Person]
) -> None:
    make_person("gail")
    for _ in range(CLIENT_LIMIT):
        assert guess(server, "gail") == 401
    assert guess(server, "gail") == 429
    owner = TestClient(server.app, client=("198.51.100.7", 40000))
    answer = owner.post(TOKEN_URL, json={"username": "gail", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    assert guess(server, "gail", PASSWORD) == 429  # the attacker's address stays throttled


def test_the_limit_is_shared_by_server_processes(
    server: TestClient, auth_settings: Settings, make_person: Callable[..., Person]
) -> None:
    make_person("gail")
    with TestClient(create_app(auth_settings)) as other_process:
        for attempt in range(CLIENT_LIMIT):
            assert guess(server if attempt % 2 else other_process, "gail") == 401
        assert guess(server, "gail") == 429
        assert guess(other_process, "gail") == 429


def test_guessing_from_many_addresses_is_bounded_per_name(sessions: sessionmaker[Session]) -> None:
    throttle = LoginThrottle(sessions, per_client=Budget(2, 60), per_name=Budget(7, 900), clock=Clock())
    allowed = sum(throttle.reserve("gail", f"203.0.113.{n}").allowed for n in range(10) for _ in range(3))
    assert allowed == 7
    refused = throttle.reserve("gail", "198.51.100.7")
    assert not refused.allowed and refused.retry_after > 60  # the name-wide window
    assert throttle.reserve("hank", "203.0.113.1").allowed  # other names have their own budget


def test_a_correct_password_gives_its_attempt_back(sessions: sessionmaker[Session]) -> None:
    throttle = LoginThrottle(sessions, per_client=Budget(2, 60), per_name=Budget(3, 900), clock=Clock())
    for n in range(10):  # the owner logging in again and again never uses up the name's budget
        assert throttle.reserve("gail", f"198.51.100.{n}").allowed
        throttle.succeeded("gail", f"198.51.100.{n}")
    assert throttle.reserve("gail", "198.51.100.99").allowed


def test_windows_end_and_their_counters_are_deleted(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    throttle = LoginThrottle(sessions, per_client=Budget(2, 60), per_name=Budget(50, 300), clock=clock)
    for _ in range(2):
        assert throttle.reserve("gail", "203.0.113.1").allowed
    refused = throttle.reserve("gail", "203.0.113.1")
    assert not refused.allowed and 0 < refused.retry_after <= 60
    clock.now += 61
    assert throttle.reserve("gail", "203.0.113.1").allowed
    assert throttle.tracked() == 2  # the pair and the name-wide counter
    clock.now += 301
    throttle.reserve("hank", "203.0.113.1")  # the next attempt deletes the ended windows
    assert throttle.tracked() == 2  # only hank's


def test_a_flood_of_names_does_not_reset_a_throttled_name(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    throttle = LoginThrottle(sessions, clock=clock)
    for _ in range(CLIENT_LIMIT):
        assert throttle.reserve("gail", "203.0.113.1").allowed
    assert not throttle.reserve("gail", "203.0.113.1").allowed
    # 20,000 other names' counters, stored as reserve() stores them (one insert: 20,000 upserts
    # take minutes on a loaded machine), then more real attempts with new names
    counters = [
        {"name": f"made-up-{n}", "client": "203.0.113.1", "attempts": 1, "window_ends": clock.now + 60}
        for n in range(20_000)
    ]
    with transaction(sessions) as session:
        session.execute(insert(LoginAttemptRow), counters)
    clock.now += 30
    another_process = LoginThrottle(sessions, clock=clock)  # its first attempt deletes ended windows
    for n in range(300):
        assert another_process.reserve(f"new-name-{n}", "203.0.113.2").allowed
    assert throttle.tracked() == 1 + 1 + 20_000 + 300 * 2
    assert not another_process.reserve("gail", "203.0.113.1").allowed
    assert not throttle.reserve("gail", "203.0.113.1").allowed

"""The watchdog beside a run on a worker: it starts, beats, notices a cancel, and stops and joins cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from flowza.db.migrate import upgrade
from flowza.db.models import RunRow, User, WorkflowRow
from flowza.db.repositories import Runs
from flowza.db.session import make_engine, make_session_factory, transaction
from flowza.runs.executor import CancelSignal
from flowza.worker.leases import Leases
from flowza.worker.watch import Watchdog

WORKER = "test-worker:1"


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'flowza.db'}"
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def claimed_run(sessions: sessionmaker[Session]) -> str:
    """A running Celery run whose attempt 1 this test's worker holds."""
    with transaction(sessions) as session:
        user = User(name="watch")
        session.add(user)
        session.flush()
        workflow = WorkflowRow(owner_id=user.id, name="w")
        session.add(workflow)
        session.flush()
        run = Runs(session).create(
            RunRow(owner_id=user.id, workflow_id=workflow.id, workflow_version=1, executor="celery"), []
        )
        run_id = run.id
    with transaction(sessions) as session:
        assert Leases(session).claim(run_id, 1, WORKER)
        assert Runs(session).mark_started(run_id)
    return run_id


def watchdog(sessions: sessionmaker[Session], run_id: str, signal: CancelSignal, exits: list[int]) -> Watchdog:
    return Watchdog(sessions, run_id, 1, WORKER, signal, tick=0.05, timeout=600, grace=600, exit_process=exits.append)


def test_the_watchdog_starts_stops_and_joins_without_error(sessions: sessionmaker[Session]) -> None:
    run_id = claimed_run(sessions)
    signal = CancelSignal()
    exits: list[int] = []
    dog = watchdog(sessions, run_id, signal, exits)
    dog.start()
    assert dog.is_alive()
    with sessions() as session:
        first = session.get(RunRow, run_id)
        assert first is not None and first.heartbeat_at is not None
        beat_before = first.heartbeat_at
    threading.Event().wait(0.3)  # a few ticks
    dog.finish()
    dog.join(timeout=10)  # once raised TypeError: the watchdog shadowed Thread._stop, which join() calls
    assert not dog.is_alive()
    with sessions() as session:
        row = session.get(RunRow, run_id)
        assert row is not None and row.heartbeat_at is not None and row.heartbeat_at > beat_before
    assert not signal.is_set() and exits == []


def test_the_watchdog_passes_a_cancel_request_to_the_run(sessions: sessionmaker[Session]) -> None:
    run_id = claimed_run(sessions)
    signal = CancelSignal()
    exits: list[int] = []
    dog = watchdog(sessions, run_id, signal, exits)
    dog.start()
    with transaction(sessions) as session:
        Runs(session).request_cancel(run_id)
    assert signal.wait(10), "the cancel request never reached the run's signal"
    assert signal.reason is None  # a person's cancel, not a time limit
    dog.finish()
    dog.join(timeout=10)
    assert not dog.is_alive() and exits == []

"""Several writers appending to one run's event stream at once (its executor, a Cancel request, the
reaper) get one gap-free numbering 1..n, each event's body naming its own number. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.repositories import Runs
from flowza.db.session import retry_on_conflict
from tests.api.conftest import csv_bytes, save, upload
from tests.api.test_cancel_training import big_frame, training_workflow

WRITERS = 4
EVENTS_EACH = 15


def test_concurrent_writers_number_a_runs_events_without_gaps_or_duplicates(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        state = client.app.state.flowza  # type: ignore[attr-defined]
        upload(client, "big.csv", csv_bytes(big_frame(rows=200)))
        saved = save(client, training_workflow("random_forest", {"n_estimators": 5}))
        run = state.runs.create(state.user_id, saved["id"], None, None)  # never handed to an executor
        start = threading.Barrier(WRITERS)
        failures: list[BaseException] = []

        def writer(number: int) -> None:
            try:
                start.wait()
                for index in range(EVENTS_EACH):
                    payload: dict[str, Any] = {"writer": number, "index": index}
                    retry_on_conflict(state.sessions, lambda s, p=payload: Runs(s).append_event(run.id, "test", p))
            except BaseException as exc:  # reported below with the test's assertion
                failures.append(exc)

        threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        with state.sessions() as session:
            events = list(Runs(session).events_after(run.id, 0, limit=1000))
        assert [event.seq for event in events] == list(range(1, WRITERS * EVENTS_EACH + 1))
        assert all(event.payload["seq"] == event.seq for event in events)
        for number in range(WRITERS):  # each writer's events in the order it wrote them
            mine = [event.payload["index"] for event in events if event.payload["writer"] == number]
            assert mine == list(range(EVENTS_EACH))

"""Several writers appending to one run's event stream at once (its executor, a Cancel request, the
reaper) get one gap-free numbering 1..n, each event's body naming its own number. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.repositories import Runs
from flowza.db.session import retry_on_conflict, transaction
from flowza.worker.leases import write_final
from tests.api.conftest import csv_bytes, save, upload
from tests.api.test_cancel_training import big_frame, training_workflow

WRITERS = 4
EVENTS_EACH = 15



def run_together(threads: list[threading.Thread]) -> None:
    """Start every thread, then wait for each (bounded, so a deadlock fails the test instead of hanging)."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

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

        run_together([threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)])
        assert not failures, failures
        with state.sessions() as session:
            events = list(Runs(session).events_after(run.id, 0, limit=1000))
        assert [event.seq for event in events] == list(range(1, WRITERS * EVENTS_EACH + 1))
        assert all(event.payload["seq"] == event.seq for event in events)
        for number in range(WRITERS):  # each writer's events in the order it wrote them
            mine = [event.payload["index"] for event in events if event.payload["writer"] == number]
            assert mine == list(range(EVENTS_EACH))


def test_a_final_state_written_while_the_engine_records_an_event_does_not_deadlock(settings: Settings) -> None:
    """The engine's event sink (event, then node) and a watchdog or reaper writing the final state
    (nodes, run, event) at the same moment: both take the run's row first, so one waits for the other
    (before, on PostgreSQL, each held what the other wanted and one failed as a deadlock)."""
    with TestClient(create_app(settings)) as client:
        state = client.app.state.flowza  # type: ignore[attr-defined]
        upload(client, "big.csv", csv_bytes(big_frame(rows=200)))
        saved = save(client, training_workflow("random_forest", {"n_estimators": 5}))
        run = state.runs.create(state.user_id, saved["id"], None, None)
        evented = threading.Event()
        failures: list[BaseException] = []

        def engine_event() -> None:  # what RunRecorder.__call__ writes for node_started
            try:
                with transaction(state.sessions) as session:
                    runs = Runs(session)
                    runs.append_event(run.id, "node_started", {"node_id": "model"})
                    evented.set()
                    time.sleep(1.0)  # the final-state writer gets going meanwhile
                    runs.update_node(run.id, "model", status="running")
            except BaseException as exc:
                failures.append(exc)

        def final_state() -> None:  # what the watchdog's hard stop and the reaper write
            try:
                evented.wait(30)
                with transaction(state.sessions) as session:
                    write_final(session, run.id, "cancelled", "stopped", "cancelled")
            except BaseException as exc:
                failures.append(exc)

        run_together([threading.Thread(target=engine_event), threading.Thread(target=final_state)])
        assert not failures, failures
        with state.sessions() as session:
            kinds = [event.type for event in Runs(session).events_after(run.id, 0)]
        assert kinds == ["node_started", "run_finished"]
        assert client.get(f"/api/v1/runs/{run.id}").json()["status"] == "cancelled"

"""Cancellation on a Celery worker: the node in progress stops within 5 s, later nodes never start."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from flowza.worker.watch import CANCELLED_HARD
from tests.api.conftest import csv_bytes, save, sse_events, upload
from tests.api.test_cancel_training import MODELS, STOPPED, big_frame, training_workflow
from tests.worker.conftest import (
    Stack,
    events_of,
    get_run,
    saved_workflow,
    start_run,
    started,
    wait_finished,
    wait_for,
    wait_node,
)

CANCEL_LIMIT = 5.0


def test_cancel_stops_the_node_in_progress_within_5_seconds(stack: Stack, api: TestClient) -> None:
    # `split` sleeps without checking for cancellation, like a node busy inside a library call
    worker = stack.start_worker("a", FLOWZA_TEST_NODE_DELAY="split=300")
    run_id = start_run(api, saved_workflow(api))
    wait_node(api, run_id, "split", "running")
    asked = time.monotonic()
    response = api.post(f"/api/v1/runs/{run_id}/cancel")
    assert response.status_code == 202, response.text
    run = wait_finished(api, run_id, timeout=30)
    took = time.monotonic() - asked
    print(f"cancelled {took:.2f} s after the request")
    assert took < CANCEL_LIMIT
    assert run["status"] == "cancelled"
    assert run["nodes"]["split"]["status"] == "cancelled"
    assert run["nodes"]["model"]["status"] == "cancelled" and run["nodes"]["eval"]["status"] == "cancelled"
    events = events_of(stack.database_url, run_id)
    assert started(events, "model") == 0 and started(events, "eval") == 0
    assert [kind for _, kind, _ in events].count("run_finished") == 1

    # later nodes never start, and the worker (a fresh child) goes on with the next run
    time.sleep(2)
    assert started(events_of(stack.database_url, run_id), "model") == 0
    assert get_run(api, run_id)["status"] == "cancelled"
    assert worker.process.poll() is None
    other = wait_finished(api, start_run(api, saved_workflow(api, "other", prefix="b_")), timeout=90)
    assert other["status"] == "succeeded"


def test_cancel_a_queued_run_before_any_worker_takes_it(stack: Stack, api: TestClient) -> None:
    run_id = start_run(api, saved_workflow(api))  # no worker is running: it stays queued
    assert api.post(f"/api/v1/runs/{run_id}/cancel").status_code == 202
    run = get_run(api, run_id)
    assert run["status"] == "cancelled" and run["error"] == "cancelled before it started"
    assert {node["status"] for node in run["nodes"].values()} == {"cancelled"}
    stack.start_worker("a")  # the message still in the queue is delivered and does nothing
    wait_for(lambda: "nothing to do" in stack.workers[0].output(), 60, "the stale message to be skipped")
    kinds = [kind for _, kind, _ in events_of(stack.database_url, run_id)]
    assert kinds == ["run_finished"]


def test_a_run_over_its_time_limit_is_stopped_and_failed(stack: Stack, api: TestClient) -> None:
    stack.start_worker("a", FLOWZA_TEST_NODE_DELAY="split=300", FLOWZA_RUN_TIMEOUT="4")
    run_id = start_run(api, saved_workflow(api))
    wait_node(api, run_id, "split", "running")
    run = wait_finished(api, run_id, timeout=60)
    assert run["status"] == "failed"
    assert run["error"] == "the run took longer than FLOWZA_RUN_TIMEOUT (4 s) and was stopped"
    assert run["nodes"]["split"]["status"] == "failed" and run["nodes"]["eval"]["status"] == "failed"
    assert started(events_of(stack.database_url, run_id), "model") == 0


@pytest.mark.parametrize("model_type", sorted(MODELS))
def test_cancel_stops_a_long_fit_on_a_worker_part_way(stack: Stack, api: TestClient, model_type: str) -> None:
    params, unit = MODELS[model_type]
    worker = stack.start_worker("a")
    upload(api, "big.csv", csv_bytes(big_frame()))
    run_id = start_run(api, str(save(api, training_workflow(model_type, params))["id"]))

    def fitting() -> bool:
        events = events_of(stack.database_url, run_id)
        return any(kind == "node_progress" and payload.get("node_id") == "model" for _, kind, payload in events)

    wait_for(fitting, 180, f"{model_type} to report progress on the worker")
    cancel = api.post(f"/api/v1/runs/{run_id}/cancel")
    assert cancel.status_code == 202, cancel.text
    assert cancel.json()["status"] == "cancelling"

    run = wait_finished(api, run_id, timeout=120)
    assert run["status"] == "cancelled", run
    model = run["nodes"]["model"]
    assert model["status"] == "cancelled" and run["nodes"]["eval"]["status"] == "cancelled"
    # the fit stopped itself part-way (the watchdog did not have to end the worker's process)
    stopped = [m for line in model["log"] if (m := STOPPED.fullmatch(line))]
    assert len(stopped) == 1, model["log"]
    assert stopped[0].group(3) == unit and 1 <= int(stopped[0].group(1)) < params["n_estimators"]
    assert run["error"] != CANCELLED_HARD and model["error"] != CANCELLED_HARD
    kinds = [(e["event"], e["data"].get("status")) for e in sse_events(api, run_id)]
    assert kinds.index(("run_cancelling", "cancelling")) < kinds.index(("run_finished", "cancelled"))
    assert "ending this worker process" not in worker.output()
    assert "Traceback" not in worker.output()

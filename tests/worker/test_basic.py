"""A run from the API executed by a `flowza worker` process; its events reach the SSE stream in order."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flowza.worker.celery_app import RUN_TASK
from tests.api.conftest import sse_events
from tests.worker.conftest import PIPELINE, Stack, saved_workflow, start_run, wait_finished, wait_for


def test_a_run_is_executed_by_a_worker_and_streams_its_events(stack: Stack, api: TestClient) -> None:
    assert api.get("/api/v1/health").json()["executor"] == "celery"
    stack.start_worker("w1")
    run_id = start_run(api, saved_workflow(api))
    run = wait_finished(api, run_id)
    assert run["status"] == "succeeded", run
    assert [node["status"] for node in run["nodes"].values()] == ["succeeded"] * len(PIPELINE)
    assert 0.8 < run["metrics"]["eval"]["accuracy"] <= 1.0
    # the worker has a data directory of its own: it fetched the dataset from the artifact store
    assert [p.name for p in (stack.root / "data-w1").glob("users/*/datasets/*.csv")] == ["iris.csv"]

    events = sse_events(api, run_id)
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    assert events[0]["event"] == "run_started" and events[-1]["event"] == "run_finished"
    assert [e["data"]["node_id"] for e in events if e["event"] == "node_started"] == PIPELINE

    # the API reads node outputs a worker wrote, through the artifact store (its own cache is empty)
    preview = api.get(f"/api/v1/runs/{run_id}/nodes/split/output", params={"limit": 5})
    assert preview.status_code == 200, preview.text
    assert preview.json()["kind"] == "table" and len(preview.json()["rows"]) == 5


def task_endings(log: str) -> list[str]:
    """Celery's lines saying how a run task ended: `Task flowza.run[id] succeeded in ...` or `... raised ...`."""
    return [line for line in log.splitlines() if RUN_TASK in line and (" succeeded in " in line or " raised " in line)]


def test_a_task_ends_cleanly_in_the_worker_log(stack: Stack, api: TestClient) -> None:
    worker = stack.start_worker("w1")
    run_id = start_run(api, saved_workflow(api))
    assert wait_finished(api, run_id)["status"] == "succeeded"
    # the task returns after joining its watchdog thread; Celery then logs how the task ended
    ended = wait_for(lambda: task_endings(worker.output()), 60, "the task's end in the worker log")
    log = worker.output()
    assert len(ended) == 1 and " succeeded in " in ended[0], log[-3000:]
    assert "Traceback" not in log and "TypeError" not in log, log[-3000:]

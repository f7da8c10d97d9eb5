"""Crash recovery: a killed worker's run resumes elsewhere from cached outputs, exactly once; a run
that kills its worker every time fails after FLOWZA_MAX_ATTEMPTS; a duplicate delivery does nothing.

`split` is made slow with the documented test hook FLOWZA_TEST_NODE_DELAY (see flowza.worker.recording).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from flowza.db.session import make_engine
from flowza.worker.celery_app import RUN_TASK, make_celery
from tests.worker.conftest import (
    HEARTBEAT_TIMEOUT,
    Stack,
    events_of,
    get_run,
    run_row,
    saved_workflow,
    start_run,
    started,
    wait_finished,
    wait_for,
    wait_node,
)


def test_worker_killed_mid_node_then_a_new_worker_completes_the_run_once(stack: Stack, api: TestClient) -> None:
    first = stack.start_worker("a", FLOWZA_TEST_NODE_DELAY="split=300")
    run_id = start_run(api, saved_workflow(api))
    wait_node(api, run_id, "split", "running")
    time.sleep(1.0)  # the outputs of load and clean reach the store (written in the background)
    first.kill()
    killed = time.monotonic()
    stack.start_worker("b")  # its own empty cache: it can reuse outputs only through the artifact store
    run = wait_finished(api, run_id, timeout=HEARTBEAT_TIMEOUT + 90)
    took = time.monotonic() - killed
    assert run["status"] == "succeeded", run
    statuses = {node_id: node["status"] for node_id, node in run["nodes"].items()}
    assert statuses == {
        "load": "cached",
        "clean": "cached",
        "split": "succeeded",
        "model": "succeeded",
        "eval": "succeeded",
    }
    events = events_of(stack.database_url, run_id)
    kinds = [kind for _, kind, _ in events]
    assert [seq for seq, _, _ in events] == list(range(1, len(events) + 1))
    assert kinds.count("run_finished") == 1 and kinds[-1] == "run_finished"
    assert kinds.count("run_requeued") == 1
    assert started(events, "load") == 1 and started(events, "clean") == 1  # not recomputed
    assert run_row(stack.database_url, run_id)["attempt"] == 2
    artifacts = api.get(f"/api/v1/runs/{run_id}/artifacts").json()
    pairs = [(a["node_id"], a["port"]) for a in artifacts]
    assert len(pairs) == len(set(pairs)) == 5
    print(f"recovered {took:.1f} s after the kill (heartbeat timeout {HEARTBEAT_TIMEOUT:g} s)")


def test_a_run_that_kills_its_worker_every_time_fails_after_the_attempt_limit(stack: Stack, api: TestClient) -> None:
    worker = stack.start_worker("a", FLOWZA_TEST_NODE_DELAY="split=300")
    run_id = start_run(api, saved_workflow(api))
    for attempt in (1, 2, 3):
        wait_for(
            lambda n=attempt: started(events_of(stack.database_url, run_id), "split") == n, 90, f"attempt {attempt}"
        )
        holder = run_row(stack.database_url, run_id)
        assert holder["attempt"] == attempt and holder["status"] == "running"
        os.kill(int(holder["worker"].rsplit(":", 1)[1]), signal.SIGKILL)  # the pool child dies, as by the OOM killer
    run = wait_finished(api, run_id, timeout=HEARTBEAT_TIMEOUT * 2 + 60)
    assert run["status"] == "failed"
    assert "3 attempts" in run["error"] and "stopped responding" in run["error"]
    assert run["nodes"]["split"]["status"] == "failed" and run["nodes"]["eval"]["status"] == "failed"
    kinds = [kind for _, kind, _ in events_of(stack.database_url, run_id)]
    assert kinds.count("run_requeued") == 2 and kinds.count("run_finished") == 1
    assert worker.process.poll() is None  # the worker itself lived on and replaced its children


def test_the_same_attempt_delivered_twice_runs_once(stack: Stack, api: TestClient) -> None:
    run_id = start_run(api, saved_workflow(api))  # sent as attempt 1 while no worker is up
    duplicate = make_celery(stack.settings())
    duplicate.send_task(RUN_TASK, args=[run_id, 1], queue=stack.queue)
    duplicate.send_task(RUN_TASK, args=[run_id, 1], queue=stack.queue)
    duplicate.close()
    worker = stack.start_worker("a", concurrency=2)
    run = wait_finished(api, run_id)
    assert run["status"] == "succeeded"
    wait_for(lambda: worker.output().count("nothing to do") >= 2, 30, "both duplicates to be skipped")
    kinds = [kind for _, kind, _ in events_of(stack.database_url, run_id)]
    assert kinds.count("run_started") == 1 and kinds.count("run_finished") == 1
    assert run_row(stack.database_url, run_id)["attempt"] == 1


def test_a_stale_run_that_was_asked_to_cancel_ends_cancelled_not_requeued(stack: Stack, api: TestClient) -> None:
    run_id = start_run(api, saved_workflow(api))  # no worker: we play a worker that died mid-run
    engine = make_engine(stack.database_url, pool_size=1)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE runs SET status = 'running', attempt = 1, worker = 'gone:1', cancel_requested = true, "
                    "heartbeat_at = now() - interval '1 hour' WHERE id = :id"
                ),
                {"id": run_id},
            )
    finally:
        engine.dispose()
    run = wait_finished(api, run_id, timeout=60)  # the API's reaper finds it
    assert run["status"] == "cancelled" and "stopped responding" in run["error"]
    kinds = [kind for _, kind, _ in events_of(stack.database_url, run_id)]
    assert kinds == ["run_finished"] and run_row(stack.database_url, run_id)["attempt"] == 1


def test_a_worker_frozen_past_its_heartbeat_timeout_is_fenced_off(stack: Stack, api: TestClient) -> None:
    worker = stack.start_worker("a", concurrency=2, FLOWZA_TEST_NODE_DELAY="split=4")
    run_id = start_run(api, saved_workflow(api))
    wait_node(api, run_id, "split", "running")
    frozen = int(run_row(stack.database_url, run_id)["worker"].rsplit(":", 1)[1])
    os.kill(frozen, signal.SIGSTOP)  # alive but silent, like a VM paused or a process swapped out
    try:
        wait_for(lambda: run_row(stack.database_url, run_id)["attempt"] == 2, HEARTBEAT_TIMEOUT + 60, "attempt 2")
        run = wait_finished(api, run_id, timeout=90)  # the other pool process ran attempt 2
    finally:
        os.kill(frozen, signal.SIGCONT)
    assert run["status"] == "succeeded"
    # woken up, the old attempt finds the run taken over: it ends itself and writes nothing more
    wait_for(lambda: not os.path.exists(f"/proc/{frozen}") or _zombie(frozen), 30, "the frozen process to end")
    time.sleep(1)
    events = events_of(stack.database_url, run_id)
    kinds = [kind for _, kind, _ in events]
    assert kinds.count("run_finished") == 1 and kinds[-1] == "run_finished"
    assert [seq for seq, _, _ in events] == list(range(1, len(events) + 1))
    assert get_run(api, run_id)["status"] == "succeeded" and run_row(stack.database_url, run_id)["attempt"] == 2
    assert "was taken over" in worker.output() or "is no longer ours" in worker.output()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True

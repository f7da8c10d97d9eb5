"""Redis restarted mid-run (without persistence, so queued messages are lost): every run still finishes."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
import redis
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.demo import iris
from tests.api.conftest import csv_bytes, upload
from tests.worker.conftest import (
    Stack,
    events_of,
    saved_workflow,
    start_run,
    wait_finished,
    wait_node,
)


def test_redis_restart_mid_run(
    stack: Stack, private_redis: tuple[str, Callable[[], None]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="flowza.worker.reaper")
    stack.broker_url, restart = private_redis
    worker = stack.start_worker("a", FLOWZA_TEST_NODE_DELAY="split=5")
    with TestClient(create_app(stack.settings())) as api:
        upload(api, "iris.csv", csv_bytes(iris()))
        workflow_id = saved_workflow(api)
        running = start_run(api, workflow_id)
        wait_node(api, running, "split", "running")
        queued = [start_run(api, workflow_id) for _ in range(2)]  # waiting in Redis behind the running one
        waiting = redis.Redis.from_url(stack.broker_url).llen(stack.queue)
        restart()  # the queued messages are gone with the old Redis
        for run_id in [running, *queued]:
            run = wait_finished(api, run_id, timeout=120)
            assert run["status"] == "succeeded", run
            kinds = [kind for _, kind, _ in events_of(stack.database_url, run_id)]
            assert kinds.count("run_started") == 1 and kinds.count("run_finished") == 1
        if waiting:  # messages were lost with the old Redis: a reaper (the API's or the worker's) re-sent them
            in_api = any("still queued" in record.getMessage() for record in caplog.records)
            assert in_api or "still queued" in worker.output()

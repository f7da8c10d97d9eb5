"""The issue's "done when": `flowza serve` and two `flowza worker` processes on PostgreSQL and Redis;
runs sent over HTTP are executed by the workers, and their files download from the API (the
cancel, crash and restart cases are in the other files of this folder)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from flowza.demo import iris
from tests.api.conftest import csv_bytes
from tests.worker.conftest import FLOWZA, STARTUP_SECONDS, Stack, free_port, run_row, small_workflow, wait_for


@pytest.fixture
def server(stack: Stack) -> Iterator[httpx.Client]:
    port = free_port()
    log = stack.root / "serve.log"
    process = subprocess.Popen(
        [FLOWZA, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=stack.env("api", FLOWZA_SEED_SAMPLES="false"),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30)

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text()[-2000:]}")
        try:
            return client.get("/health").status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, STARTUP_SECONDS, "flowza serve", every=0.2)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def finished(client: httpx.Client, run_id: str) -> dict[str, Any] | None:
    run: dict[str, Any] = client.get(f"/runs/{run_id}").json()
    return run if run["status"] not in ("pending", "running") else None


def test_serve_sends_runs_to_two_workers(stack: Stack, server: httpx.Client) -> None:
    workers = [stack.start_worker(name, wait=False) for name in ("a", "b")]
    for worker in workers:
        worker.wait_ready()
    assert server.get("/health").json()["executor"] == "celery"
    assert server.post("/datasets", files={"file": ("iris.csv", csv_bytes(iris()), "text/csv")}).status_code == 201
    saved = server.post("/workflows", json=small_workflow()).json()
    run_ids = [server.post(f"/workflows/{saved['id']}/runs").json()["id"] for _ in range(6)]
    runs = [wait_for(lambda r=run_id: finished(server, r), 120, f"run {run_id}", every=0.2) for run_id in run_ids]
    assert [run["status"] for run in runs] == ["succeeded"] * 6
    assert {run_row(stack.database_url, run_id)["worker"].split("-", 1)[0] for run_id in run_ids} <= {"a", "b"}
    artifacts = server.get(f"/runs/{run_ids[0]}/artifacts").json()
    model = next(a for a in artifacts if a["node_id"] == "model")
    download = server.get(model["downloads"]["skops"].removeprefix("/api/v1"))
    assert download.status_code == 200 and len(download.content) > 100  # a worker's file, through the store

"""Real processes for the worker tests: PostgreSQL, Redis, `flowza worker` subprocesses, the API in-process.

Every test gets a fresh PostgreSQL database and its own Celery queue, so tests (and parallel test
sessions) never see each other's runs. Workers have their own cache directories and share node
outputs only through the artifact store (a `file://` fsspec URL), like workers on other machines.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import text

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.session import make_engine
from flowza.demo import iris
from tests.api.conftest import csv_bytes, save, upload
from tests.postgres import fresh_database

FLOWZA = str(Path(sys.executable).parent / "flowza")
REDIS_URL = os.environ.get("FLOWZA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HEARTBEAT_TIMEOUT = 8.0
STARTUP_SECONDS = 90.0  # a worker on a loaded 2-core machine can take a while to import everything

# load → clean → split → model → eval; the tests slow down `split` with FLOWZA_TEST_NODE_DELAY.
PIPELINE = ["load", "clean", "split", "model", "eval"]


def small_workflow(name: str = "iris", prefix: str = "", test_size: float = 0.2) -> dict[str, Any]:
    """The test pipeline; `prefix` renames its nodes (the delay hook is keyed by node id)."""
    ids = [prefix + node_id for node_id in PIPELINE]
    nodes = [
        {"id": ids[0], "type": "load_csv", "params": {"dataset": "iris.csv"}},
        {"id": ids[1], "type": "drop_nulls", "params": {}},
        {"id": ids[2], "type": "train_test_split", "params": {"target": "species", "test_size": test_size}},
        {"id": ids[3], "type": "logistic_regression", "params": {}},
        {"id": ids[4], "type": "evaluate", "params": {}},
    ]
    edges = [{"source": a, "target": b} for a, b in zip(ids, ids[1:], strict=False)]
    return {"schema_version": 1, "name": name, "nodes": nodes, "edges": edges}


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def database_url() -> Iterator[str]:
    with fresh_database("flowza_worker") as url:
        yield url


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited {self.process.returncode}:\n{self.output()[-3000:]}")
            return " ready." in self.output()

        wait_for(ready, timeout, f"worker {self.name} to be ready", every=0.2)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children, as when its machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@dataclass
class Stack:
    """One test's Flowza installation: database, queue, data dir, artifact store, workers, API."""

    root: Path
    database_url: str
    broker_url: str
    queue: str = field(default_factory=lambda: f"flowza-test-{uuid.uuid4().hex[:10]}")
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def store_url(self) -> str:
        return (self.root / "store").as_uri()

    def env(self, cache_name: str, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("FLOWZA_")}
        env.update(
            FLOWZA_DATABASE_URL=self.database_url,
            FLOWZA_BROKER_URL=self.broker_url,
            FLOWZA_QUEUE=self.queue,
            FLOWZA_DATA_DIR=str(self.root / f"data-{cache_name}"),  # like another machine: datasets come
            FLOWZA_CACHE_DIR=str(self.root / f"cache-{cache_name}"),  # ...and node outputs through the store
            FLOWZA_ARTIFACTS_URL=self.store_url,
            FLOWZA_HEARTBEAT_SECONDS="0.5",
            FLOWZA_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
            FLOWZA_REDISPATCH_SECONDS="5",
            FLOWZA_MAX_ATTEMPTS="3",
        )
        env.update(extra)
        return env

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = dict(
            home=self.root / "home",
            data_dir=self.root / "data",
            cache_dir=self.root / "cache-api",
            database_url=self.database_url,
            broker_url=self.broker_url,
            queue=self.queue,
            artifacts_url=self.store_url,
            heartbeat_seconds=0.5,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            redispatch_seconds=5,
            max_attempts=3,
            seed_samples=False,
        )
        values.update(overrides)
        return Settings(**values)

    def start_worker(self, name: str, concurrency: int = 1, wait: bool = True, **extra: str) -> WorkerProcess:
        log = self.root / f"worker-{name}-{len(self.workers)}.log"
        process = subprocess.Popen(
            [FLOWZA, "worker", "-c", str(concurrency), "--hostname", f"{name}-{self.queue}@%h", "--loglevel", "info"],
            env=self.env(name, **extra),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = WorkerProcess(name, process, log)
        self.workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait(timeout=30)


@pytest.fixture
def stack(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[Stack]:
    built = Stack(tmp_path, database_url, redis_url)
    try:
        yield built
    finally:
        built.close()
        try:
            redis.Redis.from_url(built.broker_url, socket_connect_timeout=3).delete(built.queue)
        except redis.RedisError:
            pass


@pytest.fixture
def api(stack: Stack) -> Iterator[TestClient]:
    with TestClient(create_app(stack.settings())) as client:
        upload(client, "iris.csv", csv_bytes(iris()))
        yield client


def saved_workflow(client: TestClient, name: str = "iris", prefix: str = "", test_size: float = 0.2) -> str:
    return str(save(client, small_workflow(name, prefix, test_size))["id"])


def start_run(client: TestClient, workflow_id: str) -> str:
    response = client.post(f"/api/v1/workflows/{workflow_id}/runs")
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def get_run(client: TestClient, run_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/runs/{run_id}").json()
    return body


def wait_finished(client: TestClient, run_id: str, timeout: float = 90.0) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        run = get_run(client, run_id)
        return run if run["status"] not in ("pending", "running", "cancelling") else None

    result: dict[str, Any] = wait_for(finished, timeout, f"run {run_id} to finish", every=0.2)
    return result


def events_of(database_url: str, run_id: str) -> list[tuple[int, str, dict[str, Any]]]:
    """The run's stored events (seq, type, payload), straight from the database."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT seq, type, payload FROM run_events WHERE run_id = :id ORDER BY seq"), {"id": run_id}
            ).all()
    finally:
        engine.dispose()
    return [(int(row[0]), str(row[1]), dict(row[2])) for row in rows]


def run_row(database_url: str, run_id: str) -> dict[str, Any]:
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT status, attempt, worker, error FROM runs WHERE id = :id"), {"id": run_id}
            ).one()
    finally:
        engine.dispose()
    return {"status": row[0], "attempt": row[1], "worker": row[2], "error": row[3]}


def started(events: list[tuple[int, str, dict[str, Any]]], node_id: str) -> int:
    return sum(1 for _, kind, payload in events if kind == "node_started" and payload.get("node_id") == node_id)


def wait_node(client: TestClient, run_id: str, node_id: str, status: str, timeout: float = 90.0) -> None:
    wait_for(
        lambda: get_run(client, run_id)["nodes"][node_id]["status"] == status,
        timeout,
        f"node {node_id} {status}",
        every=0.1,
    )


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A Redis server of this test's own (so restarting it disturbs no one), and a restart function."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(tmp_path)]
    processes: list[subprocess.Popen[bytes]] = []

    def launch() -> None:
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        client = redis.Redis(port=port, socket_connect_timeout=1)
        wait_for(lambda: _pings(client), 20, "private redis")

    def restart() -> None:
        processes[-1].kill()
        processes[-1].wait(timeout=10)
        launch()

    launch()
    try:
        yield f"redis://127.0.0.1:{port}/0", restart
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False

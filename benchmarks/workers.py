"""Celery workers vs the inline executor, on real PostgreSQL and Redis.

1. Latency: submit-to-finished time of a small 3-node workflow (load_csv → drop_nulls →
   train_test_split, a new split seed each run so the split really runs), one run at a time, through
   the inline executor and through one `flowza worker`. The difference is what Celery adds per run.
2. Throughput: 100 small runs submitted at once, executed by 1 and by 2 workers (concurrency 1
   each): the time until all have finished.

The API runs in this process (FastAPI TestClient); workers are real `flowza worker` processes.
Creates a fresh database flowza_bench_<random> on 127.0.0.1:5432 (dropped at the end) and uses a
private Celery queue on redis://127.0.0.1:6379/0.
Usage: python benchmarks/workers.py [--latency-runs 30] [--runs 100]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.migrate import upgrade
from flowza.demo import iris

FLOWZA = str(Path(sys.executable).parent / "flowza")
REDIS = os.environ.get("FLOWZA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
POLL = 0.005


def admin(sql: str) -> None:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def workflow(seed: int) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "bench",
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": "iris.csv"}},
            {"id": "clean", "type": "drop_nulls", "params": {}},
            {"id": "split", "type": "train_test_split", "params": {"target": "species", "seed": seed}},
        ],
        "edges": [{"source": "load", "target": "clean"}, {"source": "clean", "target": "split"}],
    }


class Bench:
    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.database_url = database_url
        self.queue = f"flowza-bench-{uuid.uuid4().hex[:8]}"
        self.seed = 1000

    def settings(self, broker: bool) -> Settings:
        return Settings(
            home=self.root / "home",
            data_dir=self.root / "data",
            cache_dir=self.root / "cache",
            database_url=self.database_url,
            broker_url=REDIS if broker else None,
            queue=self.queue,
            seed_samples=False,
            run_workers=2,
        )

    def worker_env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("FLOWZA_")}
        env.update(
            FLOWZA_DATABASE_URL=self.database_url,
            FLOWZA_BROKER_URL=REDIS,
            FLOWZA_QUEUE=self.queue,
            FLOWZA_DATA_DIR=str(self.root / "data"),
            FLOWZA_CACHE_DIR=str(self.root / "cache"),
        )
        return env

    @contextmanager
    def workers(self, count: int) -> Iterator[None]:
        processes = []
        logs = []
        for index in range(count):
            log = self.root / f"worker-{count}-{index}.log"
            logs.append(log)
            command = [
                FLOWZA,
                "worker",
                "-c",
                "1",
                "--hostname",
                f"bench{index}-{self.queue}@%h",
                "--loglevel",
                "info",
            ]
            processes.append(
                subprocess.Popen(
                    command,
                    env=self.worker_env(),
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        try:
            deadline = time.monotonic() + 120
            ready = [False] * count
            while not all(ready):
                for index, log in enumerate(logs):
                    ready[index] = ready[index] or "ready." in log.read_text(errors="replace")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"workers did not start: {logs[0].read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)
            yield
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)

    def next_workflow(self, client: TestClient) -> str:
        self.seed += 1
        response = client.post("/api/v1/workflows", json=workflow(self.seed))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def submit(self, client: TestClient, workflow_id: str) -> str:
        response = client.post(f"/api/v1/workflows/{workflow_id}/runs")
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def wait(self, run_id: str, timeout: float = 120) -> str:
        """Poll the run's status with one light query every 5 ms (an HTTP client polling that often
        would eat a CPU the workers need on a small machine)."""
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.database_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as db:
            while time.monotonic() < deadline:
                row = db.execute("SELECT status FROM runs WHERE id = %s", (run_id,)).fetchone()
                status = str(row[0]) if row else "pending"
                if status not in ("pending", "running"):
                    return status
                time.sleep(POLL)
        raise RuntimeError(f"run {run_id} did not finish")

    def latency(self, client: TestClient, runs: int) -> tuple[list[float], list[float], list[float]]:
        """Submit-to-finished times, and per run: created → started (queue), started → finished (engine)."""
        times, run_ids = [], []
        for index in range(runs + 3):  # three warm-up runs: imports, first connections
            workflow_id = self.next_workflow(client)
            began = time.perf_counter()
            run_id = self.submit(client, workflow_id)
            status = self.wait(run_id)
            took = time.perf_counter() - began
            assert status == "succeeded", status
            if index >= 3:
                times.append(took)
                run_ids.append(run_id)
        with psycopg.connect(self.database_url.replace("postgresql+psycopg", "postgresql")) as connection:
            rows = connection.execute(
                "SELECT extract(epoch FROM started_at - created_at), extract(epoch FROM finished_at - started_at) "
                "FROM runs WHERE id = ANY(%s)",
                (run_ids,),
            ).fetchall()
        return times, [float(row[0]) for row in rows], [float(row[1]) for row in rows]

    def throughput(self, client: TestClient, runs: int, warm_up: int = 4) -> float:
        for run_id in [self.submit(client, self.next_workflow(client)) for _ in range(warm_up)]:
            self.wait(run_id)  # every worker process has run something: first-run imports are not timed
        workflow_ids = [self.next_workflow(client) for _ in range(runs)]
        began = time.perf_counter()
        run_ids = [self.submit(client, workflow_id) for workflow_id in workflow_ids]
        deadline = time.monotonic() + 600
        while True:  # one query for all runs, not a busy client per run: the API shares the CPUs
            statuses = self.statuses(run_ids)
            if all(status not in ("pending", "running") for status in statuses):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("runs did not finish")
            time.sleep(0.05)
        took = time.perf_counter() - began
        assert statuses == ["succeeded"] * runs, statuses
        return took

    def statuses(self, run_ids: list[str]) -> list[str]:
        with psycopg.connect(self.database_url.replace("postgresql+psycopg", "postgresql")) as connection:
            rows = dict(connection.execute("SELECT id, status FROM runs WHERE id = ANY(%s)", (run_ids,)).fetchall())
        return [str(rows[run_id]) for run_id in run_ids]


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"median {statistics.median(times) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms   (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-runs", type=int, default=30)
    parser.add_argument("--runs", type=int, default=100)
    options = parser.parse_args()
    name = f"flowza_bench_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory(prefix="flowza-bench-") as tmp:
            bench = Bench(Path(tmp), url)
            print(f"machine: {os.cpu_count()} CPUs; PostgreSQL 127.0.0.1:5432; Redis {REDIS}")
            with TestClient(create_app(bench.settings(broker=False))) as client:
                client.post("/api/v1/datasets", files={"file": ("iris.csv", iris().to_csv(index=False), "text/csv")})
                inline, inline_queue, inline_engine = bench.latency(client, options.latency_runs)
                inline_100 = bench.throughput(client, options.runs)
            with TestClient(create_app(bench.settings(broker=True))) as client:
                with bench.workers(1):
                    celery, celery_queue, celery_engine = bench.latency(client, options.latency_runs)
                    one = bench.throughput(client, options.runs)
                with bench.workers(2):
                    two = bench.throughput(client, options.runs)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    added = statistics.median(celery) - statistics.median(inline)
    print("\nsubmit-to-finished latency, 3-node workflow, one run at a time")
    print(f"  inline executor   {summary(inline)}")
    print(f"  celery, 1 worker  {summary(celery)}")
    print(f"  celery adds       {added * 1000:7.1f} ms per run (median; target <= 150 ms)")
    print("  where the time goes (medians): created → started (queue), started → finished (engine + recording)")
    for label, queue, engine in (("inline", inline_queue, inline_engine), ("celery", celery_queue, celery_engine)):
        print(
            f"  {label:8} queue {statistics.median(queue) * 1000:6.1f} ms   run {statistics.median(engine) * 1000:6.1f} ms"
        )
    print(f"\nthroughput, {options.runs} runs submitted at once")
    print(f"  inline (2 threads)        {inline_100:6.1f} s   {options.runs / inline_100:5.1f} runs/s")
    print(f"  celery, 1 worker (c=1)    {one:6.1f} s   {options.runs / one:5.1f} runs/s")
    print(f"  celery, 2 workers (c=1)   {two:6.1f} s   {options.runs / two:5.1f} runs/s")


if __name__ == "__main__":
    main()

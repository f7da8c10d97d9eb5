"""API load benchmark: a real `flowza serve` on PostgreSQL.

1. 50 concurrent clients read workflows and datasets for 20 s (one keep-alive connection each, a
   minimal asyncio HTTP/1.1 client spread over client processes): requests/s, p50/p99 latency, errors,
   and the share answered from the server's read cache (flowza.api.read_cache).
1b. The same while another client saves a workflow 5 times a second (--writes-per-s): every save
   empties the read cache, as a team editing while others read would.
2. 20 runs submitted at once (each a different split seed, so none is a cache hit): the time
   until all have finished, and their statuses.

Creates a fresh database flowza_bench_<random> on 127.0.0.1:5432 and drops it at the end.
Usage: python benchmarks/api.py [--clients 50] [--seconds 20] [--runs 20] [--run-workers 4] [--client-processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
FLOWZA = str(Path(sys.executable).parent / "flowza")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def admin(sql: str) -> None:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def titanic() -> tuple[str, bytes, str]:
    shared = Path(os.environ.get("FLOWZA_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
    if (shared / "titanic.csv").is_file():
        return "titanic.csv", (shared / "titanic.csv").read_bytes(), "survived"
    from flowza.demo import breast_cancer

    return "cancer.csv", breast_cancer().to_csv(index=False).encode(), "diagnosis"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Connection:
    """A minimal HTTP/1.1 keep-alive client: GET, status and body. httpx costs the client processes
    more CPU per request than the server spends answering, on the same two cores."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes, bool]:
        """Status, body, and whether the server answered from its read cache."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        cached = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"x-flowza-cache":
                cached = value.strip() == b"hit"
        body = await self.reader.readexactly(length)
        return status, body, cached

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def reader(
    connection: Connection, urls: list[str], until: float, latencies: list[float], errors: list[str], hits: list[int]
) -> None:
    rng = random.Random()
    while time.perf_counter() < until:
        url = rng.choice(urls)
        started = time.perf_counter()
        try:
            status, _, cached = await connection.get(url)
            hits[0] += cached
            if status != 200:
                errors.append(f"{url}: {status}")
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(f"{url}: {type(exc).__name__}")
            await connection.close()
            connection.writer = None
        latencies.append(time.perf_counter() - started)


async def read_phase(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """Each client has its own keep-alive connection, like 50 separate browsers or scripts."""
    latencies: list[float] = []
    errors: list[str] = []
    hits = [0]
    host, port = base.removeprefix("http://").split(":")
    connections = [Connection(host, int(port)) for _ in range(clients)]
    try:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(reader(c, urls, until, latencies, errors, hits) for c in connections))
        elapsed = time.perf_counter() - started
    finally:
        for connection in connections:
            await connection.close()
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed, "hits": hits[0]}


def read_process(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, Any]:
    return asyncio.run(read_phase(base, urls, clients, seconds))


def write_load(base: str, workflow_ids: list[str], per_second: float, until: float, done: list[str]) -> None:
    """Save a new version of one of the workflows `per_second` times a second (each save empties the
    server's read cache), like a team editing while others read; appends each save's status to `done`."""
    if per_second <= 0:
        return
    with httpx.Client(base_url=base, timeout=60) as client:
        index = 0
        while time.perf_counter() < until:
            workflow_id = workflow_ids[index % len(workflow_ids)]
            current = client.get(f"/api/v1/workflows/{workflow_id}").json()
            document = current["document"]
            document["name"] = f"bench edit {index}"
            response = client.put(
                f"/api/v1/workflows/{workflow_id}", json=document, headers={"If-Match": f'"{current["version"]}"'}
            )
            done.append(str(response.status_code))
            index += 1
            time.sleep(1 / per_second)


def read_load(
    base: str,
    urls: list[str],
    clients: int,
    seconds: float,
    processes: int,
    server_pid: int,
    workflow_ids: list[str] | None = None,
    writes_per_s: float = 0.0,
) -> dict[str, Any]:
    """`clients` readers spread over `processes` client processes (one Python process cannot drive 50 fast),
    with `writes_per_s` workflow saves a second from this process meanwhile."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    import psutil

    server = psutil.Process(server_pid)
    before = server.cpu_times()
    database_before = _postgres_cpu_seconds()
    machine_before = psutil.cpu_times()
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    writes: list[str] = []
    writer = threading.Thread(
        target=write_load, args=(base, workflow_ids or [], writes_per_s, time.perf_counter() + seconds, writes)
    )
    started = time.perf_counter()
    writer.start()
    with ProcessPoolExecutor(processes) as pool:
        parts = list(pool.map(read_process, *zip(*[(base, urls, share, seconds) for share in shares], strict=True)))
    writer.join()
    elapsed = time.perf_counter() - started
    after = server.cpu_times()
    database_seconds = _postgres_cpu_seconds() - database_before
    machine_after = psutil.cpu_times()
    busy = sum(getattr(machine_after, f) - getattr(machine_before, f) for f in ("user", "system", "nice", "softirq"))
    latencies = [x for part in parts for x in part["latencies"]]
    errors = [x for part in parts for x in part["errors"]]
    return {
        "requests": len(latencies),
        "requests_per_s": len(latencies) / max(part["elapsed"] for part in parts),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "errors": len(errors),
        "error_samples": errors[:5],
        "cache_hit_percent": 100 * sum(part["hits"] for part in parts) / max(1, len(latencies)),
        "writes": len(writes),
        "write_errors": sum(1 for status in writes if status != "200"),
        "server_cpu_percent": (after.user + after.system - before.user - before.system) / elapsed * 100,
        "database_cpu_percent": database_seconds / elapsed * 100,
        "machine_cpu_percent": busy / elapsed * 100,
    }


def _postgres_cpu_seconds() -> float:
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] and process.info["name"].startswith("postgres") and process.info["cpu_times"]:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


async def run_phase(base: str, workflow_ids: list[str]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        started = time.perf_counter()
        responses = await asyncio.gather(*(client.post(f"/api/v1/workflows/{w}/runs") for w in workflow_ids))
        submitted = time.perf_counter() - started
        run_ids = [r.json()["id"] for r in responses if r.status_code == 202]
        statuses: dict[str, str] = {}
        while len(statuses) < len(run_ids):
            for run_id in run_ids:
                if run_id in statuses:
                    continue
                run = (await client.get(f"/api/v1/runs/{run_id}")).json()
                if run["status"] not in ("pending", "running"):
                    statuses[run_id] = run["status"]
            await asyncio.sleep(0.1)
        finished = time.perf_counter() - started
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return {
        "submitted": len(run_ids),
        "rejected": len(responses) - len(run_ids),
        "submit_s": submitted,
        "all_finished_s": finished,
        "statuses": counts,
    }


def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("flowza serve exited during start-up")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("flowza serve did not become healthy")


def prepare(base: str, runs: int) -> tuple[list[str], list[str]]:
    """Upload a dataset and save `runs` workflows; returns the read URLs and the workflow ids."""
    from flowza.templates import load_template

    name, content, target = titanic()
    with httpx.Client(base_url=base, timeout=60) as client:
        dataset = client.post("/api/v1/datasets", files={"file": (name, content, "text/csv")}).json()
        workflow_ids = []
        for index in range(runs):
            document = load_template("binary_classification")
            document["name"] = f"bench {index}"
            document["nodes"][0]["params"]["dataset"] = name
            document["nodes"][1]["params"].update(target=target, seed=1000 + index)
            workflow_ids.append(client.post("/api/v1/workflows", json=document).json()["id"])
        datasets = [d["id"] for d in client.get("/api/v1/datasets").json()]
    urls = ["/api/v1/workflows", "/api/v1/datasets", f"/api/v1/datasets/{dataset['id']}"]
    urls += [f"/api/v1/workflows/{w}" for w in workflow_ids[:10]] + [f"/api/v1/datasets/{d}" for d in datasets]
    return urls, workflow_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--run-workers", type=int, default=4)
    parser.add_argument("--client-processes", type=int, default=2, help="Processes the clients are spread over")
    parser.add_argument(
        "--writes-per-s",
        type=float,
        default=5.0,
        help="Workflow saves a second during the second read phase (0: skip that phase)",
    )
    args = parser.parse_args()

    database = f"flowza_bench_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE DATABASE "{database}"')
    home = Path(tempfile.mkdtemp(prefix="flowza-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "FLOWZA_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "FLOWZA_RUN_WORKERS": str(args.run_workers),
        "FLOWZA_HOME": str(home),
    }
    command = [FLOWZA, "serve", "--port", str(port), "--data-dir", str(home / "data"), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    try:
        wait_healthy(base, process)
        urls, workflow_ids = prepare(base, args.runs)
        print(f"flowza serve on PostgreSQL ({database}), {os.cpu_count()} CPUs, run workers {args.run_workers}")
        phases = [("reads", 0.0)] + ([("reads while saving", args.writes_per_s)] if args.writes_per_s > 0 else [])
        for label, writes_per_s in phases:
            reads = read_load(
                base, urls, args.clients, args.seconds, args.client_processes, process.pid, workflow_ids, writes_per_s
            )
            saving = f" and {reads['writes']} saves ({reads['write_errors']} failed)" if writes_per_s else ""
            print(
                f"{label}: {args.clients} clients x {args.seconds:g} s: {reads['requests']} requests{saving}, "
                f"{reads['requests_per_s']:.0f} req/s, p50 {reads['p50_ms']:.1f} ms, p99 {reads['p99_ms']:.1f} ms, "
                f"errors {reads['errors']} {reads['error_samples'] or ''}; answered from the read cache "
                f"{reads['cache_hit_percent']:.0f}%; CPU: server process "
                f"{reads['server_cpu_percent']:.0f}%, PostgreSQL {reads['database_cpu_percent']:.0f}%, "
                f"whole machine {reads['machine_cpu_percent']:.0f}% of {100 * (os.cpu_count() or 1)}%"
            )
        runs = asyncio.run(run_phase(base, workflow_ids))
        print(
            f"runs: {runs['submitted']} submitted at once in {runs['submit_s']:.2f} s "
            f"(rejected {runs['rejected']}), all finished after {runs['all_finished_s']:.1f} s: {runs['statuses']}"
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()

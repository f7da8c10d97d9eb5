"""`flowza serve` as a real process: titanic.csv added at start, save, run, follow SSE, compare with `flowza run`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowza.templates import load_template

FLOWZA = str(Path(sys.executable).parent / "flowza")
PARAMS = ["--set", "load.dataset=titanic.csv", "--set", "split.target=survived"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(
    database_url: str, tmp_path: Path, **env_extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`flowza serve` on a free port with its files under tmp_path; stopped (Ctrl+C) at the end."""
    port = free_port()
    env = {
        **os.environ,
        "FLOWZA_DATABASE_URL": database_url,
        "FLOWZA_PORT": "1",  # the --port flag must win over the environment
        "FLOWZA_HOME": str(tmp_path / "home"),
        **env_extra,
    }
    log_path = tmp_path / f"serve-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [FLOWZA, "serve", "--port", str(port), "--data-dir", str(tmp_path / "data"), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # generous: CI machines can be busy
        while True:
            if process.poll() is not None:
                raise AssertionError(f"flowza serve exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("flowza serve did not answer within 120 s")
            time.sleep(0.1)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                assert process.wait(timeout=60) == 0, log_path.read_text()
            finally:
                if process.poll() is None:
                    process.kill()
        log.close()


@pytest.fixture
def server(database_url: str, tmp_path: Path, shared_datasets: Path) -> Iterator[str]:
    with running_server(database_url, tmp_path, FLOWZA_SHARED_DATASETS=str(shared_datasets)) as (base, _):
        yield base


def follow_events(base: str, run_id: str) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    kind = ""
    with httpx.stream("GET", f"{base}/api/v1/runs/{run_id}/events", timeout=120) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    return events


@pytest.mark.slow
def test_serve_upload_save_run_matches_cli(server: str, shared_datasets: Path, tmp_path: Path) -> None:
    api = f"{server}/api/v1"
    datasets = {d["name"]: d for d in httpx.get(f"{api}/datasets").json()}
    assert "sample_iris.csv" in datasets  # the samples are ready to use, and titanic with them: no upload
    assert datasets["titanic.csv"]["rows"] == 891

    document = load_template("binary_classification")
    document["nodes"][0]["params"]["dataset"] = "titanic.csv"
    document["nodes"][1]["params"]["target"] = "survived"
    saved = httpx.post(f"{api}/workflows", json=document, timeout=30).json()
    assert saved["validation"]["valid"] is True

    started = httpx.post(f"{api}/workflows/{saved['id']}/runs", timeout=30)
    assert started.status_code == 202
    run_id = started.json()["id"]
    events = follow_events(server, run_id)
    assert events[0][0] == "run_started" and events[-1][0] == "run_finished"
    assert events[-1][1]["status"] == "succeeded"
    run = httpx.get(f"{api}/runs/{run_id}").json()
    assert run["status"] == "succeeded"

    cli = subprocess.run(
        [FLOWZA, "run", "binary_classification", "--data-dir", str(shared_datasets), *PARAMS, "--json", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert run["metrics"] == expected["metrics"]
    assert {n: v["status"] for n, v in run["nodes"].items()} == {n: v["status"] for n, v in expected["nodes"].items()}

    model = next(a for a in httpx.get(f"{api}/runs/{run_id}/artifacts").json() if a["kind"] == "model")
    download = httpx.get(f"{server}{model['downloads']['skops']}")
    assert download.status_code == 200 and len(download.content) > 1000


def test_serve_says_where_to_get_titanic_when_the_shared_folder_is_missing(database_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-shared-datasets"
    with running_server(database_url, tmp_path, FLOWZA_SHARED_DATASETS=str(missing)) as (base, _):
        names = [d["name"] for d in httpx.get(f"{base}/api/v1/datasets").json()]
    assert "sample_iris.csv" in names and "titanic.csv" not in names
    log = next(tmp_path.glob("serve-*.log")).read_text()
    lines = [line for line in log.splitlines() if "titanic.csv" in line]
    assert len(lines) == 1, log
    assert "seaborn-data/master/titanic.csv" in lines[0] and "FLOWZA_SHARED_DATASETS" in lines[0]


def test_serve_refuses_a_public_address_without_auth() -> None:
    done = subprocess.run([FLOWZA, "serve", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "without authentication" in done.stderr


@pytest.mark.slow
def test_a_killed_server_leaves_no_run_running(database_url: str, tmp_path: Path) -> None:
    from tests.api.conftest import csv_bytes
    from tests.api.test_runs import slow_frame, slow_workflow

    document = slow_workflow()
    document["nodes"][2]["params"]["n_estimators"] = 2000  # minutes of work: still running when killed
    with running_server(database_url, tmp_path, FLOWZA_SEED_SAMPLES="false") as (base, process):
        api = f"{base}/api/v1"
        httpx.post(f"{api}/datasets", files={"file": ("slow.csv", csv_bytes(slow_frame()), "text/csv")}, timeout=30)
        saved = httpx.post(f"{api}/workflows", json=document, timeout=30).json()
        run_id = httpx.post(f"{api}/workflows/{saved['id']}/runs", timeout=30).json()["id"]
        deadline = time.monotonic() + 30
        while httpx.get(f"{api}/runs/{run_id}").json()["nodes"]["model"]["status"] != "running":
            assert time.monotonic() < deadline, "the model node never started"
            time.sleep(0.05)
        process.kill()  # no shutdown handlers: what a crash or an OOM kill leaves behind
        process.wait(timeout=10)
    with running_server(database_url, tmp_path, FLOWZA_SEED_SAMPLES="false") as (base, _):
        run = httpx.get(f"{base}/api/v1/runs/{run_id}").json()
        assert run["status"] == "failed" and "server stopped while this run was running" in run["error"]
        assert run["nodes"]["load"]["status"] == "succeeded" and run["nodes"]["model"]["status"] == "failed"
        events = follow_events(base, run_id)
        assert events[-1][0] == "run_finished" and events[-1][1]["status"] == "failed"

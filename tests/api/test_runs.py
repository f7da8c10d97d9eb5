"""Runs: start, live document, cache reuse, SSE replay, outputs, artifacts, failures, cancel, recovery."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.repositories import Runs
from flowza.db.session import transaction
from flowza.demo import iris
from flowza.nodes.export.model_files import load_skops
from tests.api.conftest import csv_bytes, save, sse_events, upload, wait_run, workflow

TERMINAL = {"succeeded", "cached", "failed", "skipped", "cancelled"}


def iris_workflow(client: TestClient) -> dict[str, Any]:
    upload(client, "iris.csv", csv_bytes(iris()))
    return save(
        client, workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"})
    )


def start(client: TestClient, workflow_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(f"/api/v1/workflows/{workflow_id}/runs", json=body)
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()
    assert run["status"] == "pending" and response.headers["location"] == f"/api/v1/runs/{run['id']}"
    return run


def test_run_document_events_and_cache(client: TestClient) -> None:
    saved = iris_workflow(client)
    run = wait_run(client, start(client, saved["id"])["id"])
    assert run["status"] == "succeeded" and run["error"] is None
    assert run["workflow_version"] == 1 and run["started_at"] and run["finished_at"]
    order = [n["id"] for n in saved["document"]["nodes"]]
    assert list(run["nodes"]) == order
    for node in run["nodes"].values():
        assert node["status"] == "succeeded" and node["seconds"] >= 0 and node["error"] is None
        assert node["reason"] and node["cache_key"]
    metrics = run["metrics"]["eval"]
    assert 0.8 < metrics["accuracy"] <= 1.0 and "confusion_matrix" in metrics

    events = sse_events(client, run["id"])  # a late subscriber gets every event replayed
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["event"] == "run_started" and events[-1]["event"] == "run_finished"
    assert events[-1]["data"]["status"] == "succeeded" and events[-1]["data"]["data"]["metrics"] == run["metrics"]
    started = [e["data"]["node_id"] for e in events if e["event"] == "node_started"]
    assert started == order
    resumed = sse_events(client, run["id"], headers={"Last-Event-ID": str(len(events) - 2)})
    assert [e["id"] for e in resumed] == [len(events) - 1, len(events)]

    again = wait_run(client, start(client, saved["id"])["id"])
    assert again["status"] == "succeeded"
    assert {n["status"] for n in again["nodes"].values()} == {"cached"}
    assert again["metrics"] == run["metrics"]
    assert again["nodes"]["eval"]["reason"] == "inputs and params unchanged"

    history = client.get(f"/api/v1/workflows/{saved['id']}/runs").json()
    assert [r["id"] for r in history] == [again["id"], run["id"]]


def test_changed_param_reruns_only_downstream(client: TestClient) -> None:
    saved = iris_workflow(client)
    wait_run(client, start(client, saved["id"])["id"])
    document = saved["document"]
    model = next(n for n in document["nodes"] if n["type"] in ("random_forest", "logistic_regression", "xgboost"))
    model["params"]["seed"] = 7
    client.put(f"/api/v1/workflows/{saved['id']}", json=document, headers={"If-Match": "1"})
    run = wait_run(client, start(client, saved["id"])["id"])
    assert run["workflow_version"] == 2
    assert run["nodes"]["load"]["status"] == "cached" and run["nodes"][model["id"]]["status"] == "succeeded"
    assert run["nodes"]["eval"]["reason"] == f"upstream {model['id']!r} re-ran"


def test_outputs_and_artifacts(client: TestClient) -> None:
    saved = iris_workflow(client)
    run = wait_run(client, start(client, saved["id"])["id"])
    base = f"/api/v1/runs/{run['id']}"
    table = client.get(f"{base}/nodes/split/output?limit=5&part=test").json()
    assert table["kind"] == "table" and table["port"] == "data" and len(table["rows"]) == 5
    assert table["split"]["train_rows"] + table["split"]["test_rows"] == 150
    assert table["total_rows"] == table["split"]["test_rows"] and table["target"] == "species"
    assert "species" in [c["name"] for c in table["columns"]]
    metrics = client.get(f"{base}/nodes/eval/output").json()
    assert metrics["kind"] == "metrics" and metrics["metrics"] == run["metrics"]["eval"]
    model_id = next(
        n for n, v in run["nodes"].items() if v["type"] in ("random_forest", "logistic_regression", "xgboost")
    )
    model = client.get(f"{base}/nodes/{model_id}/output").json()
    assert model["kind"] == "model" and model["model"]["target"] == "species"
    assert sorted(model["model"]["classes"]) == ["setosa", "versicolor", "virginica"]
    assert client.get(f"{base}/nodes/nope/output").status_code == 404
    assert client.get(f"{base}/nodes/eval/output?port=nope").status_code == 404

    artifacts = client.get(f"{base}/artifacts").json()
    kinds = {(a["node_id"], a["kind"]) for a in artifacts}
    assert ("eval", "metrics") in kinds and (model_id, "model") in kinds and ("load", "table") in kinds
    load = next(a for a in artifacts if a["node_id"] == "load")
    as_csv = client.get(load["downloads"]["csv"])
    assert as_csv.status_code == 200 and pd.read_csv(io.BytesIO(as_csv.content)).shape == (150, 5)
    as_parquet = client.get(load["downloads"]["parquet"])
    assert pd.read_parquet(io.BytesIO(as_parquet.content)).shape == (150, 5)
    assert client.get(load["downloads"]["csv"].replace("csv", "xlsx")).status_code == 400
    model_artifact = next(a for a in artifacts if a["kind"] == "model")
    skops = client.get(model_artifact["downloads"]["skops"])
    assert skops.status_code == 200 and "attachment" in skops.headers["content-disposition"]
    path = Path(client.app.state.flowza.layout.home) / "downloaded.skops"  # type: ignore[attr-defined]
    path.write_bytes(skops.content)
    pipeline = load_skops(path)
    assert set(pipeline.predict(iris().drop(columns=["species"]).head(3))) <= {
        0,
        1,
        2,
        "setosa",
        "versicolor",
        "virginica",
    }
    assert client.get(f"{base}/artifacts/nope/download").status_code == 404


def test_export_model_file_download(client: TestClient) -> None:
    upload(client, "iris.csv", csv_bytes(iris()))
    document = workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"})
    model_id = next(n["id"] for n in document["nodes"] if n["type"] in ("random_forest", "logistic_regression"))
    document["nodes"].append({"id": "export", "type": "export_model", "params": {"format": "skops", "name": "iris"}})
    document["edges"].append({"source": model_id, "target": "export"})
    saved = save(client, document)
    run = wait_run(client, start(client, saved["id"])["id"])
    assert run["status"] == "succeeded" and run["files"] == {"export": "iris.skops"}
    artifact = next(a for a in client.get(f"/api/v1/runs/{run['id']}/artifacts").json() if a["kind"] == "file")
    response = client.get(next(iter(artifact["downloads"].values())))
    assert response.status_code == 200 and 'filename="iris.skops"' in response.headers["content-disposition"]


def test_run_up_to_a_node_and_bad_requests(client: TestClient) -> None:
    saved = iris_workflow(client)
    run = wait_run(client, start(client, saved["id"], {"target_node": "split"})["id"])
    assert run["target_node"] == "split" and list(run["nodes"]) == ["load", "split"]
    unknown = client.post(f"/api/v1/workflows/{saved['id']}/runs", json={"target_node": "ghost"})
    assert unknown.status_code == 422 and "ghost" in unknown.json()["detail"]
    assert client.post(f"/api/v1/workflows/{saved['id']}/runs", json={"version": 5}).status_code == 404
    assert client.post(f"/api/v1/workflows/{saved['id']}/runs", json={"bogus": 1}).status_code == 422
    assert client.post("/api/v1/workflows/nope/runs").status_code == 404
    assert client.get("/api/v1/runs/nope").status_code == 404
    assert client.get("/api/v1/runs/nope/events").status_code == 404
    assert client.get("/api/v1/workflows/nope/runs").status_code == 404


def test_invalid_workflow_is_not_run(client: TestClient) -> None:
    saved = save(client, workflow("binary_classification", load={"dataset": "missing.csv"}, split={"target": "y"}))
    response = client.post(f"/api/v1/workflows/{saved['id']}/runs")
    assert response.status_code == 422
    body = response.json()
    assert "not valid" in body["detail"] and any("missing.csv" in e["message"] for e in body["errors"])
    assert client.get(f"/api/v1/workflows/{saved['id']}/runs").json() == []


def test_a_failing_run_is_recorded_and_the_executor_keeps_working(client: TestClient) -> None:
    constant = iris().assign(const="a")  # valid, but a classifier cannot train on one class
    upload(client, "iris.csv", csv_bytes(constant))
    saved = save(client, workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "const"}))
    response = client.post(f"/api/v1/workflows/{saved['id']}/runs")
    assert response.status_code == 202, response.text
    failed = wait_run(client, response.json()["id"])
    assert failed["status"] == "failed" and "single class" in failed["error"]
    failing = [n for n, v in failed["nodes"].items() if v["status"] == "failed"]
    assert failing and all(failed["nodes"][n]["error"] for n in failing)
    assert any(v["status"] == "skipped" for v in failed["nodes"].values())
    events = sse_events(client, failed["id"])
    assert events[-1]["event"] == "run_finished" and events[-1]["data"]["status"] == "failed"
    output = client.get(f"/api/v1/runs/{failed['id']}/nodes/{failing[0]}/output")
    assert output.status_code == 409 and "failed" in output.json()["detail"]
    ok = save(client, workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"}))
    assert wait_run(client, start(client, ok["id"])["id"])["status"] == "succeeded"


def slow_frame(rows: int = 6000) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(rows, 8)), columns=[f"f{i}" for i in range(8)])
    frame["label"] = np.where(frame["f0"] + rng.normal(size=rows) > 0, "yes", "no")
    return frame


def slow_workflow() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "slow forest",
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": "slow.csv"}},
            {"id": "split", "type": "train_test_split", "params": {"target": "label"}},
            {"id": "model", "type": "random_forest", "params": {"n_estimators": 150}},
            {"id": "eval", "type": "evaluate", "params": {}},
        ],
        "edges": [
            {"source": "load", "target": "split"},
            {"source": "split", "target": "model"},
            {"source": "model", "target": "eval"},
        ],
    }


def wait_node(client: TestClient, run_id: str, node_id: str, status: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get(f"/api/v1/runs/{run_id}").json()["nodes"][node_id]["status"] == status:
            return
        time.sleep(0.02)
    raise AssertionError(f"node {node_id} never became {status}")


def test_cancel_running_and_queued_runs(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"run_workers": 1}))) as client:
        upload(client, "slow.csv", csv_bytes(slow_frame()))
        saved = save(client, slow_workflow())
        first = start(client, saved["id"])
        queued = start(client, saved["id"])
        wait_node(client, first["id"], "model", "running")
        assert client.post(f"/api/v1/runs/{queued['id']}/cancel").status_code == 202
        cancel = client.post(f"/api/v1/runs/{first['id']}/cancel")
        assert cancel.status_code == 202 and cancel.json()["cancel_requested"] is True
        stopped = wait_run(client, first["id"])
        assert stopped["status"] == "cancelled"
        assert stopped["nodes"]["model"]["status"] == "cancelled" and stopped["nodes"]["eval"]["status"] == "cancelled"
        assert stopped["nodes"]["load"]["status"] == "succeeded"
        never = wait_run(client, queued["id"])
        assert never["status"] == "cancelled" and {n["status"] for n in never["nodes"].values()} == {"cancelled"}
        assert sse_events(client, never["id"])[-1]["data"]["status"] == "cancelled"
        again = client.post(f"/api/v1/runs/{first['id']}/cancel")
        assert again.status_code == 409 and "already finished" in again.json()["detail"]
        assert client.post("/api/v1/runs/nope/cancel").status_code == 404


def test_delete_workflow_with_active_run_is_409(client: TestClient) -> None:
    upload(client, "slow.csv", csv_bytes(slow_frame(3000)))
    saved = save(client, slow_workflow())
    run = start(client, saved["id"])
    assert client.delete(f"/api/v1/workflows/{saved['id']}").status_code == 409
    client.post(f"/api/v1/runs/{run['id']}/cancel")
    wait_run(client, run["id"])
    assert client.delete(f"/api/v1/workflows/{saved['id']}").status_code == 204
    assert client.get(f"/api/v1/runs/{run['id']}").status_code == 404


def test_restart_marks_unfinished_runs_failed(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        saved = iris_workflow(client)
        state = client.app.state.flowza  # type: ignore[attr-defined]
        # Runs created but never handed to an executor: what a process killed mid-run leaves behind.
        pending = state.runs.create(state.user_id, saved["id"], None, None)
        running = state.runs.create(state.user_id, saved["id"], None, None)
        with transaction(state.sessions) as session:
            Runs(session).mark_started(running.id)
            Runs(session).update_node(running.id, "load", status="running")
    with TestClient(create_app(settings)) as client:
        for run_id, was in ((pending.id, "pending"), (running.id, "running")):
            run = client.get(f"/api/v1/runs/{run_id}").json()
            assert run["status"] == "failed" and f"server stopped while this run was {was}" in run["error"]
            assert run["finished_at"] and all(n["status"] == "failed" for n in run["nodes"].values())
            events = sse_events(client, run_id)
            assert events[-1]["event"] == "run_finished" and events[-1]["data"]["status"] == "failed"
        assert set(client.app.state.flowza.recovered) == {pending.id, running.id}  # type: ignore[attr-defined]


def test_stopping_the_server_fails_its_running_run(settings: Settings) -> None:
    document = slow_workflow()
    document["nodes"][2]["params"]["n_estimators"] = 400  # seconds of fitting: longer than the 0.5 s grace
    client = TestClient(create_app(settings))
    with client:
        upload(client, "slow.csv", csv_bytes(slow_frame()))
        saved = save(client, document)
        run_id = start(client, saved["id"])["id"]
        queued = start(client, saved["id"])["id"]
        wait_node(client, run_id, "model", "running")
        client.app.state.flowza.executor.grace_seconds = 0.5  # type: ignore[attr-defined]
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10, "shutdown waited for the fit instead of leaving it"
    with TestClient(create_app(settings)) as client:
        for run in (client.get(f"/api/v1/runs/{run_id}").json(), client.get(f"/api/v1/runs/{queued}").json()):
            assert run["status"] == "failed" and "shut down" in run["error"]
            assert sse_events(client, run["id"])[-1]["data"]["status"] == "failed"
        assert client.app.state.flowza.recovered == []  # type: ignore[attr-defined]

"""Odd requests to every route get a clear 4xx with a message, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowza.demo import iris
from tests.api.conftest import csv_bytes, save, upload, wait_run, workflow

ODD_IDS = ["nope", "' OR 1=1 --", "%00", "a" * 300, "../../etc/passwd", "😀"]


@pytest.fixture
def finished_run(client: TestClient) -> dict[str, Any]:
    upload(client, "iris.csv", csv_bytes(iris()))
    saved = save(
        client, workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"})
    )
    run = client.post(f"/api/v1/workflows/{saved['id']}/runs").json()
    return {"workflow": saved, "run": wait_run(client, run["id"])}


def assert_clear_4xx(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.request.url, response.status_code, response.text[:300])
    assert response.json().get("detail"), response.text


def test_odd_ids_everywhere(client: TestClient, finished_run: dict[str, Any]) -> None:
    run_id = finished_run["run"]["id"]
    workflow_id = finished_run["workflow"]["id"]
    for odd in ODD_IDS:
        for method, url in [
            ("GET", f"/api/v1/datasets/{odd}"),
            ("GET", f"/api/v1/datasets/{odd}/preview"),
            ("GET", f"/api/v1/datasets/{odd}/download"),
            ("DELETE", f"/api/v1/datasets/{odd}"),
            ("GET", f"/api/v1/workflows/{odd}"),
            ("GET", f"/api/v1/workflows/{odd}/versions"),
            ("GET", f"/api/v1/workflows/{odd}/runs"),
            ("POST", f"/api/v1/workflows/{odd}/runs"),
            ("GET", f"/api/v1/runs/{odd}"),
            ("POST", f"/api/v1/runs/{odd}/cancel"),
            ("GET", f"/api/v1/runs/{odd}/artifacts"),
            ("GET", f"/api/v1/runs/{run_id}/nodes/{odd}/output"),
            ("GET", f"/api/v1/runs/{run_id}/artifacts/{odd}/download"),
            ("GET", f"/api/v1/nodes/{odd}"),
            ("GET", f"/api/v1/templates/{odd}"),
        ]:
            assert_clear_4xx(client.request(method, url))
    for query in ("offset=-1", "limit=100000", "part=middle", "offset=abc"):
        assert_clear_4xx(client.get(f"/api/v1/runs/{run_id}/nodes/load/output?{query}"))
    assert_clear_4xx(client.get(f"/api/v1/workflows/{workflow_id}/versions/0"))
    assert_clear_4xx(client.get(f"/api/v1/workflows/{workflow_id}/versions/abc"))
    assert_clear_4xx(client.post(f"/api/v1/workflows/{workflow_id}/runs", json={"version": "x"}))
    assert_clear_4xx(client.post(f"/api/v1/workflows/{workflow_id}/runs", json={"target_node": "x" * 500}))


def test_odd_bodies(client: TestClient, finished_run: dict[str, Any]) -> None:
    workflow_id = finished_run["workflow"]["id"]
    for body in (b"", b"null", b"42", b'"text"', b"[]", b"{", b"\xff\xfe"):
        headers = {"Content-Type": "application/json"}
        assert_clear_4xx(client.post("/api/v1/workflows", content=body, headers=headers))
        assert_clear_4xx(
            client.put(f"/api/v1/workflows/{workflow_id}", content=body, headers={**headers, "If-Match": "1"})
        )
        assert_clear_4xx(client.post("/api/v1/validate", content=body, headers=headers))
    odd_documents: list[dict[str, Any]] = [
        {"nodes": [{"id": "x" * 500, "type": "load_csv"}]},
        {"nodes": [{"id": "a", "type": "load_csv", "params": {"dataset": "../../etc/passwd"}}]},
        {"nodes": [None, 1, "x"], "edges": [{"source": "a"}]},
        {"schema_version": 99, "name": 12},
    ]
    for document in odd_documents:
        saved = client.post("/api/v1/workflows", json=document)
        assert saved.status_code == 201 and saved.json()["validation"]["valid"] is False
        assert_clear_4xx(client.post(f"/api/v1/workflows/{saved.json()['id']}/runs"))
    escaping = client.post("/api/v1/validate", json=odd_documents[1]).json()
    assert any("outside" in e["message"] or "not a plain" in e["message"] for e in escaping["errors"])

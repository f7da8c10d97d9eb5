"""Two users on one server: neither sees, runs, changes nor downloads the other's work (404, not 403)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from flowza.db.models import Base
from flowza.demo import iris
from tests.api.conftest import csv_bytes, workflow
from tests.security.conftest import Person


def setup_work(client: TestClient, person: Person) -> dict[str, str]:
    """A dataset, a workflow with two versions and a finished run with artifacts, owned by `person`."""
    h = person.headers
    dataset = client.post("/api/v1/datasets", files={"file": ("iris.csv", csv_bytes(iris()), "text/csv")}, headers=h)
    assert dataset.status_code == 201, dataset.text
    doc = workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"})
    saved = client.post("/api/v1/workflows", json=doc, headers=h).json()
    client.put(f"/api/v1/workflows/{saved['id']}", json=doc, headers={**h, "If-Match": "1"})
    run = client.post(f"/api/v1/workflows/{saved['id']}/runs", json={}, headers=h).json()
    deadline = time.monotonic() + 60
    while client.get(f"/api/v1/runs/{run['id']}", headers=h).json()["status"] in ("pending", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    artifacts = client.get(f"/api/v1/runs/{run['id']}/artifacts", headers=h).json()
    table = next(a for a in artifacts if a["kind"] == "table")
    token = client.post("/api/v1/auth/tokens", json={"name": "x"}, headers=h).json()
    tokens = client.get("/api/v1/auth/tokens", headers=h).json()
    return {
        "dataset_id": dataset.json()["id"],
        "workflow_id": saved["id"],
        "version": "1",
        "run_id": run["id"],
        "node_id": table["node_id"],
        "artifact_id": table["id"],
        "token_id": next(t["id"] for t in tokens if t["name"] == "x"),
        "_token": token["access_token"],
        "_doc": str(saved["id"]),
    }


def snapshot(client: TestClient, person: Person, ids: dict[str, str]) -> dict[str, Any]:
    h = person.headers
    paths = [
        "/api/v1/datasets",
        f"/api/v1/datasets/{ids['dataset_id']}",
        f"/api/v1/datasets/{ids['dataset_id']}/preview",
        "/api/v1/workflows",
        f"/api/v1/workflows/{ids['workflow_id']}",
        f"/api/v1/workflows/{ids['workflow_id']}/versions",
        f"/api/v1/workflows/{ids['workflow_id']}/runs",
        f"/api/v1/runs/{ids['run_id']}",
        f"/api/v1/runs/{ids['run_id']}/artifacts",
    ]
    result: dict[str, Any] = {}
    for path in paths:
        response = client.get(path, headers=h)
        assert response.status_code == 200, (path, response.text)
        result[path] = response.json()
    download = client.get(f"/api/v1/runs/{ids['run_id']}/artifacts/{ids['artifact_id']}/download", headers=h)
    result["download"] = download.content
    return result


def row_counts(client: TestClient) -> dict[str, int]:
    with client.app.state.flowza.sessions() as session:  # type: ignore[attr-defined]
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables
        }


def operations(client: TestClient) -> list[tuple[str, str, list[str]]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return [
        (method.upper(), path, re.findall(r"\{([^}]+)\}", path))
        for path, ops in paths.items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    ]


BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/v1/workflows/{workflow_id}"): {"schema_version": 1, "name": "hijacked", "nodes": [], "edges": []},
    ("POST", "/api/v1/workflows/{workflow_id}/runs"): {},
}


def test_other_users_ids_are_404_everywhere(server: TestClient, make_person: Callable[..., Person]) -> None:
    alice, bob = make_person("alice"), make_person("bob")
    ids = setup_work(server, alice)
    before = snapshot(server, alice, ids)
    counts = row_counts(server)
    owned = {"dataset_id", "workflow_id", "run_id", "artifact_id", "token_id"}
    not_owned = {"node_type", "name", "version", "node_id", "user_id"}  # catalog, sub-ids, admin-only accounts
    tried = 0
    for method, path, params in operations(server):
        assert set(params) <= owned | not_owned, f"new path parameter in {path}: add it to this test"
        if not owned & set(params):
            continue
        url = path
        for name in params:
            url = url.replace("{" + name + "}", ids[name])
        headers = {**bob.headers, "If-Match": "2"}
        response = server.request(method, url, headers=headers, json=BODIES.get((method, path)))
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        assert ids["workflow_id"] not in response.text or "no workflow" in response.text
        tried += 1
    assert tried >= 18
    with server.stream("GET", f"/api/v1/runs/{ids['run_id']}/events?token={bob.token}") as stream:
        assert stream.status_code == 404
    # ids in request bodies are scoped too
    generated = server.post(
        "/api/v1/generate", json={"prompt": "predict species", "dataset_id": ids["dataset_id"]}, headers=bob.headers
    )
    assert generated.status_code == 404, generated.text
    # bob sees nothing of alice's in his lists, and cannot reach her files through a workflow
    for path in ("/api/v1/datasets", "/api/v1/workflows"):
        assert server.get(path, headers=bob.headers).json() == []
    for name in ("iris.csv", f"../../{alice.id}/datasets/iris.csv", f"/users/{alice.id}/datasets/iris.csv"):
        doc = workflow("multiclass_classification", load={"dataset": name}, split={"target": "species"})
        report = server.post("/api/v1/validate", json=doc, headers=bob.headers).json()
        assert report["valid"] is False and any(e["field"] == "dataset" for e in report["errors"])
    # alice's work is exactly as it was; only bob's token list grew by nothing
    assert snapshot(server, alice, ids) == before
    assert row_counts(server) == counts
    assert server.get("/api/v1/workflows", headers={"Authorization": f"Bearer {ids['_token']}"}).status_code == 200


def test_admin_sees_no_one_elses_data(server: TestClient, make_person: Callable[..., Person]) -> None:
    alice, root = make_person("alice"), make_person("root", admin=True)
    ids = setup_work(server, alice)
    assert server.get(f"/api/v1/workflows/{ids['workflow_id']}", headers=root.headers).status_code == 404
    assert server.get(f"/api/v1/datasets/{ids['dataset_id']}/download", headers=root.headers).status_code == 404
    assert server.get("/api/v1/workflows", headers=root.headers).json() == []

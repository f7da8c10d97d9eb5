"""Versioned workflows: save (even invalid), optimistic concurrency, versions, restore, delete."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flowza.demo import iris
from tests.api.conftest import csv_bytes, save, upload, workflow


def iris_workflow() -> dict[str, object]:
    return workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"})


def test_create_get_list(client: TestClient) -> None:
    upload(client, "iris.csv", csv_bytes(iris()))
    saved = save(client, iris_workflow())
    assert saved["version"] == 1 and saved["validation"]["valid"] is True
    assert saved["name"] == iris_workflow()["name"]
    got = client.get(f"/api/v1/workflows/{saved['id']}")
    assert got.headers["etag"] == '"1"' and got.json()["document"] == iris_workflow()
    assert [w["id"] for w in client.get("/api/v1/workflows").json()] == [saved["id"]]


def test_invalid_workflow_is_saved_with_its_errors(client: TestClient) -> None:
    document = workflow("binary_classification", load={"dataset": "missing.csv"}, split={"target": "y"})
    document["nodes"].append({"id": "mystery", "type": "no_such_node"})
    saved = save(client, document)
    errors = saved["validation"]["errors"]
    assert saved["validation"]["valid"] is False
    assert any(e["node_id"] == "mystery" and "no_such_node" in e["message"] for e in errors)
    assert client.get(f"/api/v1/workflows/{saved['id']}").json()["document"]["nodes"][-1]["id"] == "mystery"
    garbage = save(client, {"nodes": "not a list", "whatever": 1})
    assert garbage["validation"]["valid"] is False and garbage["name"] == "Untitled workflow"


def test_body_must_be_a_json_object(client: TestClient) -> None:
    assert client.post("/api/v1/workflows", json=[1, 2]).status_code == 422
    bad_json = client.post("/api/v1/workflows", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 422
    nan = b'{"name": "x", "nodes": [{"id": "a", "type": "load_csv", "params": {"dataset": NaN}}]}'
    refused = client.post("/api/v1/workflows", content=nan, headers={"Content-Type": "application/json"})
    assert refused.status_code == 422 and "NaN" in refused.json()["detail"]


def test_optimistic_concurrency(client: TestClient) -> None:
    saved = save(client, iris_workflow())
    url = f"/api/v1/workflows/{saved['id']}"
    first = {**iris_workflow(), "name": "first edit"}
    second = {**iris_workflow(), "name": "second edit"}
    ok = client.put(url, json=first, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] == '"2"'
    stale = client.put(url, json=second, headers={"If-Match": "1"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and "version 1" in stale.json()["detail"]
    assert client.get(url).json()["name"] == "first edit"
    missing = client.put(url, json=second)
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    assert client.put(url, json=second, headers={"If-Match": "latest"}).status_code == 400
    assert client.put("/api/v1/workflows/nope", json=second, headers={"If-Match": "1"}).status_code == 404


def test_versions_and_restore(client: TestClient) -> None:
    saved = save(client, {**iris_workflow(), "name": "v1"})
    url = f"/api/v1/workflows/{saved['id']}"
    client.put(url, json={**iris_workflow(), "name": "v2"}, headers={"If-Match": "1"})
    versions = client.get(f"{url}/versions").json()
    assert [(v["version"], v["name"], v["message"]) for v in versions] == [(2, "v2", "saved"), (1, "v1", "created")]
    assert client.get(f"{url}/versions/1").json()["document"]["name"] == "v1"
    assert client.get(f"{url}/versions/9").status_code == 404
    restored = client.post(f"{url}/versions/1/restore")
    assert restored.status_code == 200 and restored.json()["version"] == 3 and restored.json()["name"] == "v1"
    assert client.get(f"{url}/versions").json()[0]["message"] == "restored version 1"
    assert client.post(f"{url}/versions/1/restore", headers={"If-Match": "2"}).status_code == 409
    assert client.post(f"{url}/versions/7/restore").status_code == 404


def test_delete(client: TestClient) -> None:
    saved = save(client, iris_workflow())
    assert client.delete(f"/api/v1/workflows/{saved['id']}").status_code == 204
    assert client.get(f"/api/v1/workflows/{saved['id']}").status_code == 404
    assert client.delete(f"/api/v1/workflows/{saved['id']}").status_code == 404


def test_validate_without_saving(client: TestClient) -> None:
    upload(client, "iris.csv", csv_bytes(iris()))
    good = client.post("/api/v1/validate", json=iris_workflow()).json()
    assert good["valid"] is True
    document = workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "nope"})
    bad = client.post("/api/v1/validate", json=document).json()
    assert bad["valid"] is False and any("nope" in e["message"] for e in bad["errors"])
    assert client.get("/api/v1/workflows").json() == []


def test_concurrent_saves_on_one_version_let_exactly_one_win(client: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    saved = save(client, iris_workflow())
    url = f"/api/v1/workflows/{saved['id']}"

    def put(index: int) -> int:
        return client.put(url, json={**iris_workflow(), "name": f"edit {index}"}, headers={"If-Match": "1"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(put, range(8)))
    assert codes == [200] + [409] * 7
    assert client.get(url).json()["version"] == 2
    assert [v["version"] for v in client.get(f"{url}/versions").json()] == [2, 1]

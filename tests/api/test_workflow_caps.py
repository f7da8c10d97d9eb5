"""The node and edge caps (500 nodes, 1,000 edges) hold on every route that takes, saves, restores,
runs or exports a workflow, with a 4xx naming the cap, before any graph work (issue 23 item 2)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from flowza.api.state import ServerState
from flowza.db.repositories import Workflows
from tests.api.conftest import save

API = "/api/v1"


def long_chain(length: int) -> dict[str, Any]:
    nodes = [{"id": "load", "type": "load_csv", "params": {"dataset": "data.csv"}}]
    nodes += [{"id": f"step{i}", "type": "impute", "params": {}} for i in range(length - 1)]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"schema_version": 1, "name": "long", "nodes": nodes, "edges": edges}


def many_edges() -> dict[str, Any]:
    document = long_chain(3)
    document["edges"] = document["edges"] * 501  # 1,002 edges
    return document


def assert_names_the_node_cap(response: Any) -> None:
    assert response.status_code in (413, 422), response.text[:300]
    detail = response.json()["detail"]
    assert "at most 500 nodes" in detail and "501" in detail, detail


def store_oversized_version(client: TestClient, workflow_id: str) -> int:
    """Append a 501-node version straight to the database, as one saved before the cap existed."""
    state: ServerState = client.app.state.flowza  # type: ignore[attr-defined]
    with state.sessions() as session:
        workflows = Workflows(session)
        row = workflows.get(state.user_id, workflow_id)
        assert row is not None
        version = workflows.add_version(row, None, "long", long_chain(501), {"valid": False}, "saved")
        session.commit()
    return version


def test_validate_refuses_501_nodes(client: TestClient) -> None:
    assert_names_the_node_cap(client.post(f"{API}/validate", json=long_chain(501)))
    assert client.post(f"{API}/validate", json=long_chain(500)).status_code == 200


def test_validate_refuses_1001_edges(client: TestClient) -> None:
    response = client.post(f"{API}/validate", json=many_edges())
    assert response.status_code == 413 and "at most 1000 edges" in response.json()["detail"]


def test_create_and_update_refuse_501_nodes(client: TestClient) -> None:
    assert_names_the_node_cap(client.post(f"{API}/workflows", json=long_chain(501)))
    saved = save(client, long_chain(5))
    updated = client.put(f"{API}/workflows/{saved['id']}", json=long_chain(501), headers={"If-Match": "1"})
    assert_names_the_node_cap(updated)
    assert client.post(f"{API}/workflows", json=many_edges()).status_code == 413
    assert client.get(f"{API}/workflows/{saved['id']}").json()["version"] == 1


def test_restore_run_and_export_refuse_a_stored_501_node_version(client: TestClient) -> None:
    saved = save(client, long_chain(5))
    big = store_oversized_version(client, saved["id"])
    assert_names_the_node_cap(client.post(f"{API}/workflows/{saved['id']}/versions/{big}/restore"))
    started = client.post(f"{API}/workflows/{saved['id']}/runs", json={})
    assert_names_the_node_cap(started)
    assert [e["code"] for e in started.json()["errors"]] == ["too_large"]
    assert_names_the_node_cap(client.get(f"{API}/workflows/{saved['id']}/export"))
    assert client.get(f"{API}/workflows/{saved['id']}/runs").json() == []

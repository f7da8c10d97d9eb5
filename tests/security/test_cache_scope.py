"""Node outputs are cached per owner: another person's first run of the same work computes everything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from flowza.demo import iris
from tests.api.conftest import csv_bytes, wait_run, workflow
from tests.security.conftest import Person


def run_statuses(client: TestClient, person: Person) -> dict[str, str]:
    """Upload iris.csv (if needed), save the same workflow and run it; each node's status."""
    h = person.headers
    client.post("/api/v1/datasets", files={"file": ("iris.csv", csv_bytes(iris()), "text/csv")}, headers=h)
    document = workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"})
    saved = client.post("/api/v1/workflows", json=document, headers=h)
    assert saved.status_code == 201, saved.text
    started = client.post(f"/api/v1/workflows/{saved.json()['id']}/runs", json={}, headers=h)
    assert started.status_code in (200, 201, 202), started.text
    run: dict[str, Any] = wait_run(client, started.json()["id"], headers=h)
    assert run["status"] == "succeeded", run
    return {node_id: node["status"] for node_id, node in run["nodes"].items()}


def test_another_owners_first_run_reports_nothing_cached(
    server: TestClient, make_person: Callable[..., Person]
) -> None:
    alice, bob = make_person("alice"), make_person("bob")
    first = run_statuses(server, alice)
    assert set(first.values()) == {"succeeded"}
    bobs_first = run_statuses(server, bob)
    assert bobs_first.keys() == first.keys()
    assert set(bobs_first.values()) == {"succeeded"}, bobs_first  # nothing of alice's shows as cached
    alices_rerun = run_statuses(server, alice)
    assert set(alices_rerun.values()) == {"cached"}, alices_rerun
    bobs_rerun = run_statuses(server, bob)
    assert set(bobs_rerun.values()) == {"cached"}, bobs_rerun

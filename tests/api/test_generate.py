"""POST /api/v1/generate: a workflow from a prompt on an uploaded dataset, which then runs on the server."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import save, upload, wait_run


def test_generate_on_an_uploaded_dataset_then_run_it(client: TestClient, shared_datasets: Path) -> None:
    dataset = upload(client, "titanic.csv", (shared_datasets / "titanic.csv").read_bytes()).json()
    prompt = "Predict who survived the Titanic with XGBoost and show me the F1 score"
    response = client.post("/api/v1/generate", json={"prompt": prompt, "dataset_id": dataset["id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "planner" and body["explanation"] and isinstance(body["warnings"], list)
    workflow = body["workflow"]
    assert workflow["nodes"][0]["params"]["dataset"] == dataset["name"]
    assert any(n["type"] == "xgboost" for n in workflow["nodes"])

    saved = save(client, workflow)
    created = client.post(f"/api/v1/workflows/{saved['id']}/runs", json={})
    assert created.status_code == 202, created.text
    run = wait_run(client, created.json()["id"])
    assert run["status"] == "succeeded", run


def test_generate_finds_the_dataset_named_in_the_prompt(client: TestClient, shared_datasets: Path) -> None:
    nothing = client.post("/api/v1/generate", json={"prompt": "classify iris species"})
    assert nothing.status_code == 422 and "upload one first" in nothing.json()["detail"]
    upload(client, "iris flowers", (shared_datasets / "iris.csv").read_bytes())  # a name without .csv
    upload(client, "tips.csv", (shared_datasets / "tips.csv").read_bytes())
    response = client.post("/api/v1/generate", json={"prompt": "classify iris species with logistic regression"})
    assert response.status_code == 200, response.text
    assert response.json()["workflow"]["nodes"][0]["params"]["dataset"] == "iris flowers"
    unclear = client.post("/api/v1/generate", json={"prompt": "predict something"})
    assert unclear.status_code == 422 and unclear.json()["code"] == "which_dataset"


def test_generate_errors_are_clear(client: TestClient, shared_datasets: Path) -> None:
    dataset = upload(client, "iris.csv", (shared_datasets / "iris.csv").read_bytes()).json()
    refused = client.post("/api/v1/generate", json={"prompt": "regression on species", "dataset_id": dataset["id"]})
    assert refused.status_code == 422
    assert "regression needs a numeric target" in refused.json()["detail"]
    assert refused.json()["code"] == "regression_on_text"
    missing = client.post("/api/v1/generate", json={"prompt": "predict species", "dataset_id": "nope"})
    assert missing.status_code == 404
    assert client.post("/api/v1/generate", json={"prompt": ""}).status_code == 422
    assert client.post("/api/v1/generate", json={"prompt": "x", "extra": 1}).status_code == 422

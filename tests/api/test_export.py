"""GET /api/v1/workflows/{id}/export: a saved workflow as a script or notebook download."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pandas as pd
from fastapi.testclient import TestClient

from tests.api.conftest import csv_bytes, save, upload, wait_run, workflow
from tests.export.support import assert_same, last_json, run_script


def _saved(client: TestClient) -> dict:
    frame = pd.DataFrame(
        {"x": [float(i % 7) for i in range(60)], "color": ["red", "blue", "green"] * 20, "label": ["a", "b"] * 30}
    )
    assert upload(client, "shapes.csv", csv_bytes(frame)).status_code in (200, 201)
    document = workflow("binary_classification", load={"dataset": "shapes.csv"}, split={"target": "label"})
    document["name"] = 'Shapes "v1"/test'
    return save(client, document)


def test_export_script_and_notebook_downloads(client: TestClient, tmp_path: Path) -> None:
    saved = _saved(client)
    response = client.get(f"/api/v1/workflows/{saved['id']}/export", params={"format": "script"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/x-python")
    assert response.headers["content-disposition"] == 'attachment; filename="Shapes_v1_test_v1.py"'
    source = response.text
    ast.parse(source)
    assert "# Workflow version: version 1" in source
    assert "import flowza" not in source and "from flowza" not in source
    assert "DATA_DIR / 'shapes.csv'" in source

    notebook = client.get(f"/api/v1/workflows/{saved['id']}/export", params={"format": "notebook", "version": 1})
    assert notebook.status_code == 200
    assert notebook.headers["content-disposition"].endswith('_v1.ipynb"')
    nbformat.validate(nbformat.reads(notebook.text, as_version=4))
    assert json.loads(notebook.text)["nbformat"] == 4


def test_export_errors(client: TestClient) -> None:
    saved = _saved(client)
    base = f"/api/v1/workflows/{saved['id']}/export"
    assert client.get("/api/v1/workflows/nope/export").status_code == 404
    missing = client.get(base, params={"version": 9})
    assert missing.status_code == 404 and "no version 9" in missing.json()["detail"]
    assert client.get(base, params={"format": "pdf"}).status_code == 422
    broken = workflow("binary_classification", load={"dataset": "shapes.csv"})  # no target chosen
    saved_broken = save(client, broken)
    invalid = client.get(f"/api/v1/workflows/{saved_broken['id']}/export")
    assert invalid.status_code == 422
    body = invalid.json()
    assert "not valid" in body["detail"] and body["errors"]


def test_downloaded_script_reproduces_the_server_run(client: TestClient, tmp_path: Path) -> None:
    saved = _saved(client)
    started = client.post(f"/api/v1/workflows/{saved['id']}/runs", json={})
    assert started.status_code == 202, started.text
    run = wait_run(client, started.json()["id"])
    assert run["status"] == "succeeded", run
    frame = pd.DataFrame(
        {"x": [float(i % 7) for i in range(60)], "color": ["red", "blue", "green"] * 20, "label": ["a", "b"] * 30}
    )
    data = tmp_path / "plain_csv"
    data.mkdir()
    frame.to_csv(data / "shapes.csv", index=False)
    script = tmp_path / "shapes.py"
    script.write_bytes(client.get(f"/api/v1/workflows/{saved['id']}/export").content)
    assert_same(json.loads(json.dumps(run["metrics"])), last_json(run_script(script, data, tmp_path / "out")))

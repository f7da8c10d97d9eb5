"""Health, OpenAPI, docs, node catalog, templates and the built-frontend fallback."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings


def test_health_reports_the_database(client: TestClient, database_url: str) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["database_backend"] == database_url.split(":")[0].split("+")[0]
    assert body["executor"] == "inline"


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/datasets",
        "/api/v1/workflows/{workflow_id}",
        "/api/v1/workflows/{workflow_id}/runs",
        "/api/v1/runs/{run_id}/events",
        "/api/v1/runs/{run_id}/nodes/{node_id}/output",
    ):
        assert path in spec["paths"], path
    put = spec["paths"]["/api/v1/workflows/{workflow_id}"]["put"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in put["parameters"])
    upload = spec["paths"]["/api/v1/datasets"]["post"]["requestBody"]["content"]
    assert "file" in upload["multipart/form-data"]["schema"]["properties"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_node_catalog(client: TestClient) -> None:
    nodes = {entry["type"]: entry for entry in client.get("/api/v1/nodes").json()}
    load = nodes["load_csv"]
    assert load["category"] == "Data" and load["outputs"] == [{"name": "data", "type": "data", "description": ""}]
    assert load["params_schema"]["properties"]["dataset"]["ui:widget"] == "dataset"
    assert client.get("/api/v1/nodes/evaluate").json()["type"] == "evaluate"
    missing = client.get("/api/v1/nodes/no_such_node")
    assert missing.status_code == 404 and "no_such_node" in missing.json()["detail"]


def test_templates(client: TestClient) -> None:
    items = client.get("/api/v1/templates").json()
    names = [item["name"] for item in items]
    assert "binary_classification" in names
    one = client.get("/api/v1/templates/binary_classification").json()
    assert one["workflow"]["schema_version"] == 1
    assert client.get("/api/v1/templates/nope").status_code == 404


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404 and "detail" in response.json()


def test_root_without_frontend_build_redirects_to_docs(settings: Settings, tmp_path: Path) -> None:
    with TestClient(create_app(settings, web_dir=tmp_path / "no-build")) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code in (302, 307) and response.headers["location"] == "/docs"
        assert client.get("/editor/123").status_code == 404


def test_built_frontend_is_served_with_index_fallback(settings: Settings, tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<html>flowza editor</html>")
    (web / "assets" / "app.js").write_text("console.log('x')")
    (tmp_path / "secret.txt").write_text("outside")
    with TestClient(create_app(settings, web_dir=web)) as client:
        assert "flowza editor" in client.get("/").text
        assert client.get("/assets/app.js").text == "console.log('x')"
        assert "flowza editor" in client.get("/workflows/abc").text  # client-side route
        assert "outside" not in client.get("/..%2Fsecret.txt").text
        assert client.get("/api/v1/health").json()["status"] == "ok"

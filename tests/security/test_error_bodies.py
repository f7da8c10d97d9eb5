"""Error bodies never echo passwords or other secrets, the server's folders, or megabyte values
(issue 23 item 11); the {"detail": ...} shape is kept. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from flowza.config import Settings
from tests.security.conftest import Person
from tests.security.corpus import GOOD_CSV, base_workflow

API = "/api/v1"
SECRET = "Tr0ub4dor&3-never-echo-me"


def assert_secret_hidden(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "detail" in response.json()
    assert SECRET not in response.text, response.text[:500]


def test_passwords_and_secrets_are_never_echoed(server: TestClient, make_person: Callable[..., Person]) -> None:
    admin = make_person("root", admin=True)
    h = admin.headers
    bodies: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/auth/token", {"username": ["root"], "password": SECRET}),  # a bad field beside it
        ("POST", "/auth/token", {"password": SECRET}),  # missing username: pydantic echoes the whole body
        ("POST", "/auth/token", {"username": "root", "password": [SECRET]}),
        ("POST", "/auth/token", {"username": "root", "password": SECRET, "remember": True}),
        ("POST", "/users", {"name": "eve", "password": SECRET, "is_admin": "perhaps"}),
        ("POST", "/users", {"name": "eve", "password": SECRET * 400}),  # too long: echoed by pydantic
        ("POST", "/users", {"name": "eve", "passwd": SECRET}),
        ("PATCH", f"/users/{admin.id}", {"password": {"value": SECRET}}),
        ("POST", "/generate", {"prompt": "predict the label", "api_key": SECRET}),
        ("POST", "/auth/tokens", {"name": "ci", "days": "soon", "secret": SECRET}),
    ]
    for method, path, body in bodies:
        response = server.request(method, f"{API}{path}", json=body, headers=h)
        assert_secret_hidden(response)
        assert response.status_code == 422


def test_error_bodies_do_not_show_the_servers_folders(
    server: TestClient, make_person: Callable[..., Person], auth_settings: Settings
) -> None:
    h = make_person("alice").headers
    assert server.post(f"{API}/datasets", files={"file": ("good.csv", GOOD_CSV, "text/csv")}, headers=h).status_code
    data_dir = auth_settings.resolved_data_dir()
    spellings = {str(data_dir), str(data_dir.resolve())}
    missing = base_workflow("nope.csv")
    saved = server.post(f"{API}/workflows", json=missing, headers=h)
    assert saved.status_code == 201
    started = server.post(f"{API}/workflows/{saved.json()['id']}/runs", json={}, headers=h)
    assert started.status_code == 422
    said = started.json()["errors"][0]["message"]
    assert "'nope.csv' not found in the data directory" in said and "<data dir>" in said, said
    checked = server.post(f"{API}/validate", json=missing, headers=h)
    for response in (started, checked, saved):
        assert not any(spelling in response.text for spelling in spellings), response.text[:500]
        assert str(Path.home()) not in response.text or str(Path.home()) == "/"


def test_megabyte_values_are_cut_in_error_bodies(server: TestClient, make_person: Callable[..., Person]) -> None:
    h = make_person("bob").headers
    huge = "x" * 1_000_000
    responses = [
        server.post(f"{API}/generate", json={"prompt": huge}, headers=h),
        server.post(f"{API}/workflows/none/runs", json={"target_node": 5, "version": huge}, headers=h),
        server.put(f"{API}/workflows/none", json=base_workflow(), headers={**h, "If-Match": "y" * 100_000}),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        assert len(response.content) < 3_000, len(response.content)
        assert "characters)" in response.text  # says it was cut, and from how long
    report = server.post(
        f"{API}/validate",
        json=base_workflow()
        | {"nodes": [{"id": "load", "type": "load_csv", "params": {"dataset": "good.csv", "sep": huge}}]},
        headers=h,
    )
    assert report.status_code == 200 and not report.json()["valid"]
    assert len(report.content) < 5_000, len(report.content)
    assert json.loads(report.content)["errors"]


def test_the_redactor_keeps_the_shape_and_cuts_at_path_boundaries(tmp_path: Path) -> None:
    from flowza.api.redact import Redactor

    data = tmp_path / "data"
    redactor = Redactor.for_folders([(data, "<data dir>")])
    body = {
        "detail": f"no file {data}/users/u1/a.csv",
        "other": f"{data}2 stays",
        "errors": [{"loc": ["body", "password"], "input": "x"}, {"token": None, "name": "a\ud800" + "b" * 300}],
    }
    safe = redactor.body(body)
    assert set(safe) == set(body) and safe["detail"] == "no file <data dir>/users/u1/a.csv"
    assert safe["other"] == f"{data}2 stays"  # another folder that merely starts the same way
    assert safe["errors"][0]["input"] == "[hidden]" and safe["errors"][1]["token"] is None
    assert safe["errors"][1]["name"] == "a?" + "b" * 198 + "… (302 characters)"


def test_the_redactor_leaves_other_paths_and_names_alone(tmp_path: Path) -> None:
    """Only the server's folders themselves are replaced, not a path or a word that ends with one,
    and only secret field names are hidden, not names that merely contain "pass"."""
    from flowza.api.redact import Redactor

    data = tmp_path / "data"
    redactor = Redactor.for_folders([(data, "<data dir>")])
    body = {
        "detail": f"no file {data}/a.csv; /mnt{data}/b.csv and column 'rate{data}' are someone else's",
        "errors": [{"passenger_id": "12", "bypass_cache": True, "pass": "x", "new_password": "y"}],
    }
    safe = redactor.body(body)
    assert safe["detail"] == f"no file <data dir>/a.csv; /mnt{data}/b.csv and column 'rate{data}' are someone else's"
    assert safe["errors"] == [
        {"passenger_id": "12", "bypass_cache": True, "pass": "[hidden]", "new_password": "[hidden]"}
    ]
    assert redactor.body({"detail": f"see file://{data}/a.csv"})["detail"] == "see file://<data dir>/a.csv"

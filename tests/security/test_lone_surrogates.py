"""A lone UTF-16 surrogate ("\\ud800" without its pair) anywhere in a request is a 422 naming the field,
never a 500 or a reset connection, and nothing is saved (issue 23 item 6). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.security.conftest import Person
from tests.security.corpus import GOOD_CSV, base_workflow

API = "/api/v1"
LONE = "\ud800"


def post_json(server: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    """Sent as ASCII JSON (json.dumps escapes the surrogate as \\ud800), as a browser or script would."""
    content = json.dumps(body)
    assert "\\ud800" in content or "\\udfff" in content
    return server.request(method, path, content=content, headers={**headers, "Content-Type": "application/json"})


def assert_names_field(response: Any, field: str) -> None:
    assert response.status_code == 422, (field, response.status_code, response.text[:300])
    body = response.json()
    assert body["field"] == field and field in body["detail"] and "surrogate" in body["detail"], body


def workflow_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = base_workflow()
    change(document)
    return document


def test_lone_surrogates_in_json_bodies_are_422_naming_the_field(
    server: TestClient, make_person: Callable[..., Person]
) -> None:
    admin = make_person("root", admin=True)
    h = admin.headers
    saved = server.post(f"{API}/workflows", json=base_workflow(), headers=h)
    assert saved.status_code == 201, saved.text
    wid = saved.json()["id"]
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/workflows", workflow_with(lambda d: d.update(name=f"a{LONE}b")), "name"),
        ("POST", "/workflows", workflow_with(lambda d: d["nodes"][0].update(id=f"load{LONE}")), "nodes[0].id"),
        (
            "POST",
            "/workflows",
            workflow_with(lambda d: d["nodes"][0]["params"].update(dataset=f"x{LONE}.csv")),
            "nodes[0].params.dataset",
        ),
        (
            "POST",
            "/workflows",
            workflow_with(lambda d: d["nodes"][1]["params"].update({f"k{LONE}": 1})),
            "nodes[1].params.k?",
        ),
        ("POST", "/validate", workflow_with(lambda d: d.update(description="\udfff")), "description"),
        ("PUT", f"/workflows/{wid}", workflow_with(lambda d: d["edges"][0].update(target=LONE)), "edges[0].target"),
        ("POST", f"/workflows/{wid}/runs", {"target_node": LONE}, "target_node"),
        ("POST", "/generate", {"prompt": f"predict survived {LONE}"}, "prompt"),
        ("POST", "/auth/token", {"username": f"root{LONE}", "password": "whatever"}, "username"),
        ("POST", "/auth/token", {"username": "root", "password": LONE}, "password"),
        ("POST", "/users", {"name": f"eve{LONE}", "password": "a long enough password"}, "name"),
        ("POST", "/auth/tokens", {"name": f"script{LONE}"}, "name"),
        ("POST", "/workflows", f"{LONE}", "(the body)"),
    ]
    for method, path, body, field in cases:
        headers = {**h, "If-Match": "1"} if method == "PUT" else h
        assert_names_field(post_json(server, method, f"{API}{path}", body, headers), field)
    listed = server.get(f"{API}/workflows", headers=h)
    assert listed.status_code == 200 and [w["id"] for w in listed.json()] == [wid]
    assert server.get(f"{API}/workflows/{wid}", headers=h).json()["version"] == 1
    assert "eve" not in " ".join(u["name"] for u in server.get(f"{API}/users", headers=h).json())


def test_surrogate_bytes_in_the_url_headers_and_form_fields_are_never_a_500(
    server: TestClient, make_person: Callable[..., Person]
) -> None:
    h = make_person("alice").headers
    encoded = "%ED%A0%80"  # the UTF-8-like bytes of U+D800, which no UTF-8 decoder accepts
    for path in (f"/workflows/x{encoded}", f"/workflows?x={encoded}", f"/datasets/{encoded}/preview"):
        response = server.get(f"{API}{path}", headers=h)
        assert response.status_code in (200, 404, 422), (path, response.status_code, response.text[:300])
    odd_header = server.get(f"{API}/workflows", headers={**h, "X-Note": b"\xed\xa0\x80"})  # type: ignore[dict-item]
    assert odd_header.status_code == 200
    upload = server.post(
        f"{API}/datasets",
        files={"file": ("a.csv", GOOD_CSV, "text/csv")},
        data={"name": b"x\xed\xa0\x80.csv"},
        headers=h,
    )
    assert upload.status_code == 422 and "dataset name" in upload.json()["detail"], upload.text[:300]
    assert server.get(f"{API}/datasets", headers=h).json() == []


def test_astral_characters_sent_as_surrogate_pairs_are_accepted_and_stored(
    server: TestClient, make_person: Callable[..., Person]
) -> None:
    """An emoji escaped as its UTF-16 pair ("\\ud83d\\ude00", what JSON.stringify-ing ASCII gives) is valid
    text: saved and answered as the character; the same two halves in the wrong order are lone ones."""
    h = make_person("ana").headers
    emoji = "\U0001f600"
    document = workflow_with(lambda d: d.update(name=f"smile {emoji}{emoji}"))
    content = json.dumps(document)  # ensure_ascii: the emoji travels as the escaped pair
    assert "\\ud83d\\ude00" in content
    saved = server.post(f"{API}/workflows", content=content, headers={**h, "Content-Type": "application/json"})
    assert saved.status_code == 201, saved.text
    stored = server.get(f"{API}/workflows/{saved.json()['id']}", headers=h).json()
    assert stored["name"] == f"smile {emoji}{emoji}"
    swapped = content.replace("\\ud83d\\ude00", "\\ude00\\ud83d", 1)
    refused = server.post(f"{API}/workflows", content=swapped, headers={**h, "Content-Type": "application/json"})
    assert_names_field(refused, "name")

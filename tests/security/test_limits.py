"""Hardened inputs: body size, JSON depth, NUL bytes, huge numbers, CSV shape limits, paths, CSV injection."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.nodes.base import NodeError
from flowza.nodes.data.files import resolve_in_root
from tests.api.conftest import wait_run
from tests.security.conftest import Person

API = "/api/v1"


def post_csv(client: TestClient, person: Person, name: str, content: bytes) -> int:
    response = client.post(f"{API}/datasets", files={"file": (name, content, "text/csv")}, headers=person.headers)
    return response.status_code


@pytest.fixture
def small_server(auth_settings: Settings) -> Iterator[TestClient]:
    tight = auth_settings.model_copy(
        update={"max_body_mb": 0.05, "max_columns": 10, "max_rows": 100, "max_field_kb": 1, "max_json_depth": 16}
    )
    with TestClient(create_app(tight)) as client:
        yield client


def test_body_size_and_json_depth(server: TestClient, make_person: Callable[..., Person]) -> None:
    ann = make_person("ann")
    h = {**ann.headers, "Content-Type": "application/json"}
    big = json.dumps({"schema_version": 1, "name": "x", "nodes": [], "edges": [], "description": "a" * 11_000_000})
    assert server.post(f"{API}/workflows", content=big, headers=h).status_code == 413
    declared = {**h, "Content-Length": str(50 * 1024 * 1024)}
    assert server.post(f"{API}/validate", content=b"{}", headers=declared).status_code in (400, 413)
    for depth in (100, 5000, 200_000):
        deep = "[" * depth + "]" * depth
        response = server.post(f"{API}/validate", content=deep, headers=h)
        assert response.status_code == 422 and "nested deeper" in response.json()["detail"], depth
        nested = '{"a":' * depth + "1" + "}" * depth
        assert server.post(f"{API}/workflows", content=nested, headers=h).status_code == 422
    assert server.get(f"{API}/workflows", headers=ann.headers).json() == []


def test_nul_bytes_never_reach_the_database(server: TestClient, make_person: Callable[..., Person]) -> None:
    ann = make_person("ann")
    h = ann.headers
    document = {"schema_version": 1, "name": "a\u0000b", "nodes": [], "edges": []}
    assert server.post(f"{API}/workflows", json=document, headers=h).status_code == 422
    keyed = {"schema_version": 1, "name": "ok", "nodes": [{"id": "x", "type": "load_csv", "params": {"\u0000": 1}}]}
    assert server.post(f"{API}/workflows", json=keyed, headers=h).status_code == 422
    for path in ("/datasets/%00", "/workflows/a%00b", "/runs/%00/events", "/workflows?x=%00", "/templates/%00"):
        assert server.get(API + path, headers=h).status_code == 422, path
    login = server.post(f"{API}/auth/token", json={"username": "ann\u0000", "password": "x\u0000yyyyyyyy"})
    assert login.status_code == 422
    upload = server.post(
        f"{API}/datasets",
        files={"file": ("a\x00b.csv", b"a,b\n1,2\n", "text/csv")},
        data={"name": "fine.csv"},
        headers=h,
    )
    assert upload.status_code in (201, 422), upload.text
    named = server.post(
        f"{API}/datasets", files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")}, data={"name": "a\x00b"}, headers=h
    )
    assert named.status_code == 422
    assert server.get(f"{API}/health").status_code == 200


def test_huge_numbers_are_4xx(server: TestClient, make_person: Callable[..., Person]) -> None:
    ann = make_person("ann")
    h = ann.headers
    saved = server.post(f"{API}/workflows", json={"schema_version": 1, "nodes": [], "edges": []}, headers=h).json()
    for path in (
        f"/workflows/{saved['id']}/versions/99999999999999999999",
        f"/workflows/{saved['id']}/versions/2147483648",
        f"/workflows/{saved['id']}/runs?offset=99999999999999999999",
        f"/workflows/{saved['id']}/export?version=99999999999",
    ):
        status = server.get(API + path, headers=h).status_code
        assert 400 <= status < 500, (path, status)
    run = server.post(f"{API}/workflows/{saved['id']}/runs", json={"version": 2**40}, headers=h)
    assert 400 <= run.status_code < 500


def test_csv_shape_limits(small_server: TestClient) -> None:
    from tests.security.conftest import PASSWORD, auth_of, login

    auth_of(small_server).create_user("ann", PASSWORD)
    ann = Person("ann", "", login(small_server, "ann"))
    header = ",".join(f"c{i}" for i in range(11))
    assert post_csv(small_server, ann, "wide.csv", f"{header}\n{','.join('1' * 11)}\n".encode()) == 413
    tall = "a,b\n" + "".join(f"{i},{i}\n" for i in range(101))
    assert post_csv(small_server, ann, "tall.csv", tall.encode()) == 413
    fat = "a,b\n" + "x" * 2000 + ",1\n"
    assert post_csv(small_server, ann, "fat.csv", fat.encode()) == 413
    assert post_csv(small_server, ann, "ok.csv", b"a,b\n1,2\n3,4\n") == 201
    assert [d["name"] for d in small_server.get(f"{API}/datasets", headers=ann.headers).json()] == ["ok.csv"]
    body = json.dumps({"schema_version": 1, "description": "d" * 60_000}).encode()
    headers = {**ann.headers, "Content-Type": "application/json"}
    assert small_server.post(f"{API}/validate", content=body, headers=headers).status_code == 413


def test_a_huge_cell_is_a_413_not_a_500(server: TestClient, make_person: Callable[..., Person]) -> None:
    ann = make_person("ann")
    assert post_csv(server, ann, "cell.csv", b"a,b\n" + b"y" * 300_000 + b",1\n2,3\n") == 413
    quoted = b'a,b\n"' + b"z" * 300_000 + b'",1\n'
    assert post_csv(server, ann, "quoted.csv", quoted) == 413


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "data"
    sibling = tmp_path / "data2"
    root.mkdir()
    sibling.mkdir()
    (root / "ok.csv").write_text("a\n1\n")
    (sibling / "secret.csv").write_text("a\n1\n")
    (tmp_path / "outside.csv").write_text("a\n1\n")
    os.symlink(tmp_path / "outside.csv", root / "link.csv")
    os.symlink(sibling, root / "linkdir")
    os.symlink(root / "ok.csv", root / "inside_link.csv")
    return root, sibling


@pytest.mark.parametrize(
    "name",
    [
        "../outside.csv",
        "../data2/secret.csv",
        "../data/../data2/secret.csv",
        "link.csv",
        "linkdir/secret.csv",
        "%2e%2e/outside.csv",
        "..%2foutside.csv",
        "ok.csv\x00.txt",
        "/etc/passwd",
        "\\etc\\passwd",
        "C:/Windows/win.ini",
        ".",
        "",
        "..",
        "sub/../../outside.csv",
    ],
)
def test_file_parameters_stay_in_their_root(roots: tuple[Path, Path], name: str) -> None:
    root, sibling = roots
    with pytest.raises(NodeError):
        resolve_in_root(root, name)


def test_file_parameters_inside_the_root_still_work(roots: tuple[Path, Path]) -> None:
    root, _ = roots
    assert resolve_in_root(root, "ok.csv") == (root / "ok.csv").resolve()
    assert resolve_in_root(root, "inside_link.csv") == (root / "ok.csv").resolve()
    assert resolve_in_root(root, "./ok.csv") == (root / "ok.csv").resolve()


def test_csv_downloads_neutralise_formulas(server: TestClient, make_person: Callable[..., Person]) -> None:
    ann = make_person("ann")
    rows = ["note,x,y", "=cmd|' /C calc'!A0,1,a", "+SUM(A1),2,b", "-2+3,-3,c", "@import,4,d", "\tq,5,e", "-7,6,f"]
    assert post_csv(server, ann, "evil.csv", ("\n".join(rows) + "\n").encode()) == 201
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": "evil.csv"}},
            {"id": "clean", "type": "drop_nulls", "params": {}},
        ],
        "edges": [{"source": "load", "target": "clean"}],
    }
    saved = server.post(f"{API}/workflows", json=document, headers=ann.headers).json()
    assert saved["validation"]["valid"], saved["validation"]
    run = server.post(f"{API}/workflows/{saved['id']}/runs", json={}, headers=ann.headers).json()
    state = wait_run(server, run["id"], headers=ann.headers)
    assert state["status"] == "succeeded", state
    artifact = next(
        a
        for a in server.get(f"{API}/runs/{run['id']}/artifacts", headers=ann.headers).json()
        if a["node_id"] == "clean"
    )
    csv_text = server.get(artifact["downloads"]["csv"], headers=ann.headers).text
    lines = csv_text.splitlines()
    assert lines[1].startswith("'=cmd") and lines[2].startswith("'+SUM") and lines[3].startswith("'-2+3")
    assert lines[4].startswith("'@import") and lines[5].startswith("'\tq") and lines[6].startswith("-7,")
    assert ",-3," in lines[3]  # numbers are left alone


def test_security_headers(server: TestClient, make_person: Callable[..., Person]) -> None:
    ann = make_person("ann")
    for path, headers in (("/api/v1/health", {}), ("/api/v1/workflows", ann.headers), ("/api/v1/datasets", {})):
        response = server.get(path, headers=headers)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY" and response.headers["cache-control"] == "no-store"
    page = server.get("/")
    assert page.headers["x-frame-options"] == "DENY" and "no-store" not in page.headers.get("cache-control", "")


def test_runs_use_the_servers_csv_limits(auth_settings: Settings) -> None:
    """A file accepted under raised limits also runs: the server's runs read with the same limits."""
    roomy = auth_settings.model_copy(update={"max_field_kb": 512})
    with TestClient(create_app(roomy)) as client:
        from tests.security.conftest import PASSWORD, auth_of, login

        account = auth_of(client).create_user("ann", PASSWORD, False)
        ann = Person("ann", account.id, login(client, "ann"))
        content = b"note,x,label\n" + b"".join(
            f"{'w' * 200_000 if i == 0 else 'n'},{i},{i % 2}\n".encode() for i in range(6)
        )
        assert post_csv(client, ann, "wide.csv", content) == 201
        document = {
            "schema_version": 1,
            "nodes": [{"id": "load", "type": "load_csv", "params": {"dataset": "wide.csv"}}],
            "edges": [],
        }
        saved = client.post(f"{API}/workflows", json=document, headers=ann.headers).json()
        run = client.post(f"{API}/workflows/{saved['id']}/runs", json={}, headers=ann.headers).json()
        state = wait_run(client, run["id"], headers=ann.headers)
        assert state["status"] == "succeeded", state

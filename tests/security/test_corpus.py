"""The bad-input corpus through the API and the CLI: every item is a 4xx or a clear CLI error, nothing else.

Afterwards the database holds what it held before (row counts per table), and another user's work
is exactly as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from flowza.cli import app as cli
from flowza.config import Settings
from tests.security.conftest import Person
from tests.security.corpus import GOOD_CSV, HOSTILE_UPLOAD_NAMES, bad_csvs, bad_workflows, base_workflow, raw
from tests.security.test_isolation import row_counts, setup_work, snapshot

API = "/api/v1"
FLOWZA = str(Path(sys.executable).parent / "flowza")


def user_files(settings: Settings) -> list[str]:
    root = settings.resolved_data_dir() / "users"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def assert_clear_4xx(response: Any, what: str) -> None:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.text[:500])
    detail = response.json()["detail"]
    assert detail and (isinstance(detail, str) or isinstance(detail, list)), (what, response.text[:500])


def assert_clear_cli_error(result: Any, what: str) -> None:
    output = result.output
    assert result.exit_code not in (0, None), (what, output[-2000:])
    assert "Traceback" not in output and result.exception is None or isinstance(result.exception, SystemExit), (
        what,
        output[-2000:],
    )
    assert "error" in output.lower(), (what, output[-2000:])


def test_csv_corpus_is_large_enough() -> None:
    assert len(bad_csvs()) >= 30 and len(bad_workflows()) >= 30


def test_bad_csvs_through_the_api(
    server: TestClient, make_person: Callable[..., Person], auth_settings: Settings
) -> None:
    alice, mallory = make_person("alice"), make_person("mallory")
    ids = setup_work(server, alice)
    before, counts, files = snapshot(server, alice, ids), row_counts(server), user_files(auth_settings)
    for case in bad_csvs():
        response = server.post(
            f"{API}/datasets", files={"file": ("case.csv", case.content, "text/csv")}, headers=mallory.headers
        )
        assert_clear_4xx(response, case.name)
    for content_type, body in [("text/csv", GOOD_CSV), ("multipart/form-data; boundary=x", b"--x\r\nbroken")]:
        response = server.post(
            f"{API}/datasets", content=body, headers={**mallory.headers, "Content-Type": content_type}
        )
        assert_clear_4xx(response, content_type)
    assert server.get(f"{API}/datasets", headers=mallory.headers).json() == []
    assert row_counts(server) == counts and user_files(auth_settings) == files
    assert snapshot(server, alice, ids) == before


def test_hostile_upload_names_stay_inside_the_users_folder(
    server: TestClient, make_person: Callable[..., Person], auth_settings: Settings
) -> None:
    mallory = make_person("mallory")
    folder = (auth_settings.resolved_data_dir() / "users" / mallory.id / "datasets").resolve()
    for filename, field in HOSTILE_UPLOAD_NAMES:
        data = {"name": field} if field is not None else None
        response = server.post(
            f"{API}/datasets", files={"file": (filename, GOOD_CSV, "text/csv")}, data=data, headers=mallory.headers
        )
        if response.status_code == 201:  # reduced to its base name, as browsers send it
            name = response.json()["name"]
            assert "/" not in name and "\\" not in name and "\x00" not in name and not name.startswith(".")
            assert (folder / name).resolve().parent == folder and (folder / name).is_file()
            server.delete(f"{API}/datasets/{response.json()['id']}", headers=mallory.headers)
        else:
            assert_clear_4xx(response, repr((filename, field)))
    root = auth_settings.resolved_data_dir().resolve()
    strays = [p for p in root.rglob("*") if p.is_file() and "users" not in p.relative_to(root).parts[:1]]
    assert all(p.name.startswith("flowza.db") for p in strays), strays


@pytest.mark.parametrize("case", bad_csvs(), ids=lambda c: c.name)
def test_bad_csvs_through_the_cli(case: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "case.csv").write_bytes(case.content)
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": "case.csv"}},
            {"id": "clean", "type": "drop_nulls", "params": {}},
        ],
        "edges": [{"source": "load", "target": "clean"}],
    }
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(document))
    runner = CliRunner()
    result = runner.invoke(
        cli, ["run", str(path), "--data-dir", str(data), "--no-cache", "--output-dir", str(tmp_path / "out")]
    )
    assert_clear_cli_error(result, case.name)
    checked = runner.invoke(cli, ["validate", str(path), "--data-dir", str(data)])
    assert "Traceback" not in checked.output and checked.exit_code in (0, 1), (case.name, checked.output)


def test_bad_workflows_through_the_api(server: TestClient, make_person: Callable[..., Person]) -> None:
    alice, mallory = make_person("alice"), make_person("mallory")
    ids = setup_work(server, alice)
    h = mallory.headers
    good = server.post(f"{API}/datasets", files={"file": ("good.csv", GOOD_CSV, "text/csv")}, headers=h)
    assert good.status_code == 201
    before, counts = snapshot(server, alice, ids), row_counts(server)
    for case in bad_workflows():
        body = raw(case.body)
        json_headers = {**h, "Content-Type": "application/json"}
        if case.api_refused:
            checked = server.post(f"{API}/validate", content=body, headers=json_headers)
            if checked.status_code == 200:  # a report of its errors is fine too; saving it is not
                assert checked.json()["valid"] is False and case.code in {e["code"] for e in checked.json()["errors"]}
            else:
                assert_clear_4xx(checked, case.name)
            assert_clear_4xx(server.post(f"{API}/workflows", content=body, headers=json_headers), case.name)
            continue
        report = server.post(f"{API}/validate", content=body, headers=json_headers)
        assert report.status_code == 200 and report.json()["valid"] is False, (case.name, report.text[:500])
        codes = {e["code"] for e in report.json()["errors"]}
        assert case.code in codes, (case.name, codes)
        saved = server.post(f"{API}/workflows", content=body, headers=json_headers)  # drafts may be invalid
        assert saved.status_code == 201, (case.name, saved.text[:500])
        started = server.post(f"{API}/workflows/{saved.json()['id']}/runs", json={}, headers=h)
        assert_clear_4xx(started, case.name)
        assert started.status_code == 422 and case.code in {e["code"] for e in started.json()["errors"]}
        assert server.delete(f"{API}/workflows/{saved.json()['id']}", headers=h).status_code == 204
    valid = server.post(f"{API}/workflows", json=base_workflow(), headers=h).json()
    assert valid["validation"]["valid"], valid["validation"]
    ghost = server.post(f"{API}/workflows/{valid['id']}/runs", json={"target_node": "ghost"}, headers=h)
    assert ghost.status_code == 422 and "unknown_node" in {e["code"] for e in ghost.json()["errors"]}
    assert server.delete(f"{API}/workflows/{valid['id']}", headers=h).status_code == 204
    assert row_counts(server) == counts
    assert snapshot(server, alice, ids) == before


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    (root / "datasets").mkdir()
    (root / "datasets2").mkdir()
    (root / "datasets" / "good.csv").write_bytes(GOOD_CSV)
    (root / "datasets2" / "good.csv").write_bytes(GOOD_CSV)
    return root


@pytest.mark.parametrize("case", bad_workflows(), ids=lambda c: c.name)
def test_bad_workflows_through_the_cli(case: Any, cli_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_bytes(raw(case.body))
    runner = CliRunner()
    data = str(cli_data / "datasets")
    checked = runner.invoke(cli, ["validate", str(path), "--data-dir", data])
    assert_clear_cli_error(checked, case.name)
    if case.code is not None:
        as_json = runner.invoke(cli, ["validate", str(path), "--data-dir", data, "--json"])
        report = json.loads(as_json.stdout.strip().splitlines()[-1])
        assert case.code in {e["code"] for e in report["errors"]}, (case.name, report["errors"][:3])
    ran = runner.invoke(cli, ["run", str(path), "--data-dir", data, "--no-cache", "--output-dir", str(tmp_path / "o")])
    assert_clear_cli_error(ran, case.name)
    assert not (tmp_path / "o").exists()


def test_the_real_cli_process_reports_bad_input_clearly(cli_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(base_workflow("../../../etc/passwd")))
    done = subprocess.run(
        [FLOWZA, "run", str(path), "--data-dir", str(cli_data / "datasets"), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = " ".join(done.stderr.split())
    assert done.returncode == 2 and "outside the data directory" in said and "Traceback" not in said
    path.write_bytes(b"[1, 2")
    done = subprocess.run([FLOWZA, "validate", str(path)], capture_output=True, text=True, timeout=120)
    said = " ".join(done.stderr.split())  # rich wraps long lines at the terminal width
    assert done.returncode == 2 and "not valid JSON" in said and "Traceback" not in said

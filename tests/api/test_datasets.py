"""Dataset upload, profile, preview, download, bad files and deletion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.demo import iris
from tests.api.conftest import csv_bytes, save, upload, workflow

IRIS = csv_bytes(iris())


def user_files(settings: Settings) -> list[str]:
    """Every file under the users' folders (datasets, Parquet copies, uploads in progress)."""
    root = settings.resolved_data_dir() / "users"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_profile_preview_download(client: TestClient, settings: Settings) -> None:
    response = upload(client, "iris.csv", IRIS)
    assert response.status_code == 201, response.text
    dataset = response.json()
    assert dataset["name"] == "iris.csv" and dataset["rows"] == 150 and dataset["columns"] == 5
    assert dataset["size_bytes"] == len(IRIS) and len(dataset["sha256"]) == 64
    columns = {c["name"]: c for c in dataset["profile"]["columns"]}
    assert columns["sepal_length"]["kind"] == "numeric" and columns["sepal_length"]["min"] == 4.3
    assert columns["sepal_length"]["max"] == 7.9 and columns["sepal_length"]["missing"] == 0
    assert columns["species"]["distinct"] == 3 and columns["species"]["top"][0]["count"] == 50

    listed = client.get("/api/v1/datasets").json()
    assert [d["name"] for d in listed] == ["iris.csv"]
    assert client.get(f"/api/v1/datasets/{dataset['id']}").json()["profile"] == dataset["profile"]

    page = client.get(f"/api/v1/datasets/{dataset['id']}/preview?offset=148&limit=10").json()
    assert page["total_rows"] == 150 and len(page["rows"]) == 2 and page["offset"] == 148
    assert [c["name"] for c in page["columns"]][-1] == "species" and page["rows"][-1][-1] == "virginica"
    assert client.get(f"/api/v1/datasets/{dataset['id']}/preview?limit=0").status_code == 422

    download = client.get(f"/api/v1/datasets/{dataset['id']}/download")
    assert download.status_code == 200 and download.content == IRIS
    assert (settings.resolved_data_dir() / "users").is_dir()


def test_upload_with_name_field_and_duplicate_name(client: TestClient) -> None:
    assert upload(client, "whatever.csv", IRIS, field_name="flowers.csv").json()["name"] == "flowers.csv"
    again = upload(client, "other.csv", IRIS, field_name="flowers.csv")
    assert again.status_code == 409 and "flowers.csv" in again.json()["detail"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"a,b\n\x00\x01\x02\x03binary\x00stuff\n", "binary"),
        (b"a,b,c\n1,2,3\n4,5,6,7,8\n", "malformed"),
        (b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "ragged"),
        (b"name,city\nJos\x81,Ko\x8dln\n", "decoded"),
        (b"1,2,3\n4,5,6\n7,8,9\n", "no header"),
        (b"a,b,a\n1,2,3\n", "twice"),
        (b"a,b,c\n", "no data rows"),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "too-many-fields",
        "too-few-fields",
        "undecodable",
        "no-header",
        "dup-cols",
        "no-rows",
    ],
)
def test_bad_files_are_refused_with_a_reason_and_leave_nothing(
    client: TestClient, settings: Settings, content: bytes, words: str
) -> None:
    response = upload(client, "bad.csv", content)
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    assert client.get("/api/v1/datasets").json() == []
    assert user_files(settings) == []


@pytest.fixture
def small_limit_client(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"max_upload_mb": 0.5})
    with TestClient(create_app(limited)) as client:
        yield client


def test_too_large_upload_is_413(small_limit_client: TestClient, settings: Settings) -> None:
    big = b"a,b\n" + b"1,2\n" * 300_000  # 1.2 MB > 0.5 MB
    response = upload(small_limit_client, "big.csv", big)
    assert response.status_code == 413 and "FLOWZA_MAX_UPLOAD_MB" in response.json()["detail"]
    assert user_files(settings) == []


def test_too_large_streamed_upload_without_length_is_413(small_limit_client: TestClient, settings: Settings) -> None:
    boundary = "flowzaboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:  # chunked transfer: the server only learns the size as it reads
        yield head + b"a,b\n"
        for _ in range(40):
            yield b"1,2\n" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small_limit_client.post(
        "/api/v1/datasets", content=body(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 413
    assert user_files(settings) == []


def test_malformed_requests_are_400(client: TestClient) -> None:
    not_multipart = client.post("/api/v1/datasets", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert not_multipart.status_code == 400 and "multipart/form-data" in not_multipart.json()["detail"]
    wrong_field = client.post("/api/v1/datasets", files={"upload": ("x.csv", b"a\n1\n", "text/csv")})
    assert wrong_field.status_code == 400 and "'file'" in wrong_field.json()["detail"]


@pytest.mark.parametrize("name", ["../escape.csv", "sub/dir.csv", ".hidden.csv", "a" * 300])
def test_dataset_names_cannot_escape(client: TestClient, settings: Settings, name: str) -> None:
    response = upload(client, "ok.csv", IRIS, field_name=name)
    assert response.status_code == 422 and "not allowed" in response.json()["detail"]
    assert user_files(settings) == []


def test_file_name_paths_are_reduced_to_the_base_name(client: TestClient) -> None:
    response = upload(client, "../../etc/passwd.csv", IRIS)
    assert response.status_code == 201 and response.json()["name"] == "passwd.csv"


def test_delete_refused_while_a_workflow_uses_it(client: TestClient, settings: Settings) -> None:
    dataset = upload(client, "iris.csv", IRIS).json()
    save(client, workflow("multiclass_classification", load={"dataset": "iris.csv"}, split={"target": "species"}))
    refused = client.delete(f"/api/v1/datasets/{dataset['id']}")
    assert refused.status_code == 409
    assert "iris.csv" in refused.json()["detail"] and refused.json()["workflows"]
    assert client.delete(f"/api/v1/datasets/{dataset['id']}?force=true").status_code == 204
    assert client.get(f"/api/v1/datasets/{dataset['id']}").status_code == 404
    assert user_files(settings) == []


def test_delete_unused_and_unknown(client: TestClient, settings: Settings) -> None:
    dataset = upload(client, "iris.csv", IRIS).json()
    assert len(user_files(settings)) == 2  # the CSV and its Parquet copy
    assert client.delete(f"/api/v1/datasets/{dataset['id']}").status_code == 204
    assert user_files(settings) == []
    missing = client.delete("/api/v1/datasets/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    assert client.get("/api/v1/datasets/nope/preview").status_code == 404


def test_samples_are_added_at_start_and_not_twice(settings: Settings, tmp_path: Path) -> None:
    seeded = settings.model_copy(update={"seed_samples": True, "shared_datasets": tmp_path / "no-shared-datasets"})
    with TestClient(create_app(seeded)) as client:
        names = [d["name"] for d in client.get("/api/v1/datasets").json()]
    assert names == ["sample_breast_cancer.csv", "sample_diabetes.csv", "sample_iris.csv", "sample_wine.csv"]
    with TestClient(create_app(seeded)) as client:
        assert len(client.get("/api/v1/datasets").json()) == 4


def test_stale_upload_leftovers_are_cleared_at_start(settings: Settings) -> None:
    import os

    from flowza.datasets.scratch import IN_USE, scratch_folder

    with TestClient(create_app(settings)) as client:
        state = client.app.state.flowza  # type: ignore[attr-defined]
        incoming = state.layout.incoming_dir(state.user_id)
        legacy = incoming / "made-by-an-older-flowza"  # no lock file: judged by its age
        legacy.mkdir()
        (legacy / "upload").write_bytes(b"half an upload")
        os.utime(legacy, (0, 0))
        dead = incoming / "its-process-died"  # a lock file nobody holds: removed however young
        dead.mkdir()
        (dead / IN_USE).touch()
        (dead / "upload").write_bytes(b"half an upload")
    with scratch_folder(incoming) as in_progress:  # an upload going on in another process: kept
        with TestClient(create_app(settings)):
            assert not legacy.exists() and not dead.exists() and in_progress.exists()
    assert not in_progress.exists()

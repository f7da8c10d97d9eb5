"""Uploads at the edges: a header longer than the sniffed block, a client that goes away mid-upload."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from flowza.config import Settings
from flowza.nodes.data.files import SNIFF_BYTES
from tests.api.conftest import upload
from tests.api.test_serve_process import running_server


def long_header(columns: int, duplicate_last: str | None) -> list[str]:
    names = [f"measurement_{i:05d}_of_a_rather_wordy_sensor_name" for i in range(columns)]
    if duplicate_last is not None:
        names[-1] = duplicate_last
    return names


def csv_of(names: list[str]) -> bytes:
    return (",".join(names) + "\n" + ",".join("1" for _ in names) + "\n").encode()


def test_a_duplicate_column_past_the_first_block_is_refused(client: TestClient, settings: Settings) -> None:
    names = long_header(1800, duplicate_last="measurement_00003_of_a_rather_wordy_sensor_name")
    content = csv_of(names)
    assert content.index(names[-1].encode() + b"\n") > SNIFF_BYTES  # the duplicate lies past the first 64 KB
    refused = upload(client, "wide.csv", content)
    assert refused.status_code == 422, refused.text[:300]
    assert "'measurement_00003_of_a_rather_wordy_sensor_name' twice" in refused.json()["detail"]
    assert client.get("/api/v1/datasets").json() == []


def test_a_long_header_without_duplicates_is_accepted_whole(client: TestClient) -> None:
    names = long_header(1800, duplicate_last=None)
    accepted = upload(client, "wide.csv", csv_of(names))
    assert accepted.status_code == 201, accepted.text[:300]
    assert accepted.json()["columns"] == 1800


def test_too_many_columns_in_a_long_header_is_413(client: TestClient, settings: Settings) -> None:
    names = long_header(2001, duplicate_last=None)
    refused = upload(client, "wider.csv", csv_of(names))
    assert refused.status_code == 413 and "2001 columns" in refused.json()["detail"], refused.text[:300]


def scratch_files(data_dir: Path) -> list[Path]:
    """Everything in the upload scratch folders (data/users/*/incoming/)."""
    return sorted((data_dir / "users").glob("*/incoming/**/*"))


def start_upload(base: str, data_dir: Path) -> socket.socket:
    """Send the headers and 1 MB of a promised 20 MB upload; return once the server is writing it."""
    port = int(base.rsplit(":", 1)[1])
    boundary = "flowzaboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\na,b\r\n"
    ).encode()
    request = (
        f"POST /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n"
    ).encode()
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(request + head + b"1,2\r\n" * 200_000)
    deadline = time.monotonic() + 60
    while not [p for p in scratch_files(data_dir) if p.name == "upload"]:
        assert time.monotonic() < deadline, "the server never started writing the upload"
        time.sleep(0.05)
    return client


def wait_until_no_scratch_files(data_dir: Path) -> None:
    deadline = time.monotonic() + 60
    while scratch_files(data_dir):
        assert time.monotonic() < deadline, f"scratch files left: {scratch_files(data_dir)}"
        time.sleep(0.05)


def test_an_upload_cut_off_by_the_client_leaves_no_scratch_files(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'flowza.db'}", tmp_path) as (base, _):
        client = start_upload(base, tmp_path / "data")
        client.close()  # the client goes away mid-upload
        wait_until_no_scratch_files(tmp_path / "data")
        names = [d["name"] for d in httpx.get(f"{base}/api/v1/datasets", timeout=10).json()]
        assert "big.csv" not in names


def test_scratch_files_of_a_killed_server_are_removed_when_a_server_starts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'flowza.db'}"
    with running_server(url, tmp_path) as (base, process):
        client = start_upload(base, tmp_path / "data")
        process.kill()  # no clean-up code runs: out of memory, power cut, kill -9
        process.wait(timeout=60)
        client.close()
    assert "upload" in [p.name for p in scratch_files(tmp_path / "data")]  # the half upload is still there
    with running_server(url, tmp_path):  # minutes later, not an hour: the dead upload's lock is gone
        assert scratch_files(tmp_path / "data") == []

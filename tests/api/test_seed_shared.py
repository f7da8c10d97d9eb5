"""Issue 20, item 5: `serve` adds titanic.csv from the shared datasets folder beside the samples, or says
in one line where to get it. Flowza does not ship the file (its source has no licence)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from tests.api.conftest import upload, wait_run, workflow
from tests.conftest import REPO_ROOT

SAMPLES = ["sample_breast_cancer.csv", "sample_diabetes.csv", "sample_iris.csv", "sample_wine.csv"]


def seeding(settings: Settings, shared: Path) -> Settings:
    return settings.model_copy(update={"seed_samples": True, "shared_datasets": shared})


def test_titanic_is_added_at_start_and_the_template_runs_on_it(settings: Settings, shared_datasets: Path) -> None:
    with TestClient(create_app(seeding(settings, shared_datasets))) as client:
        datasets = {d["name"]: d for d in client.get("/api/v1/datasets").json()}
        assert sorted(datasets) == sorted([*SAMPLES, "titanic.csv"])
        assert (datasets["titanic.csv"]["rows"], datasets["titanic.csv"]["columns"]) == (891, 15)
        document = workflow("binary_classification", load={"dataset": "titanic.csv"}, split={"target": "survived"})
        saved = client.post("/api/v1/workflows", json=document).json()
        run = wait_run(client, client.post(f"/api/v1/workflows/{saved['id']}/runs").json()["id"], timeout=180)
        assert run["status"] == "succeeded", run
        assert 0.6 < run["metrics"]["eval"]["accuracy"] <= 1.0
    with TestClient(create_app(seeding(settings, shared_datasets))) as client:  # a second start adds nothing
        assert sorted(d["name"] for d in client.get("/api/v1/datasets").json()) == sorted([*SAMPLES, "titanic.csv"])


def test_without_the_folder_one_line_says_where_to_get_titanic(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-shared-datasets"
    with caplog.at_level(logging.WARNING, logger="flowza.demo.shared"):
        with TestClient(create_app(seeding(settings, missing))) as client:
            names = sorted(d["name"] for d in client.get("/api/v1/datasets").json())
    assert names == SAMPLES
    lines = [r.getMessage() for r in caplog.records if r.name == "flowza.demo.shared"]
    assert len(lines) == 1, lines
    assert str(missing) in lines[0] and "FLOWZA_SHARED_DATASETS" in lines[0]
    assert "https://raw.githubusercontent.com/mwaskom/seaborn-data/master/titanic.csv" in lines[0]


def test_a_titanic_the_user_has_is_kept_and_nothing_is_said(
    settings: Settings, shared_datasets: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(settings)) as client:  # seeding off: the user uploads a titanic.csv of their own
        assert upload(client, "titanic.csv", b"a,b\n1,2\n3,4\n").status_code == 201
    with caplog.at_level(logging.WARNING, logger="flowza.demo.shared"):
        with TestClient(create_app(seeding(settings, shared_datasets))) as client:
            titanic = next(d for d in client.get("/api/v1/datasets").json() if d["name"] == "titanic.csv")
        assert titanic["rows"] == 2
        with TestClient(create_app(seeding(settings, settings.home / "nowhere"))):
            pass
    assert [r for r in caplog.records if r.name == "flowza.demo.shared"] == []


def test_the_folder_comes_from_the_environment_or_sits_next_to_the_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLOWZA_SHARED_DATASETS", str(tmp_path))
    assert Settings().resolved_shared_datasets() == tmp_path
    monkeypatch.delenv("FLOWZA_SHARED_DATASETS")
    assert Settings().resolved_shared_datasets() == REPO_ROOT.parent / "shared" / "datasets"

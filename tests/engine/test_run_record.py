"""Run records: an unchanged `flowza run` is answered without the engine, and any change runs it.

Whether the engine ran is read from the process itself: with `-X importtime` Python lists every
module it imports on stderr, and the engine cannot run without pydantic.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowza.engine.run_record import Request, identity, parse
from tests.engine.helpers import chain, classification_chain


class Run:
    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.code = done.returncode
        self.stdout = done.stdout
        lines = done.stderr.splitlines()
        self.imports = [line for line in lines if line.startswith("import time:")]
        self.stderr = [line for line in lines if not line.startswith("import time:")]

    @property
    def engine_ran(self) -> bool:
        return any(line.split("|")[-1].strip() == "pydantic" for line in self.imports)

    @property
    def document(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))

    @property
    def statuses(self) -> dict[str, str]:
        return {node_id: node["status"] for node_id, node in self.document["nodes"].items()}


@pytest.fixture
def project(data_dir: Path, tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(classification_chain()))
    return {"data": data, "cache": tmp_path / "cache", "workflow": workflow, "cwd": tmp_path}


def flowza(project: dict[str, Path], *extra: str, as_json: bool = True, env: dict[str, str] | None = None) -> Run:
    args = ["run", str(project["workflow"]), "--data-dir", str(project["data"]), "--cache-dir", str(project["cache"])]
    args += ["--json"] if as_json else []
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flowza", *args, *extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=project["cwd"],
        env={**os.environ, **(env or {})},
    )
    return Run(done)


def without_seconds(document: dict[str, Any]) -> dict[str, Any]:
    nodes = {k: {**v, "seconds": None} for k, v in document["nodes"].items()}
    return {**document, "nodes": nodes}


def test_an_unchanged_rerun_prints_the_engines_answer_without_starting_it(project: dict[str, Path]) -> None:
    first = flowza(project)
    assert first.code == 0, first.stderr
    assert first.engine_ran and set(first.statuses.values()) == {"succeeded"}
    assert len(list((project["cache"] / "runs").glob("*.json"))) == 1

    answered = flowza(project)
    assert answered.code == 0, answered.stderr
    assert not answered.engine_ran
    assert set(answered.statuses.values()) == {"cached"}
    assert answered.document["metrics"] == first.document["metrics"]

    shutil.rmtree(project["cache"] / "runs")  # the same rerun through the engine, for comparison
    engine = flowza(project)
    assert engine.engine_ran
    assert without_seconds(answered.document) == without_seconds(engine.document)

    human_engine = flowza(project, as_json=False)  # other arguments: a record of their own
    assert human_engine.engine_ran
    human = flowza(project, as_json=False)
    assert not human.engine_ran
    assert human.stderr == human_engine.stderr
    assert any(line.startswith("  eval: {'accuracy'") for line in human.stderr)


def touch_dataset(project: dict[str, Path]) -> dict[str, Any]:
    path = project["data"] / "synthetic.csv"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    return {}


def edit_workflow(project: dict[str, Path]) -> dict[str, Any]:
    project["workflow"].write_text(json.dumps(classification_chain(model_params={"C": 0.5})))
    return {}


def remove_model_entry(project: dict[str, Path]) -> dict[str, Any]:
    record = json.loads(next((project["cache"] / "runs").glob("*.json")).read_text())
    key = record["entries"]["model"]
    shutil.rmtree(project["cache"] / "entries" / key[:2] / key)
    return {}


def damage_record(project: dict[str, Path]) -> dict[str, Any]:
    next((project["cache"] / "runs").glob("*.json")).write_text('{"format": 2, "inputs": "not a list"}')
    return {}


def tighter_limit(project: dict[str, Path]) -> dict[str, Any]:
    return {"env": {"FLOWZA_MAX_ROWS": "10"}}


def override(project: dict[str, Path]) -> dict[str, Any]:
    return {"extra": ["--set", "model.C=0.5"]}


def no_cache(project: dict[str, Path]) -> dict[str, Any]:
    return {"extra": ["--no-cache"]}


CHANGES = {
    "dataset touched": (touch_dataset, 0, {"cached"}),
    "workflow edited": (edit_workflow, 0, {"cached", "succeeded"}),
    "cache entry removed": (remove_model_entry, 0, {"cached", "succeeded"}),
    "setting changed": (tighter_limit, 0, {"cached"}),
    "record damaged": (damage_record, 0, {"cached"}),
    "param overridden": (override, 0, {"cached", "succeeded"}),
    "cache off": (no_cache, 0, {"succeeded"}),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_runs_the_engine(project: dict[str, Path], change: str) -> None:
    apply, code, statuses = CHANGES[change]
    assert flowza(project).code == 0
    how = apply(project)
    rerun = flowza(project, *how.get("extra", []), env=how.get("env"))
    assert rerun.engine_ran
    assert rerun.code == code, rerun.stderr
    assert set(rerun.statuses.values()) == statuses


def test_a_dataset_link_pointed_at_another_file_runs_the_engine(project: dict[str, Path]) -> None:
    """The new file has the same size and modification time: only where the link leads changed."""
    data = project["data"]
    shutil.copy2(data / "synthetic.csv", data / "copy.csv")
    (data / "linked.csv").symlink_to(data / "synthetic.csv")
    project["workflow"].write_text(json.dumps(classification_chain(dataset="linked.csv")))
    assert flowza(project).code == 0
    assert not flowza(project).engine_ran
    (data / "linked.csv").unlink()
    (data / "linked.csv").symlink_to(data / "copy.csv")
    rerun = flowza(project)
    assert rerun.engine_ran and rerun.code == 0


def test_a_run_that_exports_a_file_leaves_no_record(project: dict[str, Path]) -> None:
    steps = [
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("split", "train_test_split", {"target": "label"}),
        ("encode", "encode_categorical", {}),
        ("impute", "impute", {}),
        ("model", "logistic_regression", {}),
        ("export", "export_model", {"format": "skops", "name": "model"}),
    ]
    project["workflow"].write_text(json.dumps(chain(*steps)))
    first = flowza(project)
    assert first.code == 0, first.stderr
    assert not list((project["cache"] / "runs").glob("*.json"))
    again = flowza(project)
    assert again.engine_ran and set(again.statuses.values()) == {"cached"}


def test_only_a_plain_run_of_a_workflow_file_is_read_from_a_record() -> None:
    assert parse(["run", "wf.json", "--data-dir", "d", "--cache-dir", "c", "--json"]) == Request(
        Path("wf.json"), Path("c"), True
    )
    assert parse(["run", "--json", "--cache-dir=c", "wf.json"]) == Request(Path("wf.json"), Path("c"), True)
    assert parse(["run", "wf.json"]) == Request(Path("wf.json"), None, False)
    for argv in (
        [],
        ["validate", "wf.json"],
        ["run", "binary_classification"],
        ["run", "wf.json", "--set", "a.b=1"],
        ["run", "wf.json", "--no-cache"],
        ["run", "wf.json", "other.json"],
        ["run", "wf.json", "--cache-dir"],
        ["run", "wf.json", "--cache-dir", "a", "--cache-dir", "b"],
    ):
        assert parse(argv) is None, argv


def test_the_identity_covers_what_a_run_reads_from_its_surroundings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    argv = ["run", "wf.json", "--json"]
    first = identity(argv, b"{}")
    assert identity(argv, b"{}") == first
    assert identity(["run", "wf.json"], b"{}") != first
    assert identity(argv, b'{"nodes": []}') != first
    monkeypatch.setenv("flowza_max_rows", "10")  # settings are read in any case
    assert identity(argv, b"{}") != first
    monkeypatch.delenv("flowza_max_rows")
    monkeypatch.setenv("HOME", str(tmp_path))  # the default data folder
    assert identity(argv, b"{}") != first
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert identity(argv, b"{}") != first

"""`flowza run` as its own process (`python -m flowza`): the JSON on stdout is whole, the exit code is
the run's, and the cache writes are on disk when it ends (a second process finds every node cached).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.engine.helpers import chain, classification_chain


def flowza_run(workflow: Path, data_dir: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    args = ["run", str(workflow), "--data-dir", str(data_dir), "--cache-dir", str(cache), "--json"]
    return subprocess.run([sys.executable, "-m", "flowza", *args], capture_output=True, text=True, timeout=300)


def test_a_run_process_prints_its_result_and_leaves_its_cache_complete(data_dir: Path, tmp_path: Path) -> None:
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(classification_chain()))
    first = flowza_run(workflow, data_dir, tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert document["status"] == "succeeded" and document["metrics"]["eval"]["accuracy"] > 0.5
    second = flowza_run(workflow, data_dir, tmp_path / "cache")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert {n["status"] for n in again["nodes"].values()} == {"cached"}
    assert again["metrics"] == document["metrics"]


def test_a_failed_run_process_exits_1_with_the_whole_document(tmp_path: Path) -> None:
    """A short row past the rows validation samples: the run starts, then load_csv fails."""
    data = tmp_path / "data"
    data.mkdir()
    rows = ["a,b,label"] + [f"{i},{i % 7},{'yes' if i % 2 else 'no'}" for i in range(6000)]
    rows[5500] = "1,2"
    (data / "late.csv").write_text("\n".join(rows) + "\n")
    workflow = tmp_path / "wf.json"
    steps = [
        ("load", "load_csv", {"dataset": "late.csv"}),
        ("split", "train_test_split", {"target": "label"}),
        ("model", "logistic_regression", {}),
    ]
    workflow.write_text(json.dumps(chain(*steps)))
    done = flowza_run(workflow, data, tmp_path / "cache")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["status"] == "failed"
    assert document["nodes"]["load"]["status"] == "failed" and "line 5501" in document["nodes"]["load"]["error"]
    assert document["nodes"]["model"]["status"] == "skipped"


def test_version_option_prints_the_version() -> None:
    from flowza import __version__

    done = subprocess.run([sys.executable, "-m", "flowza", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == __version__

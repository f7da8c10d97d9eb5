"""`flowza run` as its own process: tuned for one run, and it ends without the interpreter's teardown.

Skipping the teardown must not lose anything: the JSON on stdout is whole, the exit code is the
run's, and the cache writes are on disk (a second process finds every node cached).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.engine.helpers import chain, classification_chain


def flowza_run(workflow: Path, data_dir: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    args = ["run", str(workflow), "--data-dir", str(data_dir), "--cache-dir", str(cache), "--json"]
    return subprocess.run([sys.executable, "-m", "flowza.cli", *args], capture_output=True, text=True, timeout=300)


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


def test_tuning_sets_the_collector_thresholds_glibc_malloc_and_the_arrow_pool() -> None:
    script = """
import gc, platform, sys
from flowza.one_shot import GC_THRESHOLDS, tune_for_one_run
tuned = tune_for_one_run()
assert gc.get_threshold() == GC_THRESHOLDS, gc.get_threshold()
assert tuned == (sys.platform == "linux" and platform.libc_ver()[0] == "glibc"), tuned
import numpy
big = numpy.ones(64 * 2**20 // 8)  # served from the heap now, not a fresh mapping
assert float(big.sum()) == big.size
import pyarrow
assert pyarrow.default_memory_pool().backend_name == "mimalloc", pyarrow.default_memory_pool().backend_name
print("ok")
"""
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

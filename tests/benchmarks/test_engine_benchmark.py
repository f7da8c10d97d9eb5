"""benchmarks/engine.py end to end on small tables: it runs every program and checks what it reports.

The benchmark's figures belong in its own output (docs/performance.md); this test only keeps it
working: for each shape the metrics of `flowza run` equal the plain script's, those after changing
C equal the model-alone baseline's, the unchanged rerun is all `cached`, and changing `C` re-runs
the model and evaluate only.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_the_engine_benchmark_matrix_runs_and_its_programs_agree(tmp_path: Path, shared_datasets: Path) -> None:
    args = ["--quick", "--shapes", "a,c,f", "--work-dir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "engine.py"), *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO_ROOT,
        env={**os.environ, "FLOWZA_SHARED_DATASETS": str(shared_datasets)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for shape in ("a", "c", "f"):
        assert f"shape {shape}: metrics equal to the script (1e-9): True; " in out, out
        assert "after changing C equal to the model-alone baseline: True" in out, out
        statuses = re.search(rf"shape {shape}: unchanged rerun statuses (\[.*?\]); after changing C: (\{{.*\}})", out)
        assert statuses is not None, out
        assert ast.literal_eval(statuses.group(1)) == ["cached"]
        after_change = ast.literal_eval(statuses.group(2))
        assert {k for k, v in after_change.items() if v == "succeeded"} == {"model", "eval"}
        assert {v for k, v in after_change.items() if k not in ("model", "eval")} == {"cached"}
        row = re.search(rf"^\| {shape} .*\|$", out, re.MULTILINE)
        assert row is not None, out
        assert len(re.findall(r"\d+\.\d\d", row.group(0))) >= 6, row.group(0)

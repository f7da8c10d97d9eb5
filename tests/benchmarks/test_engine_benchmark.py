"""benchmarks/engine.py end to end on a small CSV: it runs every program and checks what it reports.

The benchmark's figures belong in its own output (README "Caching and performance"); this test
only keeps it working: the metrics of `flowza run` equal the plain script's, the unchanged
rerun is all `cached`, and changing `C` re-runs the model and evaluate only.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_the_engine_benchmark_runs_and_its_programs_agree(tmp_path: Path) -> None:
    args = ["--rows", "20000", "--repeat", "1", "--no-settle", "--work-dir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "engine.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "metrics equal to the plain script (1e-9): True" in out, out
    warm = re.search(r"warm statuses: (\[.*?\]);", out)
    change = re.search(r"after changing C: (\{.*\})", out)
    assert warm is not None and change is not None, out
    assert ast.literal_eval(warm.group(1)) == ["cached"]
    statuses = ast.literal_eval(change.group(1))
    assert statuses == {
        "load": "cached",
        "clean": "cached",
        "split": "cached",
        "encode": "cached",
        "scale": "cached",
        "model": "succeeded",
        "eval": "succeeded",
    }
    for program in ("plain pandas + sklearn script", "flowza run, cold", "flowza run, warm, C changed"):
        assert re.search(re.escape(program) + r".*?\d+\.\d\d", out), program

"""Issue 6, item 4: exported scripts and notebooks reproduce the Flowza run's metrics to 1e-9."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from flowza.codegen.export import export_workflow
from tests.export.cases import CASES, NOTEBOOK_CASES
from tests.export.support import (
    assert_same,
    engine_run,
    execute_notebook,
    last_json,
    notebook_metrics,
    plain,
    run_script,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", sorted(CASES))
def test_script_reproduces_the_run(case: str, shared_datasets: Path, tmp_path: Path) -> None:
    document = CASES[case]()
    expected = plain(engine_run(document, shared_datasets, tmp_path / "engine").metrics)
    script = tmp_path / "workflow.py"
    # half the cases detect the CSV format at export time, half leave it to the script
    data_dir = shared_datasets if len(case) % 2 else None
    script.write_text(export_workflow(document, "script", data_dir=data_dir), encoding="utf-8")
    got = last_json(run_script(script, shared_datasets, tmp_path / "out"))
    assert_same(expected, got)
    if case.startswith("template-") and "cleaning" not in case:
        assert expected, "a template with a model must report metrics"


def test_data_cleaning_script_gives_the_same_table(shared_datasets: Path, tmp_path: Path) -> None:
    document = CASES["template-data-cleaning-penguins"]()
    result = engine_run(document, shared_datasets, tmp_path / "engine", keep=True)
    expected = result.outputs["encode"]["data"].frame
    script = tmp_path / "clean.py"
    script.write_text(export_workflow(document, "script"), encoding="utf-8")
    table = tmp_path / "table.parquet"
    runner = (
        "import runpy, sys\n"
        "names = runpy.run_path(sys.argv[1], run_name='__main__')\n"
        "names['encode_data'].to_parquet(sys.argv[2])\n"
    )
    env_script = tmp_path / "runner.py"
    env_script.write_text(runner)
    done = subprocess.run(
        [sys.executable, str(env_script), str(script), str(table)],
        capture_output=True,
        text=True,
        env={"DATA_DIR": str(shared_datasets), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pd.testing.assert_frame_equal(pd.read_parquet(table), expected, check_exact=True)


@pytest.mark.parametrize("case", NOTEBOOK_CASES)
def test_notebook_reproduces_the_run(case: str, shared_datasets: Path, tmp_path: Path) -> None:
    document = CASES[case]()
    expected = plain(engine_run(document, shared_datasets, tmp_path / "engine").metrics)
    text = export_workflow(document, "notebook", data_dir=shared_datasets)
    out = tmp_path / "out"
    out.mkdir()
    cells = execute_notebook(text, shared_datasets, out)
    assert_same(expected, notebook_metrics(cells))
    outputs = [o for cell in cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    if expected:
        charts = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(charts) == len(expected), "one figure per evaluate node"
    previews = [o for o in outputs if "text/html" in o.get("data", {})]
    assert previews, "data steps show a head() preview"

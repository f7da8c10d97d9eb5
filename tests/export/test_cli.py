"""`flowza export WF.json --format script|notebook [-o FILE] [--data-dir DIR] [--set NODE.PARAM=VALUE]`."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
from typer.testing import CliRunner

from flowza.cli import app
from tests.export.support import assert_same, last_json, plain, run_script, template

runner = CliRunner()


def test_export_script_to_stdout_with_overrides() -> None:
    result = runner.invoke(
        app,
        ["export", "binary_classification", "--set", "load.dataset=titanic.csv", "--set", "split.target=survived"],
    )
    assert result.exit_code == 0, result.output
    tree = ast.parse(result.stdout)
    assert any(isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "DATA_DIR" for n in tree.body)
    assert "'survived'" in result.stdout


def test_export_notebook_to_file(tmp_path: Path, shared_datasets: Path) -> None:
    workflow_file = tmp_path / "wf.json"
    workflow_file.write_text(json.dumps(template("multiclass_classification", "penguins.csv", "species")))
    out = tmp_path / "wf.ipynb"
    result = runner.invoke(
        app, ["export", str(workflow_file), "--format", "notebook", "-o", str(out), "--data-dir", str(shared_datasets)]
    )
    assert result.exit_code == 0, result.output
    notebook = nbformat.read(out, as_version=4)
    nbformat.validate(notebook)
    assert str(shared_datasets.resolve()) in notebook.cells[1].source


def test_cli_round_trip_matches_flowza_run(tmp_path: Path, shared_datasets: Path) -> None:
    """The README's promise: `flowza export` then `python script.py` prints what `flowza run --json` reports."""
    workflow_file = tmp_path / "wf.json"
    workflow_file.write_text(json.dumps(template("clean_split_logistic", "iris.csv", "species")))
    data = ["--data-dir", str(shared_datasets)]
    ran = runner.invoke(
        app, ["run", str(workflow_file), *data, "--json", "--no-cache", "--output-dir", str(tmp_path / "out")]
    )
    assert ran.exit_code == 0, ran.output
    script = tmp_path / "wf.py"
    exported = runner.invoke(app, ["export", str(workflow_file), "-o", str(script), *data])
    assert exported.exit_code == 0, exported.output
    got = last_json(run_script(script, shared_datasets, tmp_path / "out2"))
    assert_same(plain(json.loads(ran.stdout.strip().splitlines()[-1])["metrics"]), got)


def test_export_errors(tmp_path: Path) -> None:
    bad_format = runner.invoke(app, ["export", "binary_classification", "--format", "pdf"])
    assert bad_format.exit_code == 2 and "script" in bad_format.output
    invalid = runner.invoke(app, ["export", "binary_classification"])  # no dataset, no target
    assert invalid.exit_code == 1 and "error" in invalid.output
    missing = runner.invoke(app, ["export", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    bad_set = runner.invoke(app, ["export", "binary_classification", "--set", "ghost.x=1"])
    assert bad_set.exit_code == 2 and "ghost" in bad_set.output
    no_dir = runner.invoke(app, ["export", "binary_classification", "--data-dir", str(tmp_path / "nope")])
    assert no_dir.exit_code == 2

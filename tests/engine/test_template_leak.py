"""Issue 23, item 10: the binary-classification template on titanic scores 100% while `alive` (the target
in words) stays in; the template has a drop node for it, the README's headless example drops it, and the
lint names the leak when the column is kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from flowza.engine.executor import RunOptions, RunResult, run_workflow
from flowza.templates import load_template

# the README's headless example, word for word after `flowza`
README_EXAMPLE = [
    "run",
    "binary_classification",
    "--set",
    "load.dataset=titanic.csv",
    "--set",
    "split.target=survived",
    "--set",
    'drop.columns=["alive"]',
]


def _titanic(drop: list[str]) -> dict[str, Any]:
    document = load_template("binary_classification")
    params = {node["id"]: node["params"] for node in document["nodes"]}
    params["load"]["dataset"] = "titanic.csv"
    params["split"]["target"] = "survived"
    params["drop"]["columns"] = drop
    return document


def _run(document: dict[str, Any], data_dir: Path) -> RunResult:
    result = run_workflow(document, RunOptions(data_dir=data_dir))
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items() if v.error}
    return result


def _leak_warnings(result: RunResult) -> list[str]:
    return [i.message for i in result.report.warnings if i.code == "target_leak"]


def test_the_readme_example_drops_alive_and_scores_realistically(shared_datasets: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "flowza.cli", *README_EXAMPLE, "--data-dir", str(shared_datasets), "--json"]
    done = subprocess.run(
        [*command, "--no-cache"], capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)
    assert printed["nodes"]["drop"]["status"] == "succeeded"
    accuracy = printed["metrics"]["eval"]["accuracy"]
    assert 0.6 < accuracy < 0.95, f"accuracy {accuracy}: the leak is still in"
    assert "gives the answer away" not in done.stderr


def test_the_template_on_titanic_without_alive_has_no_leak(shared_datasets: Path) -> None:
    result = _run(_titanic(["alive"]), shared_datasets)
    assert result.metrics["eval"]["accuracy"] < 0.95
    assert _leak_warnings(result) == []


def test_keeping_alive_is_flagged_as_a_target_leak(shared_datasets: Path) -> None:
    result = _run(_titanic([]), shared_datasets)
    assert result.metrics["eval"]["accuracy"] > 0.95  # what the leak does
    warnings = _leak_warnings(result)
    assert len(warnings) == 1 and "'alive'" in warnings[0] and "'survived'" in warnings[0]
    (issue,) = [i for i in result.report.warnings if i.code == "target_leak"]
    assert issue.node_id == "model"


def test_the_template_drops_nothing_until_asked() -> None:
    """The template fits any two-class table: its drop node starts empty and sits after the split."""
    document = load_template("binary_classification")
    drop = next(node for node in document["nodes"] if node["id"] == "drop")
    assert drop["type"] == "drop_columns" and drop["params"]["columns"] == []
    edges = {(e["source"], e["target"]) for e in document["edges"]}
    assert {("split", "drop"), ("drop", "impute")} <= edges and ("split", "impute") not in edges

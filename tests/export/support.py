"""Helpers for the export tests: build workflows, run them with the engine, run their exports."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from flowza.engine.executor import RunOptions, RunResult, run_workflow
from flowza.templates import load_template

SCRIPT_TIMEOUT = 180


def workflow(name: str, nodes: list[tuple[str, str, dict[str, Any]]], edges: list[tuple[str, ...]]) -> dict[str, Any]:
    """A workflow document from (id, type, params) triples and (source, target[, target_port]) edges."""
    return {
        "schema_version": 1,
        "name": name,
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": [{"source": e[0], "target": e[1], **({"target_port": e[2]} if len(e) > 2 else {})} for e in edges],
    }


def template(name: str, dataset: str, target: str | None = None) -> dict[str, Any]:
    document = load_template(name)
    for node in document["nodes"]:
        if node["type"] == "load_csv":
            node["params"]["dataset"] = dataset
        if node["type"] == "train_test_split" and target is not None:
            node["params"]["target"] = target
    return document


def engine_run(document: dict[str, Any], data_dir: Path, output_dir: Path, keep: bool = False) -> RunResult:
    result = run_workflow(document, RunOptions(data_dir=data_dir, output_dir=output_dir, keep_outputs=keep))
    errors = {k: v.error for k, v in result.nodes.items() if v.error}
    assert result.status == "succeeded", errors
    return result


def plain(value: Any) -> Any:
    """Metrics as JSON values, the way the CLI prints them."""
    return json.loads(json.dumps(value, default=str))


def last_json(stdout: str) -> Any:
    """The JSON document a generated script prints last."""
    text = "\n" + stdout
    return json.loads(text[text.rindex("\n{") + 1 :])


def run_script(path: Path, data_dir: Path, output_dir: Path) -> str:
    env = {**os.environ, "DATA_DIR": str(data_dir), "OUTPUT_DIR": str(output_dir), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=SCRIPT_TIMEOUT, cwd=path.parent
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def execute_notebook(text: str, data_dir: Path, output_dir: Path, extra_code: str = "") -> list[Any]:
    """Run a notebook top to bottom with nbclient; returns its executed cells."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.reads(text, as_version=4)
    setup = f"import os\nos.environ['DATA_DIR'] = {str(data_dir)!r}\nos.environ['OUTPUT_DIR'] = {str(output_dir)!r}"
    notebook.cells.insert(0, nbformat.v4.new_code_cell(setup))
    if extra_code:
        notebook.cells.append(nbformat.v4.new_code_cell(extra_code))
    client = NotebookClient(
        notebook, timeout=SCRIPT_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(output_dir)}}
    )
    client.execute()
    return list(notebook.cells)


def notebook_metrics(cells: list[Any]) -> Any:
    for cell in reversed(cells):
        if cell.cell_type == "code" and "json.dumps(METRICS" in cell.source:
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            return json.loads(text)
    raise AssertionError("the notebook has no metrics cell")


def assert_same(expected: Any, got: Any, path: str = "metrics") -> None:
    """Equal structure; floats equal to 1e-9."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and set(expected) == set(got), f"{path}: keys {sorted(expected)} != {got}"
        for key in expected:
            assert_same(expected[key], got[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(expected) == len(got), f"{path}: {expected!r} != {got!r}"
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert isinstance(got, (int, float)) and math.isclose(expected, got, rel_tol=0, abs_tol=1e-9), (
            f"{path}: {expected!r} != {got!r}"
        )
    else:
        assert expected == got, f"{path}: {expected!r} != {got!r}"

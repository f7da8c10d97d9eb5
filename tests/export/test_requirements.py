"""Issue 23, item 9: an exported file's header names exactly the packages its code imports, pinned to the
installed versions, and a script saving a .skops model shows how to load it (`trusted=[...]`)."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
import pytest

from flowza.codegen.export import export_workflow
from flowza.nodes.export.model_files import ALLOWED_TYPES
from tests.export.cases import CASES
from tests.export.support import run_script, workflow

PIP_LINE = re.compile(r"pip install ([^\n`]+)")


def imported_modules(tree: ast.AST) -> set[str]:
    """Top-level modules of every import statement in the source, wherever it is."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@lru_cache(maxsize=1)
def _providers() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def expected_pins(modules: set[str]) -> dict[str, str]:
    """distribution -> installed version, for every module outside the standard library."""
    providers = _providers()
    pins = {}
    for module in modules - set(sys.stdlib_module_names):
        assert module in providers, f"{module} is imported but not installed"
        (distribution,) = providers[module]
        pins[distribution] = metadata.version(distribution)
    return pins


def pins_in(header: str) -> dict[str, str]:
    lines = PIP_LINE.findall(header)
    assert len(lines) == 1, f"one pip install line in the header, found {lines}"
    pins = dict(item.split("==") for item in lines[0].split())
    return pins


def script_header(text: str) -> str:
    header = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            break
        header.append(line)
    return "\n".join(header)


WORKFLOWS = sorted(CASES)


@pytest.mark.parametrize("case", WORKFLOWS)
def test_script_header_pins_every_package_the_script_imports(case: str) -> None:
    text = export_workflow(CASES[case](), "script")
    modules = imported_modules(ast.parse(text))
    expected = expected_pins(modules)
    header = script_header(text)
    assert pins_in(header) == expected
    assert "plain pandas and scikit-learn" not in text
    assert {"pandas", "numpy"} <= modules
    if "xgboost-cpu" in expected:
        assert f"xgboost=={expected['xgboost-cpu']} works too" in header


@pytest.mark.parametrize("case", WORKFLOWS)
def test_notebook_header_pins_every_package_the_notebook_imports(case: str) -> None:
    notebook = nbformat.reads(export_workflow(CASES[case](), "notebook"), as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    modules: set[str] = set()
    for source in code:
        modules |= imported_modules(ast.parse(source))
    expected = expected_pins(modules)
    assert pins_in(notebook.cells[0].source) == expected  # the first (markdown) cell
    assert pins_in(code[0]) == expected  # and a comment in the cell that imports them
    if case.startswith("template-") and "cleaning" not in case:
        assert "matplotlib" in expected, "the charts need matplotlib"


def _trusted_lists(tree: ast.AST) -> list[Any]:
    """For every `sio.load(path, trusted=NAME)` call, the list literal NAME was assigned."""
    assigned = {
        node.targets[0].id: node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "load"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "sio"
        ):
            (keyword,) = [k for k in node.keywords if k.arg == "trusted"]
            assert isinstance(keyword.value, ast.Name)
            found.append(ast.literal_eval(assigned[keyword.value.id]))
    return found


def _model_file_workflow(fmt: str) -> dict[str, Any]:
    return workflow(
        "Model file",
        [
            ("load", "load_csv", {"dataset": "synthetic.csv"}),
            ("split", "train_test_split", {"target": "label", "seed": 3}),
            ("impute", "impute", {}),
            ("encode", "encode_categorical", {}),
            ("scale", "normalize", {}),
            ("boost", "xgboost", {"n_estimators": 10}),
            ("forest", "random_forest", {"n_estimators": 10}),
            ("save_boost", "export_model", {"format": fmt, "name": "boost"}),
            ("save_forest", "export_model", {"format": fmt, "name": "forest"}),
        ],
        [
            ("load", "split"),
            ("split", "impute"),
            ("impute", "encode"),
            ("encode", "scale"),
            ("scale", "boost"),
            ("scale", "forest"),
            ("boost", "save_boost"),
            ("forest", "save_forest"),
        ],
    )


@pytest.mark.parametrize("fmt", ["skops", "onnx"])
def test_a_saved_skops_model_is_loaded_back_with_flowzas_trusted_types(
    fmt: str, data_dir: Path, tmp_path: Path
) -> None:
    """The script shows the load call with the exact allow-list, and running it proves the list suffices."""
    text = export_workflow(_model_file_workflow(fmt), "script")
    trusted = _trusted_lists(ast.parse(text))
    assert trusted == [sorted(ALLOWED_TYPES)] * 2
    assert "never trusted=True" in text
    script = tmp_path / "models.py"
    script.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    printed = run_script(script, data_dir, out)
    assert (out / "save_boost" / "boost.skops").is_file() and "model saved to" in printed


def test_a_joblib_model_warns_that_loading_it_unpickles() -> None:
    text = export_workflow(_model_file_workflow("joblib"), "script")
    assert "joblib.load(path) unpickles the file" in text
    assert _trusted_lists(ast.parse(text)) == []
    assert "skops" not in pins_in(script_header(text))

"""Issue 6, item 5: node ids, column names and params reach exported code only as literals."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from flowza.codegen.export import export_workflow
from tests.export.support import (
    assert_same,
    engine_run,
    execute_notebook,
    last_json,
    notebook_metrics,
    plain,
    run_script,
)
from tests.export.support import workflow as make_workflow

INJECTION = "__import__('os').system('touch PWNED')"
HOSTILE = {
    # role: (hostile text, plain text)
    "load": ("load\"; import os #'''", "load"),
    "split": ('split"""\n' + INJECTION, "split"),
    "drop": ("drop\\\n#", "drop"),
    "impute": ("impute'''\"\"\"", "impute"),
    "encode": ("# encode\r\n" + INJECTION, "encode"),
    "model": ("model\\", "model"),
    "eval": ("eval')\n" + INJECTION + "\n#", "eval"),
    "num": ('a"b\'\'\'c"""', "num"),
    "text": ("t\\'\n# x", "text"),
    "dropped": (INJECTION, "dropped"),
    "flag": ('f#{x}"""', "flag"),
    "target": ("y'''\n\"\"\"\\" + INJECTION, "target"),
    "fill": ("'''\"\"\"\\\n" + INJECTION + "\n# }}{{", "missing text"),
    "dataset": ("da'ta\"#\\.csv", "data.csv"),
    "name": ('Workflow """\n' + INJECTION, "Workflow"),
}


def _frame(hostile: bool) -> pd.DataFrame:
    def col(role: str) -> str:
        return HOSTILE[role][0 if hostile else 1]

    rng = np.random.default_rng(3)
    rows = 160
    x = rng.normal(size=rows)
    text = rng.choice(["red", "green", INJECTION], size=rows).astype(object)
    text[rng.choice(rows, 12, replace=False)] = None
    label = np.where(x + (text == "red") + rng.normal(scale=0.5, size=rows) > 0.3, "yes'\"", "no\n#")
    return pd.DataFrame(
        {
            col("num"): x,
            col("text"): text,
            col("dropped"): rng.normal(size=rows),
            col("flag"): rng.random(rows) > 0.5,
            col("target"): label,
        }
    )


def _workflow(hostile: bool) -> dict[str, Any]:
    def v(role: str) -> str:
        return HOSTILE[role][0 if hostile else 1]

    return make_workflow(
        v("name"),
        [
            (v("load"), "load_csv", {"dataset": v("dataset")}),
            (v("split"), "train_test_split", {"target": v("target"), "seed": 4}),
            (v("drop"), "drop_columns", {"columns": [v("dropped")]}),
            (v("impute"), "impute", {"strategy": "constant", "fill_value": v("fill")}),
            (v("encode"), "encode_categorical", {"columns": [v("text")]}),
            (v("model"), "logistic_regression", {}),
            (v("eval"), "evaluate", {}),
        ],
        [
            (v("load"), v("split")),
            (v("split"), v("drop")),
            (v("drop"), v("impute")),
            (v("impute"), v("encode")),
            (v("encode"), v("model")),
            (v("model"), v("eval")),
        ],
    )


def _data_dir(root: Path, hostile: bool) -> Path:
    folder = root / ("hostile" if hostile else "plain")
    folder.mkdir()
    _frame(hostile).to_csv(folder / HOSTILE["dataset"][0 if hostile else 1], index=False)
    return folder


MODULES = {"pd", "np", "skm", "csv", "os", "json", "sio", "joblib", "plt"}


def _callee(func: ast.expr) -> str:
    """A called function's name: `f`, `module.f` for the imported modules, `.method` for a method."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        parts = [func.attr]
        base = func.value
        while isinstance(base, ast.Attribute):
            parts.insert(0, base.attr)
            base = base.value
        if isinstance(base, ast.Name) and base.id in MODULES:
            return ".".join([base.id, *parts])
        return "." + func.attr
    return "?"


def _called(tree: ast.AST) -> set[str]:
    return {_callee(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}


def _shape(tree: ast.AST) -> str:
    """The program's structure with every string and variable name blanked: equal shapes, no injected code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "S"
        if isinstance(node, ast.Name):
            node.id = "N"
    return ast.dump(tree)


# the calls a correct export of this workflow makes; nothing a user writes may add one
EXPECTED_CALLS = {
    ".any",
    ".append",
    ".copy",
    ".count",
    ".decode",
    ".drop",
    ".dropna",
    ".fit",
    ".index",
    ".isna",
    ".item",
    ".items",
    ".join",
    ".mean",
    ".nunique",
    ".predict",
    ".predict_proba",
    ".read",
    ".replace",
    ".reset_index",
    ".set_output",
    ".sniff",
    ".splitlines",
    ".strip",
    ".to_numpy",
    ".tolist",
    ".transform",
    ".update",
    "ColumnTransformer",
    "LogisticRegression",
    "OneHotEncoder",
    "Path",
    "Pipeline",
    "SimpleImputer",
    "_plain",
    "_roc",
    "bool",
    "classification_metrics",
    "csv.Sniffer",
    "dict",
    "feature_importances",
    "fit_step",
    "float",
    "getattr",
    "infer_task",
    "is_numeric",
    "isinstance",
    "json.dumps",
    "len",
    "list",
    "make_pipeline",
    "max",
    "np.abs",
    "np.all",
    "np.linspace",
    "np.zeros",
    "min",
    ".astype",
    "np.arange",
    "np.asarray",
    "np.mod",
    "np.sqrt",
    "open",
    "os.environ.get",
    "pd.api.types.is_bool_dtype",
    "pd.api.types.is_numeric_dtype",
    "pd.read_csv",
    "pd.unique",
    "print",
    "range",
    "set",
    "skm.accuracy_score",
    "skm.auc",
    "skm.confusion_matrix",
    "skm.mean_absolute_error",
    "skm.mean_squared_error",
    "skm.precision_recall_fscore_support",
    "skm.r2_score",
    "skm.roc_auc_score",
    "skm.roc_curve",
    "sniff_csv",
    "sorted",
    "str",
    "train_test_split",
    "zip",
}


def test_hostile_strings_are_literals_only(tmp_path: Path) -> None:
    hostile_dir, plain_dir = _data_dir(tmp_path, True), _data_dir(tmp_path, False)
    hostile_doc, plain_doc = _workflow(True), _workflow(False)
    expected = plain(engine_run(hostile_doc, hostile_dir, tmp_path / "engine").metrics)
    assert expected, "the hostile workflow runs in Flowza"

    for data_dir in (None, hostile_dir):
        source = export_workflow(hostile_doc, "script", data_dir=data_dir)
        reference = export_workflow(plain_doc, "script", data_dir=plain_dir if data_dir else None)
        tree = ast.parse(source)
        assert _called(tree) == _called(ast.parse(reference))
        assert not {c for c in _called(tree) if re.search(r"system|__import__|eval|exec|compile", c)}
        assert _shape(ast.parse(source)) == _shape(ast.parse(reference))
        literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for role in ("drop", "impute", "encode", "model", "eval", "target", "fill", "dataset", "dropped", "text"):
            assert HOSTILE[role][0] in literals, role
        for line in source.splitlines():
            assert not line.lstrip().startswith("__import__"), line

    script = tmp_path / "hostile.py"
    script.write_text(export_workflow(hostile_doc, "script"), encoding="utf-8")
    got = last_json(run_script(script, hostile_dir, tmp_path / "out"))
    assert_same(expected, got)
    assert not list(tmp_path.rglob("PWNED")) and not Path("PWNED").exists()


def test_expected_calls(tmp_path: Path) -> None:
    """The exact set of functions the export of this workflow calls (reviewed by hand)."""
    source = export_workflow(_workflow(True), "script")
    called = _called(ast.parse(source))
    assert called == EXPECTED_CALLS


@pytest.mark.slow
def test_hostile_notebook_cells_are_literals_only(tmp_path: Path) -> None:
    hostile_dir = _data_dir(tmp_path, True)
    document = _workflow(True)
    expected = plain(engine_run(document, hostile_dir, tmp_path / "engine").metrics)
    text = export_workflow(document, "notebook")
    notebook = json.loads(text)
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            called = _called(ast.parse(source))
            assert not {c for c in called if re.search(r"system|__import__|eval|exec", c)}, called
        else:
            assert INJECTION not in source, "markdown shows user text escaped"
    out = tmp_path / "out"
    out.mkdir()
    cells = execute_notebook(text, hostile_dir, out)
    assert_same(expected, notebook_metrics(cells))
    assert not list(tmp_path.rglob("PWNED"))

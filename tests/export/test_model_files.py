"""Issue 6, item 6: model files (skops, joblib, ONNX) load in a fresh process and predict like the pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flowza.engine.executor import RunOptions, run_workflow
from flowza.nodes.base import NodeError
from flowza.nodes.export.model_files import (
    ALLOWED_TYPES,
    UnsafeModelFile,
    load_skops,
    save_skops,
    write_model,
)
from flowza.nodes.export.onnx_export import to_onnx
from tests.export.cases import penguins_workflow
from tests.export.support import template

LOADER = Path(__file__).with_name("model_loader.py")
FORMATS = ("skops", "joblib", "onnx")


def with_exports(document: dict[str, Any], model_node: str = "model") -> dict[str, Any]:
    for fmt in FORMATS:
        document["nodes"].append({"id": fmt, "type": "export_model", "params": {"format": fmt, "name": "model"}})
        document["edges"].append({"source": model_node, "target": fmt})
    return document


def titanic(model_type: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The binary template on titanic (impute, one-hot text columns, scale) with another model."""
    document = template("binary_classification", "titanic.csv", "survived")
    model = next(n for n in document["nodes"] if n["id"] == "model")
    model["type"], model["params"] = model_type, params or {}
    return document


def penguins_text_target() -> dict[str, Any]:
    document = penguins_workflow()
    document["nodes"] = [n for n in document["nodes"] if n["type"] != "export_model"]
    document["edges"] = [e for e in document["edges"] if e["target"] != "save"]
    return document


PIPELINES = {
    "logistic-titanic": lambda: titanic("logistic_regression"),
    "forest-titanic": lambda: titanic("random_forest", {"n_estimators": 30, "max_depth": 8}),
    "xgboost-titanic": lambda: titanic("xgboost", {"n_estimators": 40}),
    # StandardScaler before trees: the ONNX scaler must divide exactly (DESIGN.md section 12)
    "xgboost-scaled-iris": lambda: template("normalize_xgboost_export", "iris.csv", "species"),
    "forest-penguins": lambda: template("multiclass_classification", "penguins.csv", "species"),
    "xgboost-penguins-text-target": penguins_text_target,
    "linear-tips": lambda: template("regression", "tips.csv", "tip"),
}
MODEL_NODE = {"xgboost-penguins-text-target": "boost"}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(PIPELINES))
def test_model_files_predict_like_the_pipeline(case: str, shared_datasets: Path, tmp_path: Path) -> None:
    model_node = MODEL_NODE.get(case, "model")
    document = PIPELINES[case]()
    document["nodes"] = [n for n in document["nodes"] if n["type"] != "export_model"]
    document["edges"] = [e for e in document["edges"] if e["target"] != "export"]
    document = with_exports(document, model_node)
    result = run_workflow(document, RunOptions(data_dir=shared_datasets, output_dir=tmp_path, keep_outputs=True))
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items() if v.error}
    model = result.outputs[model_node]["model"]
    split = result.outputs["split"]["data"]
    assert split.test_rows is not None
    rows = split.frame.iloc[split.test_rows][model.input_columns]
    rows.to_parquet(tmp_path / "rows.parquet")
    expected = model.pipeline.predict(rows)

    out = tmp_path / "loaded.json"
    done = subprocess.run(
        [sys.executable, str(LOADER), str(tmp_path), str(tmp_path / "rows.parquet"), str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    loaded = json.loads(out.read_text())

    for fmt in ("skops", "joblib"):
        assert loaded[fmt]["predict"] == expected.tolist(), fmt
    onnx_labels = loaded["onnx"]["predict"]
    if model.task == "classification":
        assert onnx_labels == expected.tolist()
        proba = model.pipeline.predict_proba(rows)
        np.testing.assert_array_equal(np.asarray(loaded["skops"]["proba"]), proba)
        np.testing.assert_array_equal(np.asarray(loaded["joblib"]["proba"]), proba)
        np.testing.assert_allclose(np.asarray(loaded["onnx"]["proba"]), proba, atol=1e-5, rtol=0)
    else:
        np.testing.assert_allclose(np.asarray(onnx_labels), expected, atol=1e-4 * np.abs(expected).max(), rtol=0)
    card = json.loads((tmp_path / "onnx" / "model.json").read_text())
    assert list(card["onnx"]["inputs"]) == model.input_columns


def test_scaler_before_xgboost_divides(shared_datasets: Path, tmp_path: Path) -> None:
    """DESIGN.md section 12: StandardScaler before trees is converted with {'div': 'div'}."""
    import onnx

    document = template("normalize_xgboost_export", "iris.csv", "species")
    result = run_workflow(document, RunOptions(data_dir=shared_datasets, output_dir=tmp_path, keep_outputs=True))
    graph = onnx.load_from_string(to_onnx(result.outputs["model"]["model"])).graph
    scale_ops = [n.op_type for n in graph.node if n.name.startswith("scale/")]
    assert "Div" in scale_ops and "Scaler" not in scale_ops, scale_ops


def _untrusted_pipeline() -> Any:
    """A pipeline holding a type neither skops (by default) nor Flowza trusts: a `decimal.Decimal`."""
    import decimal

    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import SVC

    shift = FunctionTransformer(kw_args={"shift": decimal.Decimal("0.5")})
    return Pipeline([("shift", shift), ("svm", SVC())])


def test_load_skops_refuses_types_off_the_allowlist(tmp_path: Path) -> None:
    path = tmp_path / "foreign.skops"
    save_skops(_untrusted_pipeline(), path)
    with pytest.raises(UnsafeModelFile, match=r"refusing to load foreign\.skops.*decimal\.Decimal"):
        load_skops(path)


def test_load_skops_refuses_functions_off_the_allowlist(tmp_path: Path) -> None:
    """FunctionTransformer is allowed (a passthrough), but not the function a file may put in it."""
    import os

    from sklearn.preprocessing import FunctionTransformer

    assert "sklearn.preprocessing._function_transformer.FunctionTransformer" in ALLOWED_TYPES
    path = tmp_path / "function.skops"
    save_skops(FunctionTransformer(func=os.system), path)
    with pytest.raises(UnsafeModelFile, match=r"refusing to load function\.skops.*\.system"):
        load_skops(path)


def test_load_skops_reports_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.skops"
    path.write_bytes(b"not a zip file")
    with pytest.raises(UnsafeModelFile, match="not a readable skops file"):
        load_skops(path)


def test_unconvertible_onnx_is_a_clear_node_error(shared_datasets: Path, tmp_path: Path) -> None:
    """One-hot codes learnt from missing text (no impute before) have no ONNX form: the node says so."""
    document = {
        "schema_version": 1,
        "name": "no impute",
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": "penguins.csv"}},
            {"id": "split", "type": "train_test_split", "params": {"target": "species"}},
            {"id": "encode", "type": "encode_categorical", "params": {}},
            {"id": "model", "type": "random_forest", "params": {"n_estimators": 5}},
            {"id": "export", "type": "export_model", "params": {"format": "onnx"}},
        ],
        "edges": [
            {"source": "load", "target": "split"},
            {"source": "split", "target": "encode"},
            {"source": "encode", "target": "model"},
            {"source": "model", "target": "export"},
        ],
    }
    result = run_workflow(document, RunOptions(data_dir=shared_datasets, output_dir=tmp_path, keep_outputs=True))
    assert result.status == "failed"
    error = result.nodes["export"].error or ""
    assert "missing values as a category" in error and "param 'format'" in error
    assert result.nodes["model"].status == "succeeded"
    with pytest.raises(NodeError, match="impute"):
        write_model(result.outputs["model"]["model"], "onnx", tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_unknown_format_is_a_node_error(shared_datasets: Path, tmp_path: Path) -> None:
    document = template("clean_split_logistic", "iris.csv", "species")
    result = run_workflow(document, RunOptions(data_dir=shared_datasets, output_dir=tmp_path, keep_outputs=True))
    with pytest.raises(NodeError, match="unknown model format"):
        write_model(result.outputs["model"]["model"], "pickle", tmp_path / "m.pkl")

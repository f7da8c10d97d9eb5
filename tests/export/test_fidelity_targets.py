"""Issue 23, item 3: every model node x every kind of target, run by Flowza and by its exported script
and notebook, with the same metrics to 1e-9.

Each target kind gets its own project-made CSV (one target column, `target`) and one workflow in which
every model that applies learns it from the same preprocessed rows; each model is evaluated on its own
holdout, through the score() path on the split's rows, and its predictions are added to the raw table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from flowza.codegen.export import export_workflow
from tests.conftest import synthetic_frame
from tests.export.support import (
    assert_same,
    engine_run,
    execute_notebook,
    last_json,
    notebook_metrics,
    plain,
    run_script,
    workflow,
)

pytestmark = pytest.mark.slow

CLASSIFIERS: dict[str, tuple[str, dict[str, Any]]] = {
    "logreg": ("logistic_regression", {"C": 0.8}),
    "forest": ("random_forest", {"n_estimators": 20, "max_depth": 5, "seed": 4}),
    "boost": ("xgboost", {"n_estimators": 15, "max_depth": 3}),
}
LINEAR: tuple[str, tuple[str, dict[str, Any]]] = ("linear", ("linear_regression", {}))


def _target(kind: str, frame: pd.DataFrame) -> pd.Series:
    score = frame["x1"] - 0.4 * (frame["x2"].fillna(5) - 5) + (frame["color"] == "red") * 1.0
    if kind == "int_binary":
        return (score > 0).astype(int)
    if kind == "int_multiclass":
        return pd.Series(np.digitize(score, [-0.7, 0.7]), index=frame.index)  # 0, 1, 2
    if kind == "bool":
        return score > 0
    if kind == "text_binary":
        return pd.Series(np.where(score > 0, "yes", "no"), index=frame.index)
    if kind == "text_multiclass":
        return pd.Series(np.array(["low", "mid", "high"])[np.digitize(score, [-0.7, 0.7])], index=frame.index)
    raise AssertionError(kind)


# kind -> (the target's values as read back from the CSV, does linear_regression apply)
KINDS: dict[str, tuple[list[Any], bool]] = {
    "int_binary": ([0, 1], True),
    "int_multiclass": ([0, 1, 2], True),
    "bool": ([False, True], True),
    "text_binary": (["no", "yes"], False),
    "text_multiclass": (["high", "low", "mid"], False),
}


def _write_data(folder: Path, kind: str) -> str:
    frame = synthetic_frame(rows=260, seed=21).drop(columns=["label", "amount"])
    frame["target"] = _target(kind, frame)
    name = f"{kind}.csv"
    frame.to_csv(folder / name, index=False)
    read_back = pd.read_csv(folder / name)["target"]
    assert sorted(pd.unique(read_back).tolist()) == KINDS[kind][0], "the CSV keeps the target's type"
    return name


def _models(kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    models = dict(CLASSIFIERS)
    if KINDS[kind][1]:
        models[LINEAR[0]] = LINEAR[1]
    return models


def _matrix_workflow(kind: str, dataset: str) -> dict[str, Any]:
    nodes: list[tuple[str, str, dict[str, Any]]] = [
        ("load", "load_csv", {"dataset": dataset}),
        ("split", "train_test_split", {"target": "target", "test_size": 0.3, "seed": 2}),
        ("impute", "impute", {"strategy": "most_frequent"}),
        ("encode", "encode_categorical", {}),
        ("scale", "normalize", {}),
    ]
    edges: list[tuple[str, ...]] = [("load", "split"), ("split", "impute"), ("impute", "encode"), ("encode", "scale")]
    for model_id, (node_type, params) in _models(kind).items():
        nodes += [
            (model_id, node_type, params),
            (f"eval_{model_id}", "evaluate", {}),
            (f"eval_{model_id}_rows", "evaluate", {}),
            (f"predict_{model_id}", "predict", {}),
        ]
        edges += [
            ("scale", model_id),
            (model_id, f"eval_{model_id}"),
            (model_id, f"eval_{model_id}_rows", "model"),  # score() through the whole pipeline
            ("split", f"eval_{model_id}_rows", "data"),
            (model_id, f"predict_{model_id}", "model"),
            ("load", f"predict_{model_id}", "data"),
        ]
    return workflow(f"Target kind {kind}", nodes, edges)


@pytest.fixture(scope="module")
def matrix_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("targets")


def _engine_metrics(kind: str, folder: Path, output: Path) -> tuple[dict[str, Any], Any]:
    document = _matrix_workflow(kind, _write_data(folder, kind))
    result = engine_run(document, folder, output, keep=True)
    metrics = plain(result.metrics)
    labels = KINDS[kind][0]
    for model_id in _models(kind):
        for evaluated in (f"eval_{model_id}", f"eval_{model_id}_rows"):
            values = metrics[evaluated]
            if model_id == LINEAR[0]:
                assert values["task"] == "regression" and values["rmse"] > 0
                continue
            assert values["task"] == "classification", evaluated
            assert values["confusion_matrix"]["labels"] == labels, evaluated
            assert values["accuracy"] > 1.5 / len(labels), f"{evaluated}: no better than chance"
            assert values["roc_auc"] is not None, evaluated
        if model_id != LINEAR[0]:
            predicted = result.outputs[f"predict_{model_id}"]["data"].frame["prediction"]
            assert set(pd.unique(predicted).tolist()) <= set(labels), f"{model_id}: predictions are labels"
    return document, metrics


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_script_reproduces_every_model_on_the_target(kind: str, matrix_dir: Path, tmp_path: Path) -> None:
    folder = matrix_dir / kind
    folder.mkdir()
    document, expected = _engine_metrics(kind, folder, tmp_path / "engine")
    script = tmp_path / "workflow.py"
    script.write_text(export_workflow(document, "script"), encoding="utf-8")
    assert_same(expected, last_json(run_script(script, folder, tmp_path / "out")))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_notebook_reproduces_every_model_on_the_target(kind: str, matrix_dir: Path, tmp_path: Path) -> None:
    folder = matrix_dir / f"nb_{kind}"
    folder.mkdir()
    document, expected = _engine_metrics(kind, folder, tmp_path / "engine")
    out = tmp_path / "out"
    out.mkdir()
    cells = execute_notebook(export_workflow(document, "notebook", data_dir=folder), folder, out)
    errors = [
        o for c in cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
    assert_same(expected, notebook_metrics(cells))

"""End to end on the shared public datasets: Flowza's metrics equal a plain pandas + sklearn script's.

The plain script below is written independently of Flowza's node code: it does the same steps
with scikit-learn on the same split and the metrics must agree to 1e-9.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn import metrics as skm
from sklearn.base import is_regressor
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from flowza.engine.executor import RunOptions, run_workflow
from flowza.templates import load_template

SCALAR_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "mae", "rmse", "r2")


def is_num(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def ct(name: str, transformer: Any, columns: list[str]) -> ColumnTransformer:
    return ColumnTransformer(
        [(name, transformer, columns)], remainder="passthrough", verbose_feature_names_out=False
    ).set_output(transform="pandas")


def plain(
    path: Path, target: str, steps: list[str], model: Any, stratify: bool, encode_labels: bool = False
) -> dict[str, float]:
    df = pd.read_csv(path)
    if steps and steps[0] == "dropna":
        df, steps = df.dropna(), steps[1:]
    X, y = df.drop(columns=[target]), df[target]
    tr, te = train_test_split(np.arange(len(df)), test_size=0.2, random_state=42, stratify=y if stratify else None)
    X_train, X_test = X.iloc[tr], X.iloc[te]
    for step in steps:
        if step == "impute":
            with_nulls = [c for c in X_train.columns if X[c].isna().any()]
            numeric = [c for c in with_nulls if is_num(X[c]) and not pd.api.types.is_bool_dtype(X[c])]
            text = [c for c in with_nulls if c not in numeric]
            parts = [("numeric", SimpleImputer(strategy="mean"), numeric)] if numeric else []
            parts += [("text", SimpleImputer(strategy="most_frequent"), text)] if text else []
            transformer = ColumnTransformer(parts, remainder="passthrough", verbose_feature_names_out=False)
            transformer.set_output(transform="pandas")
        elif step == "encode":
            text = [c for c in X_train.columns if not is_num(X_train[c])]
            transformer = ct("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text)
        else:
            numeric = [
                c
                for c in X_train.columns
                if pd.api.types.is_numeric_dtype(X_train[c]) and not pd.api.types.is_bool_dtype(X_train[c])
            ]
            transformer = ct("standard", StandardScaler(), numeric)
        transformer.fit(X_train)
        X_train, X_test = transformer.transform(X_train), transformer.transform(X_test)
    y_train, y_test = y.iloc[tr], y.iloc[te]
    if is_regressor(model):
        model.fit(X_train, y_train)
        pred = np.asarray(model.predict(X_test), dtype=float)
        y_test = y_test.astype(float)
        return {
            "mae": skm.mean_absolute_error(y_test, pred),
            "rmse": float(np.sqrt(skm.mean_squared_error(y_test, pred))),
            "r2": skm.r2_score(y_test, pred),
        }
    classes = sorted(y_train.unique())
    if encode_labels:
        model.fit(X_train, np.searchsorted(np.asarray(classes, dtype=object), y_train.to_numpy(dtype=object)))
        pred = np.asarray(classes)[model.predict(X_test)]
        order = classes
    else:
        model.fit(X_train, y_train)
        pred = model.predict(X_test)
        order = list(model.classes_)
    proba = model.predict_proba(X_test)
    if len(classes) == 2:
        pos = classes[-1]
        avg: dict[str, Any] = {"average": "binary", "pos_label": pos}
        auc = skm.roc_auc_score(y_test == pos, proba[:, order.index(pos)])
    else:
        avg = {"average": "macro"}
        auc = skm.roc_auc_score(y_test, proba, multi_class="ovr", average="macro", labels=order)
    return {
        "accuracy": skm.accuracy_score(y_test, pred),
        "precision": skm.precision_score(y_test, pred, zero_division=0, **avg),
        "recall": skm.recall_score(y_test, pred, zero_division=0, **avg),
        "f1": skm.f1_score(y_test, pred, zero_division=0, **avg),
        "roc_auc": auc,
    }


def flowza(doc: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    result = run_workflow(doc, RunOptions(data_dir=data_dir))
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items()}
    return result.metrics["eval"]


def with_params(template: str, dataset: str, target: str, **model_params: Any) -> dict[str, Any]:
    doc = load_template(template)
    for node in doc["nodes"]:
        if node["id"] == "load":
            node["params"]["dataset"] = dataset
        if node["id"] == "split":
            node["params"]["target"] = target
        if node["id"] == "model":
            node["params"].update(model_params)
    return doc


def assert_same(ours: dict[str, Any], theirs: dict[str, float]) -> None:
    for key, value in theirs.items():
        assert ours[key] == pytest.approx(float(value), abs=1e-9, rel=0), key


def titanic_logistic_baseline(shared_datasets: Path) -> dict[str, float]:
    """The binary_classification template's steps on titanic, written by hand."""
    return plain(
        shared_datasets / "titanic.csv",
        "survived",
        ["impute", "encode", "scale"],
        LogisticRegression(C=1.0, max_iter=1000),
        stratify=True,
    )


def test_titanic_binary_logistic_regression(shared_datasets: Path) -> None:
    ours = flowza(with_params("binary_classification", "titanic.csv", "survived"), shared_datasets)
    theirs = titanic_logistic_baseline(shared_datasets)
    assert_same(ours, theirs)
    assert ours["positive_class"] == 1


def test_titanic_xgboost(shared_datasets: Path) -> None:
    doc = with_params("binary_classification", "titanic.csv", "survived")
    for node in doc["nodes"]:
        if node["id"] == "model":
            node["type"], node["params"] = "xgboost", {}
    ours = flowza(doc, shared_datasets)
    model = xgboost.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, random_state=42, tree_method="hist")
    theirs = plain(
        shared_datasets / "titanic.csv",
        "survived",
        ["impute", "encode", "scale"],
        model,
        stratify=True,
        encode_labels=True,
    )
    assert_same(ours, theirs)


def test_iris_multiclass_random_forest(shared_datasets: Path) -> None:
    ours = flowza(with_params("multiclass_classification", "iris.csv", "species"), shared_datasets)
    model = RandomForestClassifier(n_estimators=100, max_depth=None, random_state=42, n_jobs=1)
    theirs = plain(shared_datasets / "iris.csv", "species", ["impute", "encode"], model, stratify=True)
    assert_same(ours, theirs)
    assert ours["confusion_matrix"]["labels"] == ["setosa", "versicolor", "virginica"]


def test_penguins_with_nulls_multiclass(shared_datasets: Path) -> None:
    ours = flowza(with_params("multiclass_classification", "penguins.csv", "species"), shared_datasets)
    model = RandomForestClassifier(n_estimators=100, max_depth=None, random_state=42, n_jobs=1)
    theirs = plain(shared_datasets / "penguins.csv", "species", ["impute", "encode"], model, stratify=True)
    assert_same(ours, theirs)


def test_penguins_xgboost_text_target(shared_datasets: Path) -> None:
    doc = with_params("multiclass_classification", "penguins.csv", "species")
    for node in doc["nodes"]:
        if node["id"] == "model":
            node["type"], node["params"] = "xgboost", {"n_estimators": 50}
    ours = flowza(doc, shared_datasets)
    model = xgboost.XGBClassifier(n_estimators=50, max_depth=6, learning_rate=0.3, random_state=42, tree_method="hist")
    theirs = plain(
        shared_datasets / "penguins.csv", "species", ["impute", "encode"], model, stratify=True, encode_labels=True
    )
    assert_same(ours, theirs)


def test_tips_regression(shared_datasets: Path) -> None:
    ours = flowza(with_params("regression", "tips.csv", "tip"), shared_datasets)
    theirs = plain(
        shared_datasets / "tips.csv", "tip", ["impute", "encode", "scale"], LinearRegression(), stratify=False
    )
    assert_same(ours, theirs)
    assert ours["r2"] > 0.2


def test_diamonds_xgboost_regression(shared_datasets: Path) -> None:
    doc = with_params("regression", "diamonds.csv", "price")
    for node in doc["nodes"]:
        if node["id"] == "model":
            node["type"], node["params"] = "xgboost", {"n_estimators": 50}
    ours = flowza(doc, shared_datasets)
    model = xgboost.XGBRegressor(n_estimators=50, max_depth=6, learning_rate=0.3, random_state=42, tree_method="hist")
    theirs = plain(shared_datasets / "diamonds.csv", "price", ["impute", "encode", "scale"], model, stratify=False)
    assert_same(ours, theirs)
    assert ours["r2"] > 0.9


def test_cli_run_prints_the_documented_json(shared_datasets: Path, tmp_path: Path) -> None:
    args = [
        sys.executable,
        "-m",
        "flowza.cli",
        "run",
        "binary_classification",
        "--data-dir",
        str(shared_datasets),
        "--set",
        "load.dataset=titanic.csv",
        "--set",
        "split.target=survived",
        "--json",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) == {"status", "nodes", "metrics"}
    assert document["status"] == "succeeded"
    assert set(document["nodes"]["model"]) == {"status", "seconds", "error"}
    theirs = titanic_logistic_baseline(shared_datasets)
    assert_same(document["metrics"]["eval"], theirs)
    again = subprocess.run(args, capture_output=True, text=True, timeout=120)
    cached = json.loads(again.stdout)
    assert {n["status"] for n in cached["nodes"].values()} == {"cached"}
    assert cached["metrics"] == document["metrics"]


TEMPLATE_DATASETS = {
    "binary_classification": ("titanic.csv", "survived"),
    "multiclass_classification": ("penguins.csv", "species"),
    "regression": ("tips.csv", "tip"),
    "clean_split_logistic": ("iris.csv", "species"),
    "normalize_xgboost_export": ("iris.csv", "species"),
}


@pytest.mark.parametrize("template", sorted(TEMPLATE_DATASETS))
def test_every_model_template_runs_on_a_shared_dataset(template: str, shared_datasets: Path, tmp_path: Path) -> None:
    dataset, target = TEMPLATE_DATASETS[template]
    result = run_workflow(
        with_params(template, dataset, target), RunOptions(data_dir=shared_datasets, output_dir=tmp_path)
    )
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items()}
    assert "eval" in result.metrics


def test_clean_split_logistic_template_matches_plain(shared_datasets: Path) -> None:
    ours = flowza(with_params("clean_split_logistic", "penguins.csv", "species"), shared_datasets)
    theirs = plain(
        shared_datasets / "penguins.csv",
        "species",
        ["dropna", "encode", "scale"],
        LogisticRegression(C=1.0, max_iter=1000),
        stratify=True,
    )
    assert_same(ours, theirs)


def test_normalize_xgboost_template_matches_plain(shared_datasets: Path, tmp_path: Path) -> None:
    result = run_workflow(
        with_params("normalize_xgboost_export", "iris.csv", "species"),
        RunOptions(data_dir=shared_datasets, output_dir=tmp_path),
    )
    assert result.status == "succeeded"
    model = xgboost.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, random_state=42, tree_method="hist")
    theirs = plain(shared_datasets / "iris.csv", "species", ["scale"], model, stratify=True, encode_labels=True)
    assert_same(result.metrics["eval"], theirs)
    assert Path(result.files["export"]).suffix == ".skops"


def test_data_cleaning_template(shared_datasets: Path) -> None:
    doc = load_template("data_cleaning")
    doc["nodes"][0]["params"]["dataset"] = "penguins.csv"
    result = run_workflow(doc, RunOptions(data_dir=shared_datasets, keep_outputs=True))
    assert result.status == "succeeded"
    frame = result.outputs["encode"]["data"].frame
    assert int(frame.isna().sum().sum()) == 0
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns)
    assert len(frame) == 344

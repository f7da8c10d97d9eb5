"""The workflows the fidelity tests export: every template, and richer workflows on four datasets."""

from __future__ import annotations

from typing import Any

from tests.export.support import template, workflow


def titanic_workflow() -> dict[str, Any]:
    """Drop rows after the split, drop leaking columns, two models, evaluate on data, predict on raw rows."""
    return workflow(
        "Titanic: two models",
        [
            ("load", "load_csv", {"dataset": "titanic.csv"}),
            ("split", "train_test_split", {"target": "survived", "test_size": 0.25, "seed": 7}),
            ("drop_rows", "drop_nulls", {"columns": ["embarked"]}),
            ("drop_leaks", "drop_columns", {"columns": ["alive", "deck"]}),
            ("impute", "impute", {"strategy": "median"}),
            ("encode", "encode_categorical", {}),
            ("scale", "normalize", {"method": "minmax"}),
            ("logreg", "logistic_regression", {"C": 0.5, "class_weight": "balanced"}),
            ("forest", "random_forest", {"n_estimators": 40, "max_depth": 6, "seed": 3}),
            ("eval_logreg", "evaluate", {}),
            ("eval_forest", "evaluate", {}),
            ("eval_on_data", "evaluate", {}),
            ("score_raw", "predict", {}),
            ("eval_scored", "evaluate", {}),
        ],
        [
            ("load", "split"),
            ("split", "drop_rows"),
            ("drop_rows", "drop_leaks"),
            ("drop_leaks", "impute"),
            ("impute", "encode"),
            ("encode", "scale"),
            ("scale", "logreg"),
            ("scale", "forest"),
            ("logreg", "eval_logreg"),
            ("forest", "eval_forest"),
            ("logreg", "eval_on_data", "model"),
            ("scale", "eval_on_data", "data"),
            ("forest", "score_raw", "model"),
            ("load", "score_raw", "data"),
            ("forest", "eval_scored", "model"),
            ("split", "eval_scored", "data"),
        ],
    )


def iris_workflow() -> dict[str, Any]:
    """Feature selection, XGBoost with the task decided at run time, and no split in a second branch."""
    return workflow(
        "Iris: selection and boosting",
        [
            ("load", "load_csv", {"dataset": "iris.csv"}),
            ("split", "train_test_split", {"target": "species", "test_size": 0.3, "seed": 1}),
            ("select", "select_features", {"k": 2}),
            ("boost", "xgboost", {"n_estimators": 30, "max_depth": 3}),
            ("eval", "evaluate", {}),
            ("variance", "select_features", {"method": "variance", "threshold": 0.2}),
            ("scale_all", "normalize", {}),
            ("whole", "logistic_regression", {"target": "species"}),
            ("eval_whole", "evaluate", {}),
        ],
        [
            ("load", "split"),
            ("split", "select"),
            ("select", "boost"),
            ("boost", "eval"),
            ("load", "variance"),
            ("variance", "scale_all"),
            ("scale_all", "whole"),
            ("whole", "eval_whole"),
        ],
    )


def penguins_workflow() -> dict[str, Any]:
    """A text target learnt by XGBoost (class indexes), ordinal codes, robust scaling, a model file."""
    return workflow(
        "Penguins: species",
        [
            ("load", "load_csv", {"dataset": "penguins.csv"}),
            ("clean", "drop_nulls", {}),
            ("split", "train_test_split", {"target": "species", "seed": 11}),
            ("encode", "encode_categorical", {"method": "ordinal"}),
            ("scale", "normalize", {"method": "robust", "columns": ["bill_length_mm", "body_mass_g"]}),
            ("boost", "xgboost", {"task": "classification", "n_estimators": 40, "learning_rate": 0.2}),
            ("eval", "evaluate", {}),
            ("save", "export_model", {"format": "skops", "name": "penguins"}),
        ],
        [
            ("load", "clean"),
            ("clean", "split"),
            ("split", "encode"),
            ("encode", "scale"),
            ("scale", "boost"),
            ("boost", "eval"),
            ("boost", "save"),
        ],
    )


def mpg_workflow() -> dict[str, Any]:
    """Regression with constant imputation, one-hot codes and a random forest regressor."""
    return workflow(
        "MPG: fuel economy",
        [
            ("load", "load_csv", {"dataset": "mpg.csv"}),
            ("drop_name", "drop_columns", {"columns": ["name"]}),
            ("split", "train_test_split", {"target": "mpg", "stratify": False, "seed": 5}),
            ("impute", "impute", {"strategy": "constant", "fill_value": -1}),
            ("encode", "encode_categorical", {}),
            ("forest", "random_forest", {"task": "regression", "n_estimators": 30, "seed": 2}),
            ("eval", "evaluate", {}),
        ],
        [
            ("load", "drop_name"),
            ("drop_name", "split"),
            ("split", "impute"),
            ("impute", "encode"),
            ("encode", "forest"),
            ("forest", "eval"),
        ],
    )


def tips_workflow() -> dict[str, Any]:
    """XGBoost deciding 'regression' at run time (the stratify flag then falls back to a plain split)."""
    return workflow(
        "Tips: XGBoost regression",
        [
            ("load", "load_csv", {"dataset": "tips.csv"}),
            ("split", "train_test_split", {"target": "tip"}),
            ("encode", "encode_categorical", {}),
            ("boost", "xgboost", {"n_estimators": 25}),
            ("eval", "evaluate", {}),
        ],
        [("load", "split"), ("split", "encode"), ("encode", "boost"), ("boost", "eval")],
    )


def titanic_xgboost_workflow() -> dict[str, Any]:
    """Issue 23, item 3: XGBoost on a 0/1 integer target (its exported script used to crash in the metrics)."""
    return workflow(
        "Titanic: XGBoost on survived",
        [
            ("load", "load_csv", {"dataset": "titanic.csv"}),
            ("drop", "drop_columns", {"columns": ["alive"]}),
            ("split", "train_test_split", {"target": "survived", "seed": 4}),
            ("impute", "impute", {}),
            ("encode", "encode_categorical", {}),
            ("scale", "normalize", {}),
            ("boost", "xgboost", {"n_estimators": 30}),
            ("eval", "evaluate", {}),
            ("eval_rows", "evaluate", {}),
        ],
        [
            ("load", "drop"),
            ("drop", "split"),
            ("split", "impute"),
            ("impute", "encode"),
            ("encode", "scale"),
            ("scale", "boost"),
            ("boost", "eval"),
            ("boost", "eval_rows", "model"),
            ("load", "eval_rows", "data"),  # raw rows through the whole pipeline
        ],
    )


CASES: dict[str, Any] = {
    "template-binary-titanic": lambda: template("binary_classification", "titanic.csv", "survived"),
    "template-multiclass-penguins": lambda: template("multiclass_classification", "penguins.csv", "species"),
    "template-regression-tips": lambda: template("regression", "tips.csv", "tip"),
    "template-regression-diamonds": lambda: template("regression", "diamonds.csv", "price"),
    "template-clean-split-iris": lambda: template("clean_split_logistic", "iris.csv", "species"),
    "template-xgboost-iris": lambda: template("normalize_xgboost_export", "iris.csv", "species"),
    "template-data-cleaning-penguins": lambda: template("data_cleaning", "penguins.csv"),
    "titanic": titanic_workflow,
    "titanic-xgboost": titanic_xgboost_workflow,
    "iris": iris_workflow,
    "penguins": penguins_workflow,
    "mpg": mpg_workflow,
    "tips": tips_workflow,
}

# Issue 6 asks for every template and every test workflow, so every case runs as a notebook too.
NOTEBOOK_CASES = list(CASES)

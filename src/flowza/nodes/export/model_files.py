"""Writing trained pipelines as skops, joblib or ONNX files, and loading skops files safely.

Flowza loads a skops file only when every type it holds is either one skops trusts by default
(primitive types, scikit-learn estimators, numpy and SciPy ufuncs) or on `ALLOWED_TYPES`, the
fixed list of numpy, scikit-learn and xgboost types that Flowza itself writes. Any other type
(a function such as `os.system`, a class from another package) is refused before anything is
loaded. It never passes `trusted=True` and never trusts the list of types a file declares.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowza.nodes.base import NodeError
from flowza.nodes.types import TrainedModel

FORMAT_EXTENSIONS = {"skops": ".skops", "joblib": ".joblib", "onnx": ".onnx"}

ALLOWED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.compose._column_transformer._RemainderColsList",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._forest.RandomForestRegressor",
        "sklearn.feature_selection._univariate_selection.SelectKBest",
        "sklearn.feature_selection._univariate_selection.f_classif",
        "sklearn.feature_selection._univariate_selection.f_regression",
        "sklearn.feature_selection._variance_threshold.VarianceThreshold",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.linear_model._base.LinearRegression",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.MinMaxScaler",
        "sklearn.preprocessing._data.RobustScaler",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._encoders.OrdinalEncoder",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",  # a ColumnTransformer's passthrough
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._tree.Tree",
        "xgboost.core.Booster",
        "xgboost.sklearn.XGBClassifier",
        "xgboost.sklearn.XGBRegressor",
    }
)


class UnsafeModelFile(NodeError):
    """A skops file holds a type that neither skops by default nor Flowza trusts."""


def skops_io() -> Any:
    """`skops.io`, imported as it is (its import builds skops's default lists of trusted types)."""
    import skops.io as sio

    return sio


def save_skops(obj: Any, path: Path) -> None:
    sio = skops_io()

    sio.dump(obj, path)


def load_skops(path: Path) -> Any:
    """Load a skops file whose every type skops does not trust by default is on `ALLOWED_TYPES`;
    refuse any other file with a clear message."""
    sio = skops_io()

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a corrupt or foreign file: say so, never crash
        raise UnsafeModelFile(f"{path.name} is not a readable skops file: {exc}") from exc
    refused = sorted(t for t in untrusted if t not in ALLOWED_TYPES)
    if refused:
        raise UnsafeModelFile(
            f"refusing to load {path.name}: it holds types Flowza does not write and does not trust "
            f"({', '.join(refused[:10])}{' and more' if len(refused) > 10 else ''})"
        )
    try:
        # Flowza's own list, never the file's: skops refuses whatever else the file holds
        return sio.load(path, trusted=sorted(ALLOWED_TYPES))
    except Exception as exc:
        raise UnsafeModelFile(f"{path.name} could not be loaded: {type(exc).__name__}: {exc}") from exc


def model_card(model: TrainedModel) -> dict[str, Any]:
    import numpy as np

    return {
        "algorithm": model.algorithm,
        "task": model.task,
        "target": model.target,
        "input_columns": model.input_columns,
        "classes": [c.item() if isinstance(c, np.generic) else c for c in model.classes] if model.classes else None,
        "predicts_class_index": model.label_encoded,
    }


def write_model(model: TrainedModel, fmt: str, path: Path, sample: Any = None) -> None:
    """Write the pipeline as `fmt` and a JSON model card beside it; a pipeline that cannot be
    written in that format is a NodeError naming the format, never a crash."""
    card = model_card(model)
    try:
        if fmt == "skops":
            save_skops(model.pipeline, path)
        elif fmt == "joblib":
            import joblib

            joblib.dump(model.pipeline, path)
        elif fmt == "onnx":
            from flowza.nodes.export.onnx_export import input_schema, to_onnx

            path.write_bytes(to_onnx(model))
            card["onnx"] = input_schema(model)
        else:
            raise NodeError(f"unknown model format {fmt!r}", "format")
    except NodeError:
        raise
    except Exception as exc:  # serialisers raise many types: report, do not crash the run
        raise NodeError(f"the model could not be written as {fmt}: {type(exc).__name__}: {exc}", "format") from exc
    path.with_suffix(".json").write_text(json.dumps(card, indent=2, default=str))

"""Writing trained pipelines as skops, joblib or ONNX files, and loading skops files safely.

Flowza loads a skops file only when every type it holds is on `ALLOWED_TYPES`, the fixed list
of numpy, scikit-learn and xgboost types that Flowza itself writes. It never passes
`trusted=True` and never trusts the list of types a file declares.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from flowza.import_patch import spec_patched_after_load
from flowza.nodes.base import NodeError
from flowza.nodes.types import TrainedModel

if TYPE_CHECKING:
    pass

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
    """A skops file holds a type that Flowza does not write itself."""


class _LeanSkopsImport(importlib.abc.MetaPathFinder):
    """While skops.io is imported by this thread: skip what only feeds its default trust lists.

    - `skops.io._utils.get_public_type_names` finds nothing. The module cannot be patched by
      importing it first (that runs `skops.io/__init__`, which builds the lists), so this finder
      wraps its loader and patches it right after it runs.
    - `sklearn.ensemble` is not imported when it is not yet: skops imports it only to add a
      histogram-gradient-boosting internal to its defaults, and catches the ImportError
      (0.1-0.14 s here). Other threads importing it meanwhile are not affected.
    - `sklearn.cluster`, when not imported yet, is a stand-in while skops loads: skops imports
      it only for `Birch`, to refuse saving one (Flowza never saves a clustering model), and
      the real package costs 0.1 s (its HDBSCAN module alone 0.07 s). `skops_io` removes the
      stand-in right after, so only a thread importing `sklearn.cluster` during those
      milliseconds could see it, and no Flowza code imports it.
    """

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.stand_ins: list[str] = []

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if threading.get_ident() != self.thread:
            return None
        if name == "sklearn.ensemble":
            raise ModuleNotFoundError("not needed by Flowza's use of skops", name=name)
        if name == "sklearn.cluster":
            self.stand_ins.append(name)
            return importlib.machinery.ModuleSpec(name, _ClusterStandIn())
        if name != "skops.io._utils":
            return None
        return spec_patched_after_load(name, path, _find_no_public_type_names)


def _find_no_public_type_names(module: ModuleType) -> None:
    module.__dict__["_flowza_original_public_type_names"] = module.__dict__["get_public_type_names"]
    module.__dict__["get_public_type_names"] = lambda *args, **kwargs: []


class _ClusterStandIn(importlib.abc.Loader):
    """Loads a `sklearn.cluster` holding only a `Birch` that no real object is an instance of."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = ModuleType(spec.name, "Stand-in while skops.io loads; removed right after")
        module.__dict__["Birch"] = type("Birch", (), {"__module__": spec.name})
        return module

    def exec_module(self, module: ModuleType) -> None:
        return None


def skops_io() -> Any:
    """Import `skops.io` without building its default lists of trusted types.

    At import, skops builds the lists of types it trusts by default: every scikit-learn
    estimator from `sklearn.utils.all_estimators()`, which imports the whole of scikit-learn
    (1-2.5 s here), every public numpy and scipy.special ufunc, each found by scanning all of
    `sys.modules` (0.1-0.8 s, growing with what the process has imported), and internals of
    scikit-learn's ensembles (see `_LeanSkopsImport`). Flowza never
    relies on those defaults: it refuses any file holding a type outside its own `ALLOWED_TYPES`
    before loading it, so empty defaults only make skops stricter, never looser.
    """
    loaded = sys.modules.get("skops.io")
    if loaded is not None:
        return loaded
    import sklearn.utils as sklearn_utils

    original = sklearn_utils.all_estimators
    sklearn_utils.all_estimators = lambda *args, **kwargs: []  # type: ignore[assignment]
    finder = _LeanSkopsImport()
    sys.meta_path.insert(0, finder)
    try:
        import skops.io as sio
    finally:
        sys.meta_path.remove(finder)
        for name in finder.stand_ins:
            sys.modules.pop(name, None)
            package, _, attribute = name.rpartition(".")
            if isinstance(sys.modules[package].__dict__.get(attribute), ModuleType):
                delattr(sys.modules[package], attribute)
        sklearn_utils.all_estimators = original
        utils = sys.modules.get("skops.io._utils")
        if utils is not None and hasattr(utils, "_flowza_original_public_type_names"):
            utils.__dict__["get_public_type_names"] = utils.__dict__.pop("_flowza_original_public_type_names")
    return sio


def save_skops(obj: Any, path: Path) -> None:
    sio = skops_io()

    sio.dump(obj, path)


def load_skops(path: Path) -> Any:
    """Load a skops file whose every type is on `ALLOWED_TYPES`; refuse any other file with a clear message."""
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

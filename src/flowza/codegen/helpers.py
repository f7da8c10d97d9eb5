"""Functions written once near the top of an exported file, shared by the steps that need them.

Each mirrors the Flowza code it replaces line for line, so the export reproduces the run; the
metric functions are taken from `flowza.nodes.evaluate.metrics` itself, so they cannot drift.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from flowza.codegen.snippet import NP, PD, Helper, Import, ModelRef
from flowza.nodes.common import MAX_CLASSES_FOR_INTEGER_TARGET
from flowza.nodes.data.files import SEPARATORS, SNIFF_BYTES
from flowza.nodes.evaluate import metrics as flowza_metrics

IS_NUMERIC = Helper(
    "is_numeric",
    '''def is_numeric(series):
    """Numbers and booleans count as numeric (Flowza's rule for choosing columns)."""
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))''',
    (PD,),
)

INFER_TASK = Helper(
    "infer_task",
    f'''def infer_task(y):
    """Classification for text, booleans and integer codes with few values; else regression."""
    if not is_numeric(y) or pd.api.types.is_bool_dtype(y):
        return "classification"
    values = y.dropna()
    if values.empty:
        return "regression"
    integral = bool(np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))
    if integral and values.nunique() <= {MAX_CLASSES_FOR_INTEGER_TARGET}:
        return "classification"
    return "regression"''',
    (PD, NP),
    (IS_NUMERIC,),
)

FIT_STEP = Helper(
    "fit_step",
    '''def fit_step(frame, target, train_rows, step):
    """Fit a preprocessing step on the features of the train rows (all rows before a split)
    and transform every row; the target column is kept as it is."""
    has_target = target is not None and target in frame.columns
    features = frame.drop(columns=[target]) if has_target else frame
    y = None
    if has_target:
        y = frame[target].iloc[train_rows] if train_rows is not None else frame[target]
    step.fit(features.iloc[train_rows] if train_rows is not None else features, y)
    transformed = step.transform(features)
    transformed.index = frame.index
    if has_target:
        transformed = transformed.copy(deep=False)
        transformed[target] = frame[target]
    return transformed''',
)

MAKE_PIPELINE = Helper(
    "make_pipeline",
    '''def make_pipeline(steps, model_name, estimator):
    """One scikit-learn Pipeline of the fitted steps and the model: it scores raw rows.
    Step names are the node ids, made unique and free of '__' (scikit-learn's separator)."""
    names = []
    for raw in [name for name, _ in steps] + [model_name]:
        name = raw.replace("__", "_") or "step"
        while name in names:
            name += "_"
        names.append(name)
    return Pipeline(list(zip(names, [step for _, step in steps] + [estimator])))''',
    (Import("sklearn.pipeline", "Pipeline"),),
)

SNIFF_CSV = Helper(
    "sniff_csv",
    f'''def sniff_csv(path, encoding="auto"):
    """The text encoding (UTF-8, else Windows-1252) and the separator of a CSV file, found the way Flowza does."""
    with open(path, "rb") as handle:
        head = handle.read({SNIFF_BYTES})
    for candidate in ("utf-8-sig", "cp1252") if encoding == "auto" else ():
        try:
            (head if len(head) < {SNIFF_BYTES} else head[:-4]).decode(candidate)
            encoding = candidate
            break
        except UnicodeDecodeError:
            continue
    lines = [line for line in head.decode(encoding, errors="ignore").splitlines()[:50] if line.strip()]
    try:
        return encoding, csv.Sniffer().sniff("\\n".join(lines), delimiters={"".join(SEPARATORS)!r}).delimiter
    except csv.Error:
        counts = {{sep: lines[0].count(sep) for sep in {SEPARATORS!r}}}
        best = max(counts, key=lambda sep: counts[sep])
        return encoding, best if counts[best] > 0 else ","''',
    (Import("csv"),),
)


def _metric_sources() -> str:
    functions: list[Callable[..., Any]] = [
        flowza_metrics._plain,
        flowza_metrics.classification_metrics,
        flowza_metrics._roc,
        flowza_metrics.regression_metrics,
    ]
    parts = [f"MAX_ROC_POINTS = {flowza_metrics.MAX_ROC_POINTS}"]
    parts += [_without_local_imports(inspect.getsource(fn).strip()) for fn in functions]
    return "\n\n\n".join(parts)


# only the imports the generated file already makes at its top (PD, NP, skm) are taken out
_LOCAL_IMPORT = re.compile(
    r"^\s+(import numpy as np|import pandas as pd|from sklearn import metrics as skm)\n(\s*\n)?", re.M
)


def _without_local_imports(source: str) -> str:
    """Flowza imports numpy, pandas and scikit-learn lazily inside functions; the script imports them once, at the top."""
    return _LOCAL_IMPORT.sub("", source)


METRICS = Helper(
    "classification_metrics",
    _metric_sources(),
    (PD, NP, Import("typing", "Any"), Import("sklearn", "metrics", "skm")),
)

FEATURE_IMPORTANCES = Helper(
    "feature_importances",
    '''def feature_importances(estimator, feature_names):
    """The model's feature importances (or mean absolute coefficients), largest first, at most 50."""
    values = getattr(estimator, "feature_importances_", None)
    if values is None:
        coef = getattr(estimator, "coef_", None)
        if coef is None:
            return None
        arr = np.abs(np.asarray(coef, dtype=float))
        values = arr.mean(axis=0) if arr.ndim == 2 else arr
    if len(values) != len(feature_names):
        return None
    pairs = sorted(zip(feature_names, (float(v) for v in values), strict=True), key=lambda p: -p[1])
    return dict(pairs[:50])''',
    (NP,),
)

SCORE = Helper(
    "score",
    '''def score(frame, steps, *, estimator, pipeline, step_names, feature_names, input_columns, task, classes,
          label_encoded):
    """Predictions (original labels) and class probabilities of a trained model for the rows of `frame`.
    Data that went through the model's own fitted steps goes to the estimator; raw data goes
    through the whole pipeline."""
    if [name for name, _ in steps] == step_names:
        scorer, columns = estimator, feature_names
    else:
        scorer, columns = pipeline, input_columns
    X = frame[columns]
    raw = np.asarray(scorer.predict(X))
    proba = np.asarray(scorer.predict_proba(X)) if task == "classification" else None
    if label_encoded:
        raw = np.asarray(classes)[raw.astype(int)]  # the labels in their own dtype, as Flowza decodes them
    return raw, proba''',
    (NP,),
)


def score_call(frame: str, steps: str, model: ModelRef) -> str:
    arguments = {
        "estimator": model.estimator,
        "pipeline": model.pipeline,
        "step_names": model.step_names,
        "feature_names": model.feature_names,
        "input_columns": model.input_columns,
        "task": model.task_var,
        "classes": model.classes,
        "label_encoded": model.label_encoded,
    }
    lines = [f"    {frame},", f"    {steps},"] + [f"    {key}={value}," for key, value in arguments.items()]
    return "score(\n" + "\n".join(lines) + "\n)"


# names every generated file may define or import, kept away from variable names
RESERVED = {
    "pd",
    "np",
    "plt",
    "csv",
    "json",
    "os",
    "skm",
    "sio",
    "joblib",
    "Any",
    "Path",
    "DATA_DIR",
    "OUTPUT_DIR",
    "METRICS",
    "MAX_ROC_POINTS",
    "ColumnTransformer",
    "Pipeline",
    "SimpleImputer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "StandardScaler",
    "MinMaxScaler",
    "RobustScaler",
    "SelectKBest",
    "VarianceThreshold",
    "f_classif",
    "f_regression",
    "train_test_split",
    "LinearRegression",
    "LogisticRegression",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "XGBClassifier",
    "XGBRegressor",
    "ConfusionMatrixDisplay",
    "is_numeric",
    "infer_task",
    "fit_step",
    "make_pipeline",
    "sniff_csv",
    "classification_metrics",
    "regression_metrics",
    "feature_importances",
    "score",
    "display",
    "plain",
}

"""Metric computation shared by `evaluate` and exported code's expectations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowza.nodes.types import Holdout, TrainedModel

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MAX_ROC_POINTS = 200


def _plain(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    return value


def classification_metrics(
    y_true: pd.Series, y_pred: np.ndarray, y_score: np.ndarray | None, classes: list[Any]
) -> dict[str, Any]:
    from sklearn import metrics as skm

    y_true_arr = y_true.to_numpy()
    labels = sorted(classes)
    binary = len(labels) == 2
    result: dict[str, Any] = {"accuracy": float(skm.accuracy_score(y_true_arr, y_pred))}
    if binary:
        positive = labels[-1]
        kwargs: dict[str, Any] = {"pos_label": positive, "average": "binary"}
    else:
        kwargs = {"average": "macro"}
    # one pass for the three: precision_score, recall_score and f1_score each call this same function
    precision, recall, f1, _ = skm.precision_recall_fscore_support(y_true_arr, y_pred, zero_division=0, **kwargs)
    result["precision"], result["recall"], result["f1"] = float(precision), float(recall), float(f1)
    result["roc_auc"] = None
    result["roc_curve"] = None
    if y_score is not None:
        result.update(_roc(y_true_arr, y_score, classes, labels))
    matrix = skm.confusion_matrix(y_true_arr, y_pred, labels=labels)
    result["confusion_matrix"] = {"labels": [_plain(v) for v in labels], "matrix": matrix.tolist()}
    if binary:
        result["positive_class"] = _plain(labels[-1])
    return result


def _roc(y_true: np.ndarray, y_score: np.ndarray, classes: list[Any], labels: list[Any]) -> dict[str, Any]:
    import pandas as pd
    from sklearn import metrics as skm

    present = set(pd.unique(y_true).tolist())
    if len(present) < 2:
        return {}
    if len(labels) == 2:
        positive = labels[-1]
        scores = y_score[:, classes.index(positive)]
        fpr, tpr, _ = skm.roc_curve(y_true, scores, pos_label=positive)
        step = max(1, len(fpr) // MAX_ROC_POINTS)
        keep = list(range(0, len(fpr), step)) + ([len(fpr) - 1] if (len(fpr) - 1) % step else [])
        return {
            "roc_auc": float(skm.auc(fpr, tpr)),  # what roc_auc_score computes, from this same curve
            "roc_curve": {"fpr": [float(fpr[i]) for i in keep], "tpr": [float(tpr[i]) for i in keep]},
        }
    if len(present) != len(labels):
        return {}
    return {"roc_auc": float(skm.roc_auc_score(y_true, y_score, multi_class="ovr", average="macro", labels=classes))}


def regression_metrics(y_true: pd.Series, y_pred: np.ndarray) -> dict[str, Any]:
    import numpy as np
    from sklearn import metrics as skm

    y = y_true.to_numpy(dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    # up to 500 evenly spaced test rows, for predicted-vs-actual and residual charts
    shown = np.linspace(0, len(y) - 1, num=min(len(y), 500)).astype(int) if len(y) else np.zeros(0, dtype=int)
    return {
        "mae": float(skm.mean_absolute_error(y, y_pred)),
        "rmse": float(np.sqrt(skm.mean_squared_error(y, y_pred))),
        "r2": float(skm.r2_score(y, y_pred)) if len(y) > 1 else None,
        "predictions": {"actual": y[shown].tolist(), "predicted": y_pred[shown].tolist()},
    }


def feature_importances(model: TrainedModel) -> dict[str, float] | None:
    import numpy as np

    estimator = model.pipeline.steps[-1][1]
    values = getattr(estimator, "feature_importances_", None)
    if values is None:
        coef = getattr(estimator, "coef_", None)
        if coef is None:
            return None
        arr = np.abs(np.asarray(coef, dtype=float))
        values = arr.mean(axis=0) if arr.ndim == 2 else arr
    if len(values) != len(model.feature_names):
        return None
    pairs = sorted(zip(model.feature_names, (float(v) for v in values), strict=True), key=lambda p: -p[1])
    return dict(pairs[:50])


def holdout_metrics(model: TrainedModel, holdout: Holdout) -> dict[str, Any]:
    if model.task == "classification":
        values = classification_metrics(holdout.y_true, holdout.y_pred, holdout.y_score, list(model.classes or []))
    else:
        values = regression_metrics(holdout.y_true, holdout.y_pred)
    values["task"] = model.task
    values["evaluated_on"] = holdout.part
    values["rows"] = len(holdout.y_true)
    values["feature_importances"] = feature_importances(model)
    return values

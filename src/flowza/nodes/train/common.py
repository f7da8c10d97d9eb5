"""What every training node shares: pick the target, check the features, fit, keep the holdout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from flowza.nodes.base import Context, InferContext, NodeError
from flowza.nodes.common import infer_task, infer_task_from_kind, is_numeric, missing_columns_message, train_prefix
from flowza.nodes.schema import ModelShape, Shape, TableShape, column_kind
from flowza.nodes.train.stoppable import predict_in_chunks
from flowza.nodes.types import Dataset, Holdout, Task, TrainedModel

if TYPE_CHECKING:
    import pandas as pd

TaskParam = Literal["auto", "classification", "regression"]


def choose_target(data: Dataset, param_target: str | None) -> str:
    if data.target and param_target and param_target != data.target:
        raise NodeError(
            f"target {param_target!r} differs from the split's target {data.target!r}; leave it empty", "target"
        )
    target = data.target or param_target
    if not target:
        raise NodeError("choose the target column (or place a train_test_split before this node)", "target")
    if target not in data.frame.columns:
        raise NodeError(missing_columns_message([target], [str(c) for c in data.frame.columns]), "target")
    return target


def resolve_task(y: pd.Series, task: TaskParam, target: str) -> Task:
    if task == "auto":
        return infer_task(y)
    if task == "regression" and not is_numeric(y):
        raise NodeError(f"target {target!r} is text; regression needs a numeric target", "task")
    return task


def check_features(X: pd.DataFrame, allow_missing: bool) -> None:
    text = [str(c) for c in X.columns if not is_numeric(X[c])]
    if text:
        names = ", ".join(repr(c) for c in text[:5])
        raise NodeError(
            f"text columns {names} reach the model without an encoder; add an encode_categorical step (or drop them)"
        )
    if X.shape[1] == 0:
        raise NodeError("no feature columns are left to learn from")
    if not allow_missing:
        counts = X.isna().sum()
        bad = counts[counts > 0]
        if len(bad):
            raise NodeError(
                f"column {bad.index[0]!r} has {int(bad.iloc[0])} missing values; add an impute or drop_nulls step"
            )


def step_names(data: Dataset, model_name: str) -> list[str]:
    names: list[str] = []
    for raw in [s.name for s in data.steps] + [model_name]:
        name = raw.replace("__", "_") or "step"
        while name in names:
            name += "_"
        names.append(name)
    return names


def fit_model(
    ctx: Context,
    data: Dataset,
    *,
    param_target: str | None,
    task: TaskParam,
    algorithm: str,
    make_estimator: Callable[[Task], Any],
    allow_missing: bool,
    encode_labels: bool = False,
    fit: Callable[[Context, Any, Any, Any], None] | None = None,
) -> TrainedModel:
    """Fit `make_estimator(task)` on the train rows (`fit(ctx, estimator, X, y)` when the node can stop part-way)."""
    import numpy as np
    import pandas as pd
    from sklearn.pipeline import Pipeline

    target = choose_target(data, param_target)
    frame = data.frame
    y_all = frame[target]
    if y_all.isna().any():
        raise NodeError(
            f"target {target!r} has {int(y_all.isna().sum())} missing values; drop those rows first", "target"
        )
    resolved = resolve_task(y_all, task, target)
    X_all = frame.drop(columns=[target])
    check_features(X_all, allow_missing)
    train_rows = data.train_rows if data.train_rows is not None else np.arange(len(frame))
    n_train = train_prefix(data)
    if n_train is not None:  # train rows first: slices, no copies
        X_train, y_train = X_all.iloc[:n_train], y_all.iloc[:n_train]
    else:
        X_train, y_train = X_all.iloc[train_rows], y_all.iloc[train_rows]
    if len(X_train) == 0:
        raise NodeError("there are no rows to train on")
    classes: list[Any] | None = None
    fit_y: Any = y_train
    if resolved == "classification":
        uniques = pd.unique(y_train)
        if len(uniques) < 2:
            raise NodeError(
                f"target {target!r} has a single class in the training rows; a classifier needs two", "target"
            )
        if encode_labels:
            classes = sorted(uniques.tolist())
            fit_y = np.searchsorted(np.asarray(classes, dtype=object), y_train.to_numpy(dtype=object))
    estimator = make_estimator(resolved)
    ctx.check_cancelled()
    try:
        if fit is None:
            estimator.fit(X_train, fit_y)
        else:
            fit(ctx, estimator, X_train, fit_y)
    except ValueError as exc:
        raise NodeError(f"{type(estimator).__name__} could not be trained: {exc}") from exc
    ctx.check_cancelled()
    if resolved == "classification" and classes is None:
        classes = list(estimator.classes_)
    names = step_names(data, ctx.node_id)
    pipeline = Pipeline(
        [(n, s.transformer) for n, s in zip(names, data.steps, strict=False)] + [(names[-1], estimator)]
    )
    holdout_part: Literal["test", "train"] = "test" if data.test_rows is not None else "train"
    rows = data.test_rows if data.test_rows is not None else train_rows
    if n_train is not None and holdout_part == "test":
        X_hold, y_hold = X_all.iloc[n_train:], y_all.iloc[n_train:]
    else:
        X_hold, y_hold = X_all.iloc[rows], y_all.iloc[rows]
    y_pred = predict_in_chunks(ctx, estimator.predict, X_hold)
    y_score = predict_in_chunks(ctx, estimator.predict_proba, X_hold) if resolved == "classification" else None
    model = TrainedModel(
        pipeline=pipeline,
        task=resolved,
        target=target,
        algorithm=algorithm,
        input_columns=_input_columns(data, X_all),
        feature_names=[str(c) for c in X_all.columns],
        classes=classes,
        label_encoded=encode_labels and resolved == "classification",
        step_names=tuple(s.name for s in data.steps),
        holdout=None,
        train_rows=len(train_rows),
        extra={
            "input_kinds": data.steps[0].input_kinds
            if data.steps
            else {str(c): column_kind(X_all[c]) for c in X_all.columns}
        },
    )
    decoded = model.decode(y_pred)
    return _with_holdout(
        model, Holdout(y_true=y_hold.reset_index(drop=True), y_pred=decoded, y_score=y_score, part=holdout_part)
    )


def _with_holdout(model: TrainedModel, holdout: Holdout) -> TrainedModel:
    from dataclasses import replace

    return replace(model, holdout=holdout)


def _input_columns(data: Dataset, X: pd.DataFrame) -> list[str]:
    if data.steps:
        names = getattr(data.steps[0].transformer, "feature_names_in_", None)
        if names is not None:
            return [str(c) for c in names]
    return [str(c) for c in X.columns]


def infer_model(
    params_target: str | None,
    task: TaskParam,
    inputs: dict[str, Shape | None],
    ctx: InferContext,
    *,
    allow_missing: bool,
    regression_only: bool = False,
    classification_only: bool = False,
) -> dict[str, Shape | None]:
    """Static checks for a training node: target present, no text or (where fatal) missing features."""
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        if not params_target and shape is None:
            return {"model": ModelShape(task=None, target=None, split=False, features=None)}
        return {"model": ModelShape(task=None, target=params_target, split=False, features=None)}
    if shape.target and params_target and params_target != shape.target:
        raise NodeError(
            f"target {params_target!r} differs from the split's target {shape.target!r}; leave it empty", "target"
        )
    target = shape.target or params_target
    if not target:
        raise NodeError("choose the target column (or place a train_test_split before this node)", "target")
    if shape.exact and target not in shape.columns:
        raise NodeError(missing_columns_message([target], list(shape.columns)), "target")
    info = shape.columns.get(target)
    resolved: str | None = None if task == "auto" else task
    if info is not None:
        sample = shape.sample[info.origin] if shape.sample is not None and info.origin in shape.sample else None
        guessed = infer_task_from_kind(info.kind, info.distinct, sample)
        resolved = resolved or guessed
        if regression_only:
            resolved = "regression"
        if classification_only:
            resolved = "classification"
        if resolved == "regression" and info.kind == "text":
            raise NodeError(
                f"target {target!r} is text; regression needs a numeric target", "target" if regression_only else "task"
            )
    features = {n: i for n, i in shape.columns.items() if n != target}
    text = [n for n, i in features.items() if i.kind == "text"]
    if text and shape.exact:
        names = ", ".join(repr(c) for c in text[:5])
        raise NodeError(
            f"text columns {names} reach the model without an encoder; add an encode_categorical step (or drop them)"
        )
    if not allow_missing and shape.exact:
        missing = [(n, i.missing) for n, i in features.items() if i.missing]
        if missing:
            name, count = missing[0]
            raise NodeError(
                f"column {name!r} has missing values ({count} in the first rows read); add an impute or drop_nulls step"
            )
    return {"model": ModelShape(task=resolved, target=target, split=shape.split, features=shape)}

"""Helpers shared by node modules: column resolution, task inference, fitting a step."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from flowza.nodes.base import Context, NodeError
from flowza.nodes.schema import Kind, column_kind
from flowza.nodes.types import Dataset, FittedStep, Task

if TYPE_CHECKING:
    import pandas as pd

MAX_CLASSES_FOR_INTEGER_TARGET = 20


def is_numeric(series: pd.Series) -> bool:
    """Numbers and booleans count as numeric."""
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def missing_columns_message(missing: Sequence[str], available: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in list(available)[:30])
    more = "" if len(available) <= 30 else f" and {len(available) - 30} more"
    names = ", ".join(repr(c) for c in missing)
    plural = "columns" if len(missing) > 1 else "column"
    return f"{plural} {names} not in the data; available: {shown}{more}"


def check_columns(requested: Sequence[str], available: Sequence[str], field: str = "columns") -> None:
    missing = [c for c in requested if c not in available]
    if missing:
        raise NodeError(missing_columns_message(missing, available), field=field)


def feature_columns(data: Dataset, ctx: Context) -> list[str]:
    target = data.target or ctx.target_hint
    return [str(c) for c in data.frame.columns if c != target]


def select_columns(
    requested: Sequence[str],
    data: Dataset,
    ctx: Context,
    default: Callable[[pd.Series], bool],
    field: str = "columns",
) -> list[str]:
    """The columns a step works on: those requested, or the features matching `default`."""
    features = feature_columns(data, ctx)
    if requested:
        check_columns(requested, [str(c) for c in data.frame.columns], field)
        target = data.target or ctx.target_hint
        if target is not None and target in requested:
            raise NodeError(f"column {target!r} is the target; a preprocessing step must not change it", field)
        return list(requested)
    return [c for c in features if default(data.frame[c])]


def infer_task(y: pd.Series) -> Task:
    """Classification for text, booleans and integer codes with few values; else regression."""
    import numpy as np
    import pandas as pd

    if not is_numeric(y) or pd.api.types.is_bool_dtype(y):
        return "classification"
    values = y.dropna()
    if values.empty:
        return "regression"
    integral = bool(np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))
    if integral and values.nunique() <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "classification"
    return "regression"


def infer_task_from_kind(kind: Kind, distinct: int | None, sample: pd.Series | None) -> Task:
    if sample is not None:
        return infer_task(sample)
    if kind != "numeric":
        return "classification"
    return "classification" if distinct is not None and distinct <= MAX_CLASSES_FOR_INTEGER_TARGET else "regression"


def fit_step(data: Dataset, ctx: Context, transformer: Any) -> Dataset:
    """Fit `transformer` on the feature columns of the fitting rows, transform every row.

    Placed after the split, the step fits on the train part only (no leakage); before the
    split it fits on all rows. The fitted step is appended to the chain a model will carry.
    """
    import pandas as pd

    target = data.target or ctx.target_hint
    has_target = target is not None and target in data.frame.columns
    features = data.frame.drop(columns=[target]) if has_target else data.frame
    y = _fit_target(data, target, has_target)
    n_train = train_prefix(data)
    ctx.check_cancelled()
    try:
        # Fit on the fitting rows (train rows first after train_test_split: a slice, no copy), then
        # transform every row in one call. Transforming the train and test parts apart and
        # concatenating them cost a copy of the whole output and, at 1M rows x 54 columns, four
        # times the transform itself.
        if n_train is not None:
            fit_rows = features.iloc[:n_train]
        else:
            fit_rows = features.iloc[data.train_rows] if data.train_rows is not None else features
        transformer.fit(fit_rows, y)
        ctx.check_cancelled()
        transformed = transformer.transform(features)
    except NodeError:
        raise
    except ValueError as exc:
        raise NodeError(f"{type(transformer).__name__} failed: {exc}") from exc
    if not isinstance(transformed, pd.DataFrame):
        raise NodeError(f"{type(transformer).__name__} did not return a table")
    transformed.index = data.frame.index
    if has_target:
        transformed = transformed.copy(deep=False)
        transformed[target] = data.frame[target]
    kinds: dict[str, str] = {str(c): column_kind(features[c]) for c in features.columns}
    step = FittedStep(name=ctx.node_id, transformer=transformer, input_kinds=kinds)
    derived = (weakref.ref(data.frame), len(data.steps), target if has_target else None)
    return replace(data, frame=transformed, steps=(*data.steps, step), kept_rows=None, derived_from=derived)


def train_prefix(data: Dataset) -> int | None:
    """The number of train rows when they are exactly the first rows of the table, else None."""
    import numpy as np

    if data.train_rows is None or data.test_rows is None:
        return None
    n_train = len(data.train_rows)
    if n_train + len(data.test_rows) != len(data.frame):
        return None
    if not np.array_equal(data.train_rows, np.arange(n_train)):
        return None
    if not np.array_equal(data.test_rows, np.arange(n_train, len(data.frame))):
        return None
    return n_train


def _fit_target(data: Dataset, target: str | None, has_target: bool) -> pd.Series | None:
    if not has_target or target is None:
        return None
    y = data.frame[target]
    return y.iloc[data.train_rows] if data.train_rows is not None else y

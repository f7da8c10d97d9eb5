"""A dataset's profile, computed once at upload: rows and per-column statistics."""

from __future__ import annotations

from typing import Any

import pandas as pd

from flowza.jsonsafe import jsonable
from flowza.nodes.schema import column_kind

TOP_VALUES = 5


def profile(frame: pd.DataFrame) -> dict[str, Any]:
    return {"rows": int(len(frame)), "columns": [column_profile(str(name), frame[name]) for name in frame.columns]}


def column_profile(name: str, series: pd.Series) -> dict[str, Any]:
    info: dict[str, Any] = {
        "name": name,
        "dtype": str(series.dtype),
        "kind": column_kind(series),
        "missing": int(series.isna().sum()),
        "distinct": int(series.nunique(dropna=True)),
    }
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.dropna()
        info.update(
            min=jsonable(values.min()) if len(values) else None,
            max=jsonable(values.max()) if len(values) else None,
            mean=jsonable(float(values.mean())) if len(values) else None,
            std=jsonable(float(values.std())) if len(values) > 1 else None,
        )
    else:
        counts = series.dropna().astype(str).value_counts().head(TOP_VALUES)
        info["top"] = [{"value": str(value), "count": int(count)} for value, count in counts.items()]
    return info

"""A dataset profile: what the generators know about a CSV before planning a workflow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flowza.nodes.common import infer_task
from flowza.nodes.data.files import read_csv
from flowza.nodes.schema import Kind, column_kind

MIN_ROWS_FOR_ID_CHECK = 20
ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key)$", re.IGNORECASE)
SAMPLE_VALUES = 5


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    kind: Kind
    missing: int
    distinct: int
    integral: bool
    identifier_like: bool
    examples: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "missing": self.missing,
            "distinct": self.distinct,
            "identifier_like": self.identifier_like,
            "examples": self.examples,
        }


@dataclass
class DatasetProfile:
    """Columns with their kind, missing count and cardinality; `frame` keeps the rows for leak checks."""

    name: str
    rows: int
    columns: list[ColumnProfile]
    frame: pd.DataFrame = field(repr=False)

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def task_of(self, name: str) -> str:
        """The task the engine infers for this column as a target."""
        return infer_task(self.frame[name])

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.name, "rows": self.rows, "columns": [c.to_dict() for c in self.columns]}


def is_identifier_like(name: str, series: pd.Series) -> bool:
    """A column whose values (nearly) name each row: useless or harmful as a feature."""
    values = series.dropna()
    if len(values) < MIN_ROWS_FOR_ID_CHECK:
        return False
    distinct = int(values.nunique())
    ratio = distinct / len(values)
    kind = column_kind(series)
    if kind == "text":
        return ratio >= 0.5 and distinct >= MIN_ROWS_FOR_ID_CHECK
    if kind == "numeric" and _integral(values):
        if ID_NAME.search(name) and ratio >= 0.9:
            return True
        return distinct == len(series)
    return False


def _integral(values: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    array = values.to_numpy(dtype=float)
    return bool(np.all(np.mod(array[~np.isnan(array)], 1) == 0))


def profile_frame(frame: pd.DataFrame, name: str) -> DatasetProfile:
    columns = []
    for column in frame.columns:
        series = frame[column]
        examples = [str(v) for v in series.dropna().unique()[:SAMPLE_VALUES]]
        columns.append(
            ColumnProfile(
                name=str(column),
                kind=column_kind(series),
                missing=int(series.isna().sum()),
                distinct=int(series.nunique(dropna=True)),
                integral=_integral(series.dropna()),
                identifier_like=is_identifier_like(str(column), series),
                examples=examples,
            )
        )
    return DatasetProfile(name=name, rows=len(frame), columns=columns, frame=frame)


def profile_csv(path: Path) -> DatasetProfile:
    """Profile a CSV read exactly as `load_csv` reads it (NodeError when it cannot be read)."""
    return profile_frame(read_csv(path), path.name)

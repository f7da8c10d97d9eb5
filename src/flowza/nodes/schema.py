"""Static shapes of what flows along edges, used to validate a workflow before it runs.

A `TableShape` is what validation knows about a table at some point of the graph: its
columns with their kind and the raw column each came from, the target once a split has
named it, and a sample of the raw rows for the ML lints. Nodes describe how they change a
shape with an `infer` function in their module; nodes without one pass their data through.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd


Kind = Literal["numeric", "bool", "text"]


def column_kind(series: pd.Series) -> Kind:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    return "text"


@dataclass(frozen=True)
class ColumnInfo:
    kind: Kind
    origin: str
    distinct: int | None = None
    missing: int | None = None


@dataclass(frozen=True)
class TableShape:
    columns: dict[str, ColumnInfo]
    target: str | None = None
    split: bool = False
    exact: bool = True  # False once a step makes the column set known only at run time
    sample: pd.DataFrame | None = field(default=None, compare=False)
    sample_is_whole_file: bool = False
    source: str | None = None

    def feature_names(self) -> list[str]:
        return [name for name in self.columns if name != self.target]

    def replace(self, **changes: Any) -> TableShape:
        return replace(self, **changes)

    @staticmethod
    def from_frame(frame: pd.DataFrame, whole_file: bool, source: str | None) -> TableShape:
        columns = {
            str(name): ColumnInfo(
                kind=column_kind(frame[name]),
                origin=str(name),
                distinct=int(frame[name].nunique(dropna=True)),
                missing=int(frame[name].isna().sum()),
            )
            for name in frame.columns
        }
        return TableShape(columns=columns, sample=frame, sample_is_whole_file=whole_file, source=source)


@dataclass(frozen=True)
class ModelShape:
    task: str | None
    target: str | None
    split: bool
    features: TableShape | None


@dataclass(frozen=True)
class MetricsShape:
    held_out: bool


@dataclass(frozen=True)
class FileShape:
    format: str


Shape = TableShape | ModelShape | MetricsShape | FileShape

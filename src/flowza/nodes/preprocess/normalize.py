"""normalize: scale numeric columns (standard, min-max or robust scaling)."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import fit_step, select_columns
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: list[str] = Field(
        default=[],
        description="Columns to scale; empty means every numeric (non-boolean) feature column",
        json_schema_extra={"ui:widget": "columns"},
    )
    method: Literal["standard", "minmax", "robust"] = Field(
        default="standard", description="standard: mean 0, std 1; minmax: 0..1; robust: median and IQR"
    )


def _is_scalable(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def make_transformer(columns: list[str], method: str) -> ColumnTransformer:
    return ColumnTransformer(
        [(method, SCALERS[method](), columns)], remainder="passthrough", verbose_feature_names_out=False
    ).set_output(transform="pandas")


@node(
    type="normalize",
    title="Normalize",
    category="Preprocess",
    description="Scale numeric columns so that they are comparable (helps linear models).",
    inputs={"data": DATA},
    outputs={"data": DATA},
    stateful=True,
)
def normalize(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    columns = select_columns(params.columns, data, ctx, default=_is_scalable)
    text = [c for c in columns if not _is_scalable(data.frame[c])]
    if text:
        raise NodeError(f"column {text[0]!r} is not numeric and cannot be scaled", "columns")
    if not columns:
        ctx.log("no numeric columns to scale")
        return {"data": data}
    return {"data": fit_step(data, ctx, make_transformer(columns, params.method))}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    shape = inputs.get("data")
    if isinstance(shape, TableShape) and params.columns:
        target = shape.target or ctx.target_hint
        if target in params.columns:
            raise NodeError(f"column {target!r} is the target; a preprocessing step must not change it", "columns")
        text = [c for c in params.columns if c in shape.columns and shape.columns[c].kind == "text"]
        if text:
            raise NodeError(f"column {text[0]!r} is text and cannot be scaled; encode it first", "columns")
    return {"data": shape}

"""normalize: scale numeric columns (standard, min-max or robust scaling)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import fit_step, select_columns
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer

    from flowza.codegen.snippet import Names, Snippet


SCALER_CLASS_NAMES = {"standard": "StandardScaler", "minmax": "MinMaxScaler", "robust": "RobustScaler"}


def make_scaler(method: str) -> Any:
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

    return {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}[method]()


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    columns: list[str] = Field(
        default=[],
        description="Columns to scale; empty means every numeric (non-boolean) feature column",
        json_schema_extra={"ui:widget": "columns"},
    )
    method: Literal["standard", "minmax", "robust"] = Field(
        default="standard", description="standard: mean 0, std 1; minmax: 0..1; robust: median and IQR"
    )


def _is_scalable(series: pd.Series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def make_transformer(columns: list[str], method: str) -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer(
        [(method, make_scaler(method), columns)], remainder="passthrough", verbose_feature_names_out=False
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


def code(params: Params, names: Names) -> Snippet:
    """The same scaler inside a ColumnTransformer; by default every numeric, non-boolean feature column."""
    from flowza.codegen.snippet import Import, lit
    from flowza.codegen.steps import COLUMN_TRANSFORMER, column_transformer, default_columns, fitted_step

    data = names.data()
    columns = names.var("columns")
    condition = "pd.api.types.is_numeric_dtype({c}) and not pd.api.types.is_bool_dtype({c})"
    chosen = lit(list(params.columns)) if params.columns else default_columns(names, data, condition)
    scaler = SCALER_CLASS_NAMES[params.method]
    make = column_transformer(f"[({lit(params.method)}, {scaler}(), {columns})]")
    return fitted_step(
        names,
        data,
        make,
        condition=None if params.columns else columns,
        before=f"{columns} = {chosen}",
        imports=(COLUMN_TRANSFORMER, Import("sklearn.preprocessing", scaler)),
        explanation=f"Scales numeric columns with {scaler}, learnt on the train rows.",
    )

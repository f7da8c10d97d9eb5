"""encode_categorical: turn text columns into numbers (one-hot or ordinal codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import fit_step, is_numeric, select_columns
from flowza.nodes.schema import ColumnInfo, Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    from flowza.codegen.snippet import Names, Snippet

MANY_CATEGORIES = 50


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    columns: list[str] = Field(
        default=[],
        description="Columns to encode; empty means every non-numeric feature column",
        json_schema_extra={"ui:widget": "columns"},
    )
    method: Literal["onehot", "ordinal"] = Field(
        default="onehot", description="One 0/1 column per category, or one integer code per category"
    )


def make_encoder(method: str) -> OneHotEncoder | OrdinalEncoder:
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    if method == "onehot":
        return OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)


def make_transformer(columns: list[str], method: str) -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer(
        [(method, make_encoder(method), columns)], remainder="passthrough", verbose_feature_names_out=False
    ).set_output(transform="pandas")


def _is_text(series: pd.Series) -> bool:
    return not is_numeric(series)


@node(
    type="encode_categorical",
    title="Encode categories",
    category="Preprocess",
    description="Turn text columns into numbers a model can use: one-hot columns or ordinal codes.",
    inputs={"data": DATA},
    outputs={"data": DATA},
    stateful=True,
)
def encode_categorical(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    columns = select_columns(params.columns, data, ctx, default=_is_text)
    if not columns:
        ctx.log("no text columns to encode")
        return {"data": data}
    frame = data.frame
    numeric = [c for c in columns if is_numeric(frame[c])]
    if numeric:
        raise NodeError(
            f"column {numeric[0]!r} is numeric; encode only text columns or leave 'columns' empty",
            "columns",
        )
    try:
        return {"data": fit_step(data, ctx, make_transformer(columns, params.method))}
    except ValueError as exc:
        raise NodeError(f"encoding failed: {exc}", "columns") from exc


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        return {"data": shape}
    target = shape.target or ctx.target_hint
    if params.columns:
        if target in params.columns:
            raise NodeError(f"column {target!r} is the target; a preprocessing step must not change it", "columns")
        numeric = [c for c in params.columns if c in shape.columns and shape.columns[c].kind != "text"]
        if numeric:
            raise NodeError(f"column {numeric[0]!r} is numeric; encode only text columns", "columns")
        chosen = list(params.columns)
    else:
        chosen = [n for n, i in shape.columns.items() if n != target and i.kind == "text"]
    columns: dict[str, ColumnInfo] = {}
    for name in chosen:
        info = shape.columns.get(name)
        if info is None:
            continue
        if params.method == "onehot":
            if info.distinct is not None and info.distinct > MANY_CATEGORIES:
                ctx.warn(
                    "onehot_many_categories",
                    f"one-hot encoding {name!r} makes {info.distinct} columns (more than {MANY_CATEGORIES}); "
                    "consider ordinal encoding or dropping it",
                    "columns",
                )
            for value in _categories(shape, name):
                columns[f"{name}_{value}"] = ColumnInfo("numeric", info.origin, 2, 0)
        else:
            columns[name] = ColumnInfo("numeric", info.origin, info.distinct, 0)
    for name, info in shape.columns.items():
        if name not in chosen:
            columns[name] = info
    return {"data": shape.replace(columns=columns)}


def _categories(shape: TableShape, column: str) -> list[str]:
    if shape.sample is None or column not in shape.sample.columns:
        return []
    series = shape.sample[column]
    values = sorted(str(v) for v in series.dropna().unique())
    return values + (["nan"] if series.isna().any() else [])


def code(params: Params, names: Names) -> Snippet:
    """The same encoder inside a ColumnTransformer; by default every non-numeric feature column."""
    from flowza.codegen.helpers import IS_NUMERIC
    from flowza.codegen.snippet import Import, lit
    from flowza.codegen.steps import COLUMN_TRANSFORMER, column_transformer, default_columns, fitted_step

    data = names.data()
    columns = names.var("columns")
    chosen = lit(list(params.columns)) if params.columns else default_columns(names, data, "not is_numeric({c})")
    if params.method == "onehot":
        encoder = 'OneHotEncoder(handle_unknown="ignore", sparse_output=False)'
    else:
        encoder = 'OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)'
    make = column_transformer(f"[({lit(params.method)}, {encoder}, {columns})]")
    name = "OneHotEncoder" if params.method == "onehot" else "OrdinalEncoder"
    return fitted_step(
        names,
        data,
        make,
        condition=None if params.columns else columns,
        before=f"{columns} = {chosen}",
        imports=(COLUMN_TRANSFORMER, Import("sklearn.preprocessing", name)),
        helpers=() if params.columns else (IS_NUMERIC,),
        explanation=(
            "Turns text columns into 0/1 columns, one per category."
            if params.method == "onehot"
            else "Turns text columns into integer codes, one per category."
        ),
    )

"""drop_columns: remove columns from the table (and from what a model will expect)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import check_columns, fit_step
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer

    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    columns: list[str] = Field(default=[], description="Columns to remove", json_schema_extra={"ui:widget": "columns"})


def make_transformer(columns: list[str]) -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer(
        [("drop", "drop", columns)], remainder="passthrough", verbose_feature_names_out=False
    ).set_output(transform="pandas")


@node(
    type="drop_columns",
    title="Drop columns",
    category="Clean",
    description="Remove columns, such as identifiers or columns that leak the target.",
    inputs={"data": DATA},
    outputs={"data": DATA},
)
def drop_columns(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    if not params.columns:
        return {"data": data}
    check_columns(params.columns, [str(c) for c in data.frame.columns])
    target = data.target or ctx.target_hint
    if target in params.columns:
        raise NodeError(f"column {target!r} is the target and cannot be dropped", "columns")
    return {"data": fit_step(data, ctx, make_transformer(list(params.columns)))}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        return {"data": shape}
    target = shape.target or ctx.target_hint
    if target is not None and target in params.columns:
        raise NodeError(f"column {target!r} is the target and cannot be dropped", "columns")
    columns = {name: info for name, info in shape.columns.items() if name not in params.columns}
    return {"data": shape.replace(columns=columns)}


def code(params: Params, names: Names) -> Snippet:
    """A ColumnTransformer that drops the columns, so the exported pipeline drops them from raw rows too."""
    from flowza.codegen.snippet import Snippet, lit
    from flowza.codegen.steps import COLUMN_TRANSFORMER, column_transformer, fitted_step

    data = names.data()
    if not params.columns:
        return Snippet(code="# no columns chosen: the data passes through unchanged", outputs={"data": data})
    make = column_transformer(f'[("drop", "drop", {lit(list(params.columns))})]')
    return fitted_step(
        names,
        data,
        make,
        condition=None,
        imports=(COLUMN_TRANSFORMER,),
        explanation=f"Removes the columns {', '.join(repr(c) for c in params.columns)}.",
    )

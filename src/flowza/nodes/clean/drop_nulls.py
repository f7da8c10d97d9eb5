"""drop_nulls: remove rows with missing values."""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.common import check_columns
from flowza.nodes.schema import ColumnInfo, Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    import numpy as np

    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    columns: list[str] = Field(
        default=[],
        description="Columns to look at; empty means every column",
        json_schema_extra={"ui:widget": "columns"},
    )
    how: Literal["any", "all"] = Field(default="any", description="Drop a row when any / all of them are missing")


@node(
    type="drop_nulls",
    title="Drop missing rows",
    category="Clean",
    description="Remove rows that have missing values in the chosen columns.",
    inputs={"data": DATA},
    outputs={"data": DATA},
)
def drop_nulls(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    frame = data.frame
    check_columns(params.columns, [str(c) for c in frame.columns])
    subset = params.columns or list(frame.columns)
    missing = frame[subset].isna()
    drop = missing.any(axis=1) if params.how == "any" else missing.all(axis=1)
    keep = ~drop.to_numpy()
    if keep.all():
        return {"data": data}
    kept = frame[keep]
    ctx.log(f"dropped {int((~keep).sum())} of {len(frame)} rows")
    import numpy as np

    kept_rows = (weakref.ref(frame), np.flatnonzero(keep))
    return {"data": _remap_split(replace(data, frame=kept, kept_rows=kept_rows, derived_from=None), keep)}


def _remap_split(data: Dataset, keep: np.ndarray) -> Dataset:
    """Keep the train/test parts (and their order) after rows were removed."""
    import numpy as np

    if data.train_rows is None or data.test_rows is None:
        return data
    new_position = np.cumsum(keep) - 1
    train = data.train_rows[keep[data.train_rows]]
    test = data.test_rows[keep[data.test_rows]]
    return replace(data, train_rows=new_position[train], test_rows=new_position[test])


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        return {"data": shape}
    subset = set(params.columns or shape.columns)
    columns = {
        name: ColumnInfo(info.kind, info.origin, info.distinct, 0 if name in subset else info.missing)
        for name, info in shape.columns.items()
    }
    return {"data": shape.replace(columns=columns)}


def code(params: Params, names: Names) -> Snippet:
    """Keep the rows without missing values; the split's row positions follow the kept rows."""
    from flowza.codegen.snippet import NP, PD, DataRef, Snippet, lit

    data = names.data()
    out, keep = names.var("data"), names.var("keep")
    missing = f"{data.frame}[{lit(list(params.columns))}].isna()" if params.columns else f"{data.frame}.isna()"
    lines = [
        f"{keep} = ~{missing}.{params.how}(axis=1).to_numpy()",
        f"{out} = {data.frame}[{keep}]",
    ]
    train, test = data.train_rows, data.test_rows
    if train is not None and test is not None:
        position, train_out, test_out = names.var("new_position"), names.var("train_rows"), names.var("test_rows")
        lines += [
            "# the train/test parts keep their rows (and their order) at the new positions",
            f"{position} = np.cumsum({keep}) - 1",
            f"{train_out} = {position}[{train}[{keep}[{train}]]]",
            f"{test_out} = {position}[{test}[{keep}[{test}]]]",
        ]
        train, test = train_out, test_out
    which = "any" if params.how == "any" else "all"
    scope = f"the columns {', '.join(repr(c) for c in params.columns)}" if params.columns else "its columns"
    return Snippet(
        code="\n".join(lines),
        imports=(PD, NP),
        outputs={"data": DataRef(out, data.steps, data.target, train, test)},
        preview=f"{out}.head()",
        explanation=f"Drops every row where {which} of {scope} is missing.",
    )

"""impute: fill missing values with a statistic learnt on the fitting rows."""

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
    from sklearn.impute import SimpleImputer

    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    columns: list[str] = Field(
        default=[],
        description="Columns to fill; empty means every feature column with missing values",
        json_schema_extra={"ui:widget": "columns"},
    )
    strategy: Literal["mean", "median", "most_frequent", "constant"] = Field(
        default="mean",
        description="mean/median apply to numeric columns; text columns always use most_frequent (or constant)",
    )
    fill_value: str | float | int | bool | None = Field(
        default=None, description="The value used by the 'constant' strategy"
    )


def plan(frame: pd.DataFrame, columns: list[str], params: Params) -> list[tuple[str, SimpleImputer, list[str]]]:
    """Group columns by the imputer they need: numbers and text cannot share a statistic."""
    import pandas as pd
    from sklearn.impute import SimpleImputer

    numeric = [c for c in columns if is_numeric(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    other = [c for c in columns if c not in numeric]
    groups: list[tuple[str, SimpleImputer, list[str]]] = []
    if numeric:
        if params.strategy == "constant":
            value = 0 if params.fill_value is None else params.fill_value
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise NodeError(f"fill_value {value!r} is not a number but numeric columns need filling", "fill_value")
            groups.append(("numeric", SimpleImputer(strategy="constant", fill_value=value), numeric))
        else:
            strategy = params.strategy
            groups.append(("numeric", SimpleImputer(strategy=strategy), numeric))
    if other:
        if params.strategy == "constant":
            value = "missing" if params.fill_value is None else str(params.fill_value)
            groups.append(("text", SimpleImputer(strategy="constant", fill_value=value), other))
        else:
            groups.append(("text", SimpleImputer(strategy="most_frequent"), other))
    return groups


def make_transformer(frame: pd.DataFrame, columns: list[str], params: Params) -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer(
        [(name, imputer, cols) for name, imputer, cols in plan(frame, columns, params)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def _has_nulls(series: pd.Series) -> bool:
    return bool(series.isna().any())


@node(
    type="impute",
    title="Impute missing values",
    category="Clean",
    description="Fill missing values with the mean, median, most frequent value or a constant.",
    inputs={"data": DATA},
    outputs={"data": DATA},
    stateful=True,
)
def impute(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    columns = select_columns(params.columns, data, ctx, default=_has_nulls)
    if not columns:
        ctx.log("no missing values to fill")
        return {"data": data}
    chosen = data.frame[columns]
    fitting = chosen.iloc[data.train_rows] if data.train_rows is not None else chosen
    empty = [c for c in columns if fitting[c].isna().all()]
    if empty:
        raise NodeError(f"column {empty[0]!r} has no values at all in the fitting rows; drop it instead", "columns")
    return {"data": fit_step(data, ctx, make_transformer(data.frame, columns, params))}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        return {"data": shape}
    target = shape.target or ctx.target_hint
    if params.columns:
        chosen = set(params.columns)
        if target in chosen:
            raise NodeError(f"column {target!r} is the target; a preprocessing step must not change it", "columns")
    else:
        chosen = {n for n, i in shape.columns.items() if n != target and (i.missing or 0) > 0}
    columns = {
        name: ColumnInfo(info.kind, info.origin, info.distinct, 0 if name in chosen else info.missing)
        for name, info in shape.columns.items()
    }
    return {"data": shape.replace(columns=columns)}


def code(params: Params, names: Names) -> Snippet:
    """SimpleImputers grouped as Flowza groups them: numbers in one, text and booleans in another."""
    from flowza.codegen.helpers import IS_NUMERIC
    from flowza.codegen.snippet import Import, lit
    from flowza.codegen.steps import COLUMN_TRANSFORMER, column_transformer, default_columns, fitted_step

    data = names.data()
    frame = data.frame
    columns, numeric, text = names.var("columns"), names.var("numeric"), names.var("text")
    chosen = lit(list(params.columns)) if params.columns else default_columns(names, data, "{c}.isna().any()")
    if params.strategy == "constant":
        number = 0 if params.fill_value is None else params.fill_value
        word = "missing" if params.fill_value is None else str(params.fill_value)
        numeric_imputer = f'SimpleImputer(strategy="constant", fill_value={lit(number)})'
        text_imputer = f'SimpleImputer(strategy="constant", fill_value={lit(word)})'
    else:
        numeric_imputer = f"SimpleImputer(strategy={lit(params.strategy)})"
        text_imputer = 'SimpleImputer(strategy="most_frequent")'
    groups = names.var("groups")
    before = "\n".join(
        [
            f"{columns} = {chosen}",
            f"{numeric} = [c for c in {columns} if is_numeric({frame}[c]) and not pd.api.types.is_bool_dtype({frame}[c])]",
            f"{text} = [c for c in {columns} if c not in {numeric}]",
            "# numbers and text need different imputers; a group without columns is left out",
            f"{groups} = [",
            "    (name, imputer, selected)",
            "    for name, imputer, selected in [",
            f'        ("numeric", {numeric_imputer}, {numeric}),',
            f'        ("text", {text_imputer}, {text}),',
            "    ]",
            "    if selected",
            "]",
        ]
    )
    make = column_transformer(groups)
    return fitted_step(
        names,
        data,
        make,
        condition=None if params.columns else columns,
        before=before,
        imports=(COLUMN_TRANSFORMER, Import("sklearn.impute", "SimpleImputer")),
        helpers=(IS_NUMERIC,),
        explanation=(
            f"Fills missing values ({params.strategy} for numbers; text uses "
            f"{'the constant' if params.strategy == 'constant' else 'the most frequent value'}), "
            "learnt on the train rows."
        ),
    )

"""select_features: keep the most useful feature columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import feature_columns, fit_step, infer_task, is_numeric
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    method: Literal["k_best", "variance"] = Field(
        default="k_best", description="k_best: the k columns most related to the target; variance: drop near-constant"
    )
    k: int = Field(default=10, ge=1, le=100_000, description="How many columns k_best keeps")
    threshold: float = Field(default=0.0, ge=0.0, description="variance: drop columns whose variance is at most this")


def make_selector(method: str, k: int, threshold: float, task: str | None) -> Any:
    from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif, f_regression

    if method == "variance":
        return VarianceThreshold(threshold=threshold).set_output(transform="pandas")
    score = f_classif if task == "classification" else f_regression
    return SelectKBest(score_func=score, k=k).set_output(transform="pandas")


@node(
    type="select_features",
    title="Select features",
    category="Preprocess",
    description="Keep the k columns most related to the target, or drop near-constant columns.",
    inputs={"data": DATA},
    outputs={"data": DATA},
    stateful=True,
)
def select_features(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    features = feature_columns(data, ctx)
    frame = data.frame
    text = [c for c in features if not is_numeric(frame[c])]
    if text:
        raise NodeError(f"column {text[0]!r} is text; add an encode_categorical step before selecting features")
    with_nulls = [c for c in features if frame[c].isna().any()]
    if with_nulls:
        raise NodeError(f"column {with_nulls[0]!r} has missing values; impute or drop them first")
    task = None
    if params.method == "k_best":
        target = data.target or ctx.target_hint
        if target is None or target not in frame.columns:
            raise NodeError("k_best needs a target: place this step after train_test_split", "method")
        task = infer_task(frame[target])
        if params.k >= len(features):
            ctx.log(f"k={params.k} keeps all {len(features)} columns")
            return {"data": data}
    try:
        return {"data": fit_step(data, ctx, make_selector(params.method, params.k, params.threshold, task))}
    except NodeError as exc:
        raise NodeError(exc.message, "threshold" if params.method == "variance" else "k") from exc


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        return {"data": shape}
    return {"data": shape.replace(exact=False)}


def code(params: Params, names: Names) -> Snippet:
    """SelectKBest (F-test for the task) or VarianceThreshold over every feature column."""
    from flowza.codegen.helpers import INFER_TASK
    from flowza.codegen.snippet import Import, lit
    from flowza.codegen.steps import fitted_step

    data = names.data()
    target = names.target_of(data)
    features = names.var("features")
    chosen = f"[c for c in {data.frame}.columns if c != {lit(target)}]"
    selection = "sklearn.feature_selection"
    if params.method == "variance":
        make = f'VarianceThreshold(threshold={lit(params.threshold)}).set_output(transform="pandas")'
        return fitted_step(
            names,
            data,
            make,
            condition=None,
            imports=(Import(selection, "VarianceThreshold"),),
            explanation=f"Drops columns whose variance on the train rows is at most {params.threshold}.",
        )
    if target is None:
        raise ValueError(f"node {names.node_id!r}: k_best needs a target; place it after train_test_split")
    score = f'f_classif if infer_task({data.frame}[{lit(target)}]) == "classification" else f_regression'
    make = f'SelectKBest(score_func={score}, k={lit(params.k)}).set_output(transform="pandas")'
    return fitted_step(
        names,
        data,
        make,
        condition=f"{lit(params.k)} < len({features})",
        before=f"{features} = {chosen}",
        imports=tuple(Import(selection, n) for n in ("SelectKBest", "f_classif", "f_regression")),
        helpers=(INFER_TASK,),
        explanation=f"Keeps the {params.k} columns most related to the target (F-test on the train rows).",
    )

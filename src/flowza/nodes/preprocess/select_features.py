"""select_features: keep the most useful feature columns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif, f_regression

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import feature_columns, fit_step, infer_task, is_numeric
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["k_best", "variance"] = Field(
        default="k_best", description="k_best: the k columns most related to the target; variance: drop near-constant"
    )
    k: int = Field(default=10, ge=1, le=100_000, description="How many columns k_best keeps")
    threshold: float = Field(default=0.0, ge=0.0, description="variance: drop columns whose variance is at most this")


def make_selector(method: str, k: int, threshold: float, task: str | None) -> Any:
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

"""evaluate: metrics of a trained model on its held-out test part (or on given data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from flowza.nodes.base import Context, InferContext, NodeError, node, optional
from flowza.nodes.evaluate.metrics import holdout_metrics
from flowza.nodes.evaluate.scoring import score
from flowza.nodes.schema import MetricsShape, ModelShape, Shape, TableShape
from flowza.nodes.types import DATA, METRICS, MODEL, Dataset, Holdout, Metrics, TrainedModel

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


@node(
    type="evaluate",
    title="Evaluate",
    category="Evaluate",
    description="Accuracy, precision, recall, F1, ROC AUC and confusion matrix, or MAE, RMSE and R² "
    "on the held-out test part.",
    inputs={"model": MODEL, "data": optional(DATA, "Other data to evaluate on (its test part if split)")},
    outputs={"metrics": METRICS},
)
def evaluate(ctx: Context, params: Params, model: TrainedModel, data: Dataset | None = None) -> dict[str, Any]:
    holdout = model.holdout
    if data is not None:
        if model.target not in data.frame.columns:
            raise NodeError(f"the data has no target column {model.target!r} to compare predictions with")
        part = data.part("test")
        y_true = part[model.target]
        if y_true.isna().any():
            raise NodeError(f"the target {model.target!r} has missing values in the evaluation rows")
        y_pred, y_score = score(model, data, part)
        holdout = Holdout(y_true.reset_index(drop=True), y_pred, y_score, "test" if data.is_split else "train")
    if holdout is None:
        raise NodeError("the model has no rows to be evaluated on")
    if holdout.part == "train":
        ctx.log("no held-out split: these metrics are measured on the training rows and are optimistic")
    return {"metrics": Metrics(holdout_metrics(model, holdout))}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    model = inputs.get("model")
    data = inputs.get("data")
    held_out = isinstance(model, ModelShape) and model.split
    if isinstance(data, TableShape):
        held_out = data.split
    if isinstance(model, ModelShape) and (model.features is not None or data is not None) and not held_out:
        ctx.warn(
            "no_holdout",
            "evaluation without a held-out split measures the model on its own training rows; "
            "add a train_test_split before the model",
        )
    return {"metrics": MetricsShape(held_out=held_out)}


def code(params: Params, names: Names) -> Snippet:
    """The same metric functions as Flowza, on the model's holdout predictions (or the given data)."""
    from flowza.codegen.evaluation import evaluation_snippet

    return evaluation_snippet(names)

"""xgboost: gradient-boosted trees (XGBoost, CPU), for classification or regression."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.schema import Shape
from flowza.nodes.train.common import TaskParam, fit_model, infer_model
from flowza.nodes.types import DATA, MODEL, Dataset, Task


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: TaskParam = Field(default="auto", description="auto: classification for text/few-valued targets")
    n_estimators: int = Field(default=100, ge=1, le=10000, description="Number of boosting rounds")
    max_depth: int = Field(default=6, ge=1, le=64, description="Deepest a tree may grow")
    learning_rate: float = Field(default=0.3, gt=0.0, le=1.0, description="Shrinkage of each tree's contribution")
    seed: int = Field(default=42, ge=0, le=2**31 - 1, description="Random seed")
    target: str | None = Field(
        default=None, description="Only needed with no split upstream", json_schema_extra={"ui:widget": "column"}
    )


def make_estimator(params: Params, task: Task) -> Any:
    import xgboost  # imported here: loading it costs time that other workflows should not pay

    cls = xgboost.XGBClassifier if task == "classification" else xgboost.XGBRegressor
    return cls(
        n_estimators=params.n_estimators,
        max_depth=params.max_depth,
        learning_rate=params.learning_rate,
        random_state=params.seed,
        tree_method="hist",
    )


@node(
    type="xgboost",
    title="XGBoost",
    category="Train",
    description="Gradient-boosted decision trees: often the most accurate model on tabular data.",
    inputs={"data": DATA},
    outputs={"model": MODEL},
)
def xgboost_node(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    model = fit_model(
        ctx,
        data,
        param_target=params.target,
        task=params.task,
        algorithm="xgboost",
        make_estimator=lambda task: make_estimator(params, task),
        allow_missing=True,
        encode_labels=True,
    )
    return {"model": model}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    return infer_model(params.target, params.task, inputs, ctx, allow_missing=True)

"""xgboost: gradient-boosted trees (XGBoost, CPU), for classification or regression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.schema import Shape
from flowza.nodes.train.common import TaskParam, fit_model, infer_model
from flowza.nodes.train.stoppable import boost
from flowza.nodes.types import DATA, MODEL, Dataset, Task

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
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
        fit=boost,
    )
    return {"model": model}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    return infer_model(params.target, params.task, inputs, ctx, allow_missing=True)


def code(params: Params, names: Names) -> Snippet:
    """XGBClassifier (on class indexes) or XGBRegressor with the node's params."""
    from flowza.codegen.model import Estimator, training_snippet
    from flowza.codegen.snippet import lit

    kwargs = (
        f"n_estimators={lit(params.n_estimators)}, max_depth={lit(params.max_depth)}, "
        f'learning_rate={lit(params.learning_rate)}, random_state={lit(params.seed)}, tree_method="hist"'
    )

    def estimator(task: str) -> Estimator:
        return Estimator("xgboost", "XGBClassifier" if task == "classification" else "XGBRegressor", kwargs)

    return training_snippet(
        names,
        param_target=params.target,
        task=params.task,
        estimator=estimator,
        encode_labels=True,
        title=f"XGBoost ({params.n_estimators} boosted trees)",
    )

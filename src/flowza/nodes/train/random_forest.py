"""random_forest: an ensemble of decision trees, for classification or regression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.schema import Shape
from flowza.nodes.train.common import TaskParam, fit_model, infer_model
from flowza.nodes.train.stoppable import grow_forest
from flowza.nodes.types import DATA, MODEL, Dataset, Task

if TYPE_CHECKING:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    task: TaskParam = Field(default="auto", description="auto: classification for text/few-valued targets")
    n_estimators: int = Field(default=100, ge=1, le=5000, description="Number of trees")
    max_depth: int | None = Field(default=None, ge=1, le=1000, description="Deepest a tree may grow; empty = no limit")
    seed: int = Field(default=42, ge=0, le=2**32 - 1, description="Random seed")
    target: str | None = Field(
        default=None, description="Only needed with no split upstream", json_schema_extra={"ui:widget": "column"}
    )


def make_estimator(params: Params, task: Task) -> RandomForestClassifier | RandomForestRegressor:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    # n_jobs=1: a forest predicting on several threads adds its trees' votes in whatever order the threads
    # finish, so probabilities (and the ties ROC AUC depends on) change in the last bit from call to call;
    # one thread makes the run, its exported script and its model files give identical numbers
    return cls(n_estimators=params.n_estimators, max_depth=params.max_depth, random_state=params.seed, n_jobs=1)


@node(
    type="random_forest",
    title="Random forest",
    category="Train",
    description="Many decision trees voting together; strong on tabular data with little tuning.",
    inputs={"data": DATA},
    outputs={"model": MODEL},
)
def random_forest(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    model = fit_model(
        ctx,
        data,
        param_target=params.target,
        task=params.task,
        algorithm="random_forest",
        make_estimator=lambda task: make_estimator(params, task),
        allow_missing=True,
        fit=grow_forest,
    )
    return {"model": model}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    return infer_model(params.target, params.task, inputs, ctx, allow_missing=True)


def code(params: Params, names: Names) -> Snippet:
    """RandomForestClassifier or RandomForestRegressor with the node's params."""
    from flowza.codegen.model import Estimator, training_snippet
    from flowza.codegen.snippet import lit

    kwargs = (
        f"n_estimators={lit(params.n_estimators)}, max_depth={lit(params.max_depth)}, "
        f"random_state={lit(params.seed)}, n_jobs=1"
    )

    def estimator(task: str) -> Estimator:
        cls = "RandomForestClassifier" if task == "classification" else "RandomForestRegressor"
        return Estimator("sklearn.ensemble", cls, kwargs)

    return training_snippet(
        names,
        param_target=params.target,
        task=params.task,
        estimator=estimator,
        title=f"a random forest of {params.n_estimators} trees",
    )

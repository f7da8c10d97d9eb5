"""linear_regression: ordinary least squares for a numeric target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.schema import Shape
from flowza.nodes.train.common import fit_model, infer_model
from flowza.nodes.types import DATA, MODEL, Dataset, Task

if TYPE_CHECKING:
    from sklearn.linear_model import LinearRegression

    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    target: str | None = Field(
        default=None, description="Only needed with no split upstream", json_schema_extra={"ui:widget": "column"}
    )


def make_estimator() -> LinearRegression:
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


@node(
    type="linear_regression",
    title="Linear regression",
    category="Train",
    description="Predict a number as a weighted sum of the features (ordinary least squares).",
    inputs={"data": DATA},
    outputs={"model": MODEL},
)
def linear_regression(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    def estimator(task: Task) -> LinearRegression:
        return make_estimator()

    model = fit_model(
        ctx,
        data,
        param_target=params.target,
        task="regression",
        algorithm="linear_regression",
        make_estimator=estimator,
        allow_missing=False,
    )
    return {"model": model}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    return infer_model(params.target, "regression", inputs, ctx, allow_missing=False, regression_only=True)


def code(params: Params, names: Names) -> Snippet:
    """LinearRegression, fitted like `fit_model` fits it."""
    from flowza.codegen.model import Estimator, training_snippet

    return training_snippet(
        names,
        param_target=params.target,
        task="regression",
        estimator=lambda task: Estimator("sklearn.linear_model", "LinearRegression", ""),
        title="a linear regression",
    )

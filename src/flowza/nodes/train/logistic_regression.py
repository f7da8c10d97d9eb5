"""logistic_regression: a linear classifier."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.schema import Shape
from flowza.nodes.train.common import fit_model, infer_model
from flowza.nodes.types import DATA, MODEL, Dataset, Task

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    C: float = Field(default=1.0, gt=0.0, le=1e9, description="Inverse regularisation strength: smaller is simpler")
    max_iter: int = Field(default=1000, ge=1, le=1_000_000, description="Most solver iterations")
    class_weight: Literal["balanced"] | None = Field(default=None, description="'balanced' reweights rare classes")
    target: str | None = Field(
        default=None, description="Only needed with no split upstream", json_schema_extra={"ui:widget": "column"}
    )


def make_estimator(params: Params) -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=params.C, max_iter=params.max_iter, class_weight=params.class_weight)


@node(
    type="logistic_regression",
    title="Logistic regression",
    category="Train",
    description="A fast, interpretable linear classifier; scale numeric columns first for best results.",
    inputs={"data": DATA},
    outputs={"model": MODEL},
)
def logistic_regression(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    def estimator(task: Task) -> LogisticRegression:
        if task != "classification":
            raise NodeError(
                "logistic regression is a classifier but the target looks continuous; use linear_regression"
            )
        return make_estimator(params)

    model = fit_model(
        ctx,
        data,
        param_target=params.target,
        task="classification",
        algorithm="logistic_regression",
        make_estimator=estimator,
        allow_missing=False,
    )
    return {"model": model}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    return infer_model(params.target, "classification", inputs, ctx, allow_missing=False, classification_only=True)


def code(params: Params, names: Names) -> Snippet:
    """LogisticRegression with the node's params, fitted like `fit_model` fits it."""
    from flowza.codegen.model import Estimator, training_snippet
    from flowza.codegen.snippet import lit

    kwargs = f"C={lit(params.C)}, max_iter={lit(params.max_iter)}, class_weight={lit(params.class_weight)}"
    return training_snippet(
        names,
        param_target=params.target,
        task="classification",
        estimator=lambda task: Estimator("sklearn.linear_model", "LogisticRegression", kwargs),
        title="a logistic regression",
    )

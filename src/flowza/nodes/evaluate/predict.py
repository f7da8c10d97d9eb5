"""predict: add the model's predictions (and the positive-class probability) to a table."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.evaluate.scoring import score
from flowza.nodes.schema import ColumnInfo, ModelShape, Shape, TableShape
from flowza.nodes.types import DATA, MODEL, Dataset, TrainedModel

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


@node(
    type="predict",
    title="Predict",
    category="Evaluate",
    description="Score a table with a trained model: adds a 'prediction' column (and 'probability' for "
    "two-class models).",
    inputs={"model": MODEL, "data": DATA},
    outputs={"data": DATA},
)
def predict(ctx: Context, params: Params, model: TrainedModel, data: Dataset) -> dict[str, Any]:
    y_pred, y_score = score(model, data, data.frame)
    frame = data.frame.copy(deep=False)
    frame["prediction"] = y_pred
    if y_score is not None and model.classes is not None and len(model.classes) == 2:
        positive = sorted(model.classes)[-1]
        index = model.classes.index(positive)
        frame["probability"] = y_score[:, index]
    return {"data": replace(data, frame=frame)}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    data = inputs.get("data")
    model = inputs.get("model")
    if not isinstance(data, TableShape):
        return {"data": data}
    columns = dict(data.columns)
    columns["prediction"] = ColumnInfo(
        "numeric" if isinstance(model, ModelShape) and model.task == "regression" else "text", "prediction"
    )
    if isinstance(model, ModelShape) and model.task == "classification":
        columns["probability"] = ColumnInfo("numeric", "probability")
    return {"data": data.replace(columns=columns)}


def code(params: Params, names: Names) -> Snippet:
    """Score the table like Flowza's `score`: a 'prediction' column, and 'probability' for two classes."""
    from flowza.codegen.helpers import SCORE, score_call
    from flowza.codegen.snippet import NP, DataRef, Snippet

    model, data = names.model(), names.data()
    out, pred, proba, positive = names.var("data"), names.var("prediction"), names.var("proba"), names.var("positive")
    lines = [
        f"{pred}, {proba} = {score_call(data.frame, data.steps, model)}",
        f"{out} = {data.frame}.copy(deep=False)",
        f'{out}["prediction"] = {pred}',
        f"if {proba} is not None and {model.classes} is not None and len({model.classes}) == 2:",
        f"    {positive} = sorted({model.classes})[-1]",
        f'    {out}["probability"] = {proba}[:, {model.classes}.index({positive})]',
    ]
    return Snippet(
        code="\n".join(lines),
        imports=(NP,),
        helpers=(SCORE,),
        outputs={"data": DataRef(out, data.steps, data.target, data.train_rows, data.test_rows)},
        preview=f"{out}.head()",
        explanation="Adds the model's predictions as a 'prediction' column (and 'probability' for two classes).",
    )

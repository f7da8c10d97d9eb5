"""predict: add the model's predictions (and the positive-class probability) to a table."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.evaluate.scoring import score
from flowza.nodes.schema import ColumnInfo, ModelShape, Shape, TableShape
from flowza.nodes.types import DATA, MODEL, Dataset, TrainedModel


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


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

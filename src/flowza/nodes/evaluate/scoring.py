"""Scoring a table with a trained model: through the estimator or the whole pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowza.nodes.base import NodeError
from flowza.nodes.common import missing_columns_message
from flowza.nodes.types import Dataset, TrainedModel

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def score(model: TrainedModel, data: Dataset, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions (original labels) and class probabilities for the rows of `frame`.

    Data that went through the same fitted steps as the model goes to the estimator;
    raw data (no steps) goes through the whole pipeline, exactly like an exported model.
    """
    import numpy as np

    step_names = tuple(s.name for s in data.steps)
    if step_names == model.step_names:
        scorer: Any = model.pipeline.steps[-1][1]
        columns = model.feature_names
    elif not step_names:
        scorer = model.pipeline
        columns = model.input_columns
    else:
        raise NodeError(
            "this data went through different preprocessing steps than the model's; connect the raw data "
            "(straight from load_csv) or the data the model was trained on"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise NodeError(missing_columns_message(missing, [str(c) for c in frame.columns]))
    X = frame[columns]
    try:
        raw = np.asarray(scorer.predict(X))
        proba = np.asarray(scorer.predict_proba(X)) if model.task == "classification" else None
    except ValueError as exc:
        raise NodeError(f"the model cannot score this data: {exc}") from exc
    return model.decode(raw), proba

"""Values that flow along edges, and the port types that name them.

DATA carries a table (`Dataset`); after `train_test_split` it also carries the partition,
the target column and the preprocessing steps fitted so far (DESIGN.md section 5).
MODEL carries one fitted scikit-learn `Pipeline` plus what evaluation needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


DATA = "data"
MODEL = "model"
METRICS = "metrics"
FILE = "file"
PORT_TYPES = (DATA, MODEL, METRICS, FILE)

Task = Literal["classification", "regression"]


@dataclass(frozen=True)
class FittedStep:
    """A fitted preprocessing transformer that maps a feature frame to a feature frame."""

    name: str
    transformer: Any
    input_kinds: dict[str, str] = field(default_factory=dict)  # kind of each column it reads


@dataclass(frozen=True)
class Dataset:
    frame: pd.DataFrame
    target: str | None = None
    # Row positions of the train and test parts, in the order scikit-learn's
    # train_test_split returns them (order matters for bit-identical models); None until split.
    train_rows: np.ndarray | None = None
    test_rows: np.ndarray | None = None
    steps: tuple[FittedStep, ...] = ()
    source: str | None = None  # dataset file name, for messages
    # (weak reference to the parent frame, kept row positions) when this frame is a row subset
    # of its input's: lets the cache store positions instead of a copy of the table.
    kept_rows: tuple[Any, np.ndarray] | None = field(default=None, compare=False, repr=False)
    # (weak reference to the input frame, index of the step in `steps`, target column or None) when
    # this frame is that fitted step's transform of its input's features (plus the target): lets
    # the cache keep the fitted step instead of a copy of the table, and rebuild it when read.
    derived_from: tuple[Any, int, str | None] | None = field(default=None, compare=False, repr=False)

    @property
    def is_split(self) -> bool:
        return self.train_rows is not None

    def part(self, which: Literal["train", "test", "all"]) -> pd.DataFrame:
        if which == "all" or self.train_rows is None or self.test_rows is None:
            return self.frame
        rows = self.train_rows if which == "train" else self.test_rows
        return self.frame.iloc[rows]


@dataclass(frozen=True)
class Holdout:
    """Predictions of a trained model on the rows it was evaluated on."""

    y_true: pd.Series
    y_pred: np.ndarray
    y_score: np.ndarray | None  # class probabilities, columns in `classes` order
    part: Literal["test", "train"]


@dataclass(frozen=True)
class TrainedModel:
    pipeline: Any  # sklearn.pipeline.Pipeline: fitted steps + estimator
    task: Task
    target: str
    algorithm: str
    input_columns: list[str]  # raw columns the pipeline expects
    feature_names: list[str]  # columns reaching the estimator
    classes: list[Any] | None  # original class labels, in estimator order
    label_encoded: bool  # True when the estimator predicts indexes into `classes`
    step_names: tuple[str, ...]
    holdout: Holdout | None
    train_rows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def decode(self, predictions: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.label_encoded and self.classes is not None:
            return np.asarray(self.classes)[predictions.astype(int)]
        return predictions


@dataclass(frozen=True)
class Metrics:
    values: dict[str, Any]


@dataclass(frozen=True)
class ExportedFile:
    path: str
    format: str
    size: int

"""train_test_split: name the target and hold out a test part (scikit-learn's split, rows in order)."""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.common import infer_task, infer_task_from_kind, missing_columns_message
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    target: str = Field(
        default="", max_length=255, description="The column to predict", json_schema_extra={"ui:widget": "column"}
    )
    test_size: float = Field(default=0.2, gt=0.0, lt=1.0, description="Share of rows held out for testing")
    stratify: bool = Field(
        default=True, description="Keep class proportions in both parts (ignored for a continuous target)"
    )
    seed: int = Field(default=42, ge=0, le=2**32 - 1, description="Random seed of the shuffle")


def should_stratify(params: Params, y: Any) -> bool:
    return params.stratify and infer_task(y) == "classification"


@node(
    type="train_test_split",
    title="Train/test split",
    category="Split",
    description="Choose the target column and hold out a test part; later steps learn from the train part only.",
    inputs={"data": DATA},
    outputs={"data": DATA},
)
def train_test_split(ctx: Context, params: Params, data: Dataset) -> dict[str, Any]:
    import numpy as np
    from sklearn.model_selection import train_test_split as sk_train_test_split

    frame = data.frame
    if not params.target:
        raise NodeError("choose the target column to predict", "target")
    if params.target not in frame.columns:
        raise NodeError(missing_columns_message([params.target], [str(c) for c in frame.columns]), "target")
    if data.is_split:
        raise NodeError("the data is already split; use one train_test_split per branch")
    y = frame[params.target]
    missing = int(y.isna().sum())
    if missing:
        raise NodeError(
            f"target {params.target!r} has {missing} missing values; add a drop_nulls step on it first", "target"
        )
    stratify = should_stratify(params, y)
    if stratify:
        counts = y.value_counts()
        rare = counts[counts < 2]
        if len(rare):
            raise NodeError(
                f"class {rare.index[0]!r} of {params.target!r} has only {int(rare.iloc[0])} row; a stratified split "
                "needs at least 2 per class (set stratify to false or drop those rows)",
                "stratify",
            )
    positions = np.arange(len(frame))
    try:
        train_rows, test_rows = sk_train_test_split(
            positions, test_size=params.test_size, random_state=params.seed, stratify=y if stratify else None
        )
    except ValueError as exc:
        raise NodeError(f"cannot split: {exc}", "test_size") from exc
    ctx.log(f"{len(train_rows)} train rows, {len(test_rows)} test rows" + (" (stratified)" if stratify else ""))
    # The output lists the train rows first, then the test rows, each in the order scikit-learn
    # returned them: later steps then fit on a slice (no copy) and fit_transform the train part
    # once, exactly like a hand-written script does with X_train and X_test.
    order = np.concatenate([train_rows, test_rows])
    arranged = frame.iloc[order]
    n_train = len(train_rows)
    return {
        "data": replace(
            data,
            frame=arranged,
            target=params.target,
            train_rows=np.arange(n_train),
            test_rows=np.arange(n_train, len(order)),
            kept_rows=(weakref.ref(frame), order),
            derived_from=None,
        )
    }


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    if not params.target:
        raise NodeError("choose the target column to predict", "target")
    shape = inputs.get("data")
    if not isinstance(shape, TableShape):
        return {"data": shape}
    if shape.split:
        raise NodeError("the data is already split; use one train_test_split per branch")
    if shape.exact and params.target not in shape.columns:
        raise NodeError(missing_columns_message([params.target], list(shape.columns)), "target")
    info = shape.columns.get(params.target)
    if info is not None and shape.sample is not None and info.origin in shape.sample.columns:
        task = infer_task_from_kind(info.kind, info.distinct, shape.sample[info.origin])
        if params.stratify and task == "classification" and shape.sample_is_whole_file:
            counts = shape.sample[info.origin].value_counts()
            rare = counts[counts < 2]
            if len(rare):
                raise NodeError(
                    f"class {rare.index[0]!r} of {params.target!r} has only 1 row; a stratified split needs 2 "
                    "per class (set stratify to false or drop those rows)",
                    "stratify",
                )
    return {"data": shape.replace(target=params.target, split=True)}


def code(params: Params, names: Names) -> Snippet:
    """scikit-learn's train_test_split over the row positions in file order, as Flowza calls it."""
    from flowza.codegen.helpers import INFER_TASK
    from flowza.codegen.snippet import NP, DataRef, Import, Snippet, lit

    data = names.data()
    y, train, test = names.var("y"), names.var("train_rows"), names.var("test_rows")
    stratify = f'{y} if infer_task({y}) == "classification" else None' if params.stratify else "None"
    code_lines = [
        f"{y} = {data.frame}[{lit(params.target)}]",
        f"{train}, {test} = train_test_split(",
        f"    np.arange(len({data.frame})),",
        f"    test_size={lit(params.test_size)},",
        f"    random_state={lit(params.seed)},",
        f"    stratify={stratify},",
        ")",
        f'print(f"{{len({train})}} train rows, {{len({test})}} test rows")',
    ]
    share = f"{params.test_size:.0%}"
    return Snippet(
        code="\n".join(code_lines),
        imports=(NP, Import("sklearn.model_selection", "train_test_split")),
        helpers=(INFER_TASK,) if params.stratify else (),
        outputs={"data": DataRef(data.frame, data.steps, params.target, train, test)},
        preview=f"{data.frame}.iloc[{train}].head()",
        explanation=(
            f"Holds out {share} of the rows for testing (seed {params.seed}"
            f"{', keeping class proportions' if params.stratify else ''}); the target is {params.target!r}."
        ),
    )

"""ML lint: warnings about leakage and suspicious features; a run is still allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowza.engine.graph import Graph
from flowza.engine.issues import Report
from flowza.nodes.schema import ModelShape, Shape, TableShape

if TYPE_CHECKING:
    import pandas as pd

SPLIT_TYPE = "train_test_split"
MIN_ROWS_FOR_ID_CHECK = 20


def lint(graph: Graph, shapes: dict[str, dict[str, Shape | None]], report: Report) -> None:
    _leakage_before_split(graph, report)
    for node_id in graph.order:
        for shape in shapes.get(node_id, {}).values():
            if isinstance(shape, ModelShape) and isinstance(shape.features, TableShape) and shape.target:
                _suspicious_features(node_id, shape.features, shape.target, report)


def _leakage_before_split(graph: Graph, report: Report) -> None:
    splits = {n for n, d in graph.defs.items() if d.type == SPLIT_TYPE}
    if not splits:
        return
    after_split = graph.with_ancestor_in(splits)
    before_split = graph.with_descendant_in(splits)
    for node_id, definition in graph.defs.items():
        if not definition.stateful:
            continue
        if node_id in after_split:
            continue
        if node_id in before_split:
            report.warn(
                "leakage_before_split",
                f"{definition.title.lower()} is fitted before the train/test split, so it learns from the test "
                "rows too (leakage); move it after train_test_split",
                node_id,
            )


def _suspicious_features(node_id: str, table: TableShape, target: str, report: Report) -> None:
    sample = table.sample
    target_info = table.columns.get(target)
    if sample is None or target_info is None or target_info.origin not in sample.columns:
        return
    y = sample[target_info.origin]
    origins = list(dict.fromkeys(info.origin for name, info in table.columns.items() if name != target))
    for origin in origins:
        if origin not in sample.columns or origin == target_info.origin:
            continue
        x = sample[origin]
        if _is_identifier(x):
            report.warn(
                "identifier_feature",
                f"column {origin!r} has a different value on every row (an identifier); as a feature it "
                "cannot generalise - drop it",
                node_id,
            )
        elif _leaks_target(x, y):
            report.warn(
                "target_leak",
                f"column {origin!r} is identical to or derived from the target {target!r}: it gives the answer "
                "away - drop it",
                node_id,
            )


def _is_identifier(x: pd.Series) -> bool:
    import numpy as np
    import pandas as pd

    values = x.dropna()
    if len(values) < MIN_ROWS_FOR_ID_CHECK or len(values) < len(x):
        return False
    if pd.api.types.is_float_dtype(values) and not bool(np.all(np.mod(values.to_numpy(), 1) == 0)):
        return False
    return bool(values.nunique() == len(values))


def _leaks_target(x: pd.Series, y: pd.Series) -> bool:
    import numpy as np
    import pandas as pd

    pairs = pd.DataFrame({"x": x, "y": y}).dropna()
    if len(pairs) < 10:
        return False
    distinct = pairs["x"].nunique()
    if distinct < 2:
        return False
    if pairs["y"].nunique() < 2:  # a sample where the target never varies (a sorted file) proves nothing
        return False
    if distinct < len(pairs) * 0.5 and bool((pairs.groupby("x", sort=False)["y"].nunique() == 1).all()):
        return True
    if pd.api.types.is_numeric_dtype(pairs["x"]) and pd.api.types.is_numeric_dtype(pairs["y"]):
        xs = pairs["x"].to_numpy(dtype=float)
        ys = pairs["y"].to_numpy(dtype=float)
        if xs.std() > 0 and ys.std() > 0 and abs(float(np.corrcoef(xs, ys)[0, 1])) > 0.999:
            return True
    return False

"""Writing node outputs to a cache entry directory and reading them back.

Tables are Parquet, fitted transformers and models are skops (loaded with Flowza's
allowlist), metrics are JSON. A table that is the very same frame as an upstream output is
stored by reference to the upstream entry for the columns it did not change (see frames.py);
the output of a fitted step by reference to its parent table and the stored step.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowza.engine.frames import FrameLoader, Parent, read_parquet, read_table, write_parquet, write_table
from flowza.nodes.export.model_files import load_skops, save_skops
from flowza.nodes.types import Dataset, ExportedFile, FittedStep, Holdout, Metrics, TrainedModel

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, default=_json_default, allow_nan=True))


def write_value(value: Any, directory: Path, port: str, parents: list[Parent]) -> dict[str, Any]:
    """Write one output value; tables reuse what their `parents` (upstream tables) already store."""
    import pandas as pd

    prefix = directory / port
    if isinstance(value, Dataset):
        meta: dict[str, Any] = {"kind": "dataset", "target": value.target, "source": value.source}
        meta["table"] = write_table(value.frame, prefix, parents, value.kept_rows, value.derived_from)
        if value.train_rows is not None and value.test_rows is not None:
            meta["split"] = _write_split(value.train_rows, value.test_rows, prefix)
        steps = [{"name": s.name, "transformer": s.transformer, "input_kinds": s.input_kinds} for s in value.steps]
        if steps:
            save_skops(steps, prefix.with_suffix(".steps.skops"))
        meta["steps"] = len(steps)
        return meta
    if isinstance(value, TrainedModel):
        save_skops(value.pipeline, prefix.with_suffix(".skops"))
        meta = {
            "kind": "model",
            "task": value.task,
            "target": value.target,
            "algorithm": value.algorithm,
            "input_columns": value.input_columns,
            "feature_names": value.feature_names,
            "classes": value.classes,
            "label_encoded": value.label_encoded,
            "step_names": list(value.step_names),
            "train_rows": value.train_rows,
            "extra": value.extra,
        }
        if value.holdout is not None:
            holdout = pd.DataFrame({"y_true": value.holdout.y_true.reset_index(drop=True)})
            holdout["y_pred"] = value.holdout.y_pred
            if value.holdout.y_score is not None:
                for i in range(value.holdout.y_score.shape[1]):
                    holdout[f"score_{i}"] = value.holdout.y_score[:, i]
            write_parquet(holdout, prefix.with_suffix(".holdout.parquet"))
            meta["holdout_part"] = value.holdout.part
            meta["holdout_scores"] = value.holdout.y_score is not None
        return meta
    if isinstance(value, Metrics):
        write_json(prefix.with_suffix(".metrics.json"), value.values)
        return {"kind": "metrics"}
    if isinstance(value, ExportedFile):
        source = Path(value.path)
        destination = directory / f"{port}.{source.name}"
        if source.resolve() != destination.resolve():
            shutil.copyfile(source, destination)
            sidecar = source.with_suffix(".json")  # the model card beside a model file
            if sidecar.is_file():
                shutil.copyfile(sidecar, destination.with_suffix(".json"))
        return {"kind": "file", "name": source.name, "format": value.format}
    raise TypeError(f"cannot store a {type(value).__name__} output")


def _write_split(train: np.ndarray, test: np.ndarray, prefix: Path) -> dict[str, list[int]] | bool:
    """The train/test row positions: as two ranges when each is one (after train_test_split), else a file."""
    import numpy as np

    def as_range(rows: np.ndarray) -> list[int] | None:
        if len(rows) and rows[0] + len(rows) - 1 == rows[-1] and np.array_equal(rows, np.arange(rows[0], rows[-1] + 1)):
            return [int(rows[0]), int(rows[-1]) + 1]
        return None

    train_range, test_range = as_range(train), as_range(test)
    if train_range is not None and test_range is not None:
        return {"train": train_range, "test": test_range}
    np.savez(prefix.with_suffix(".rows.npz"), train=train, test=test)
    return True


def _read_split(meta: dict[str, Any], prefix: Path) -> tuple[np.ndarray | None, np.ndarray | None]:
    import numpy as np

    split = meta.get("split")
    if isinstance(split, dict):
        return np.arange(*split["train"]), np.arange(*split["test"])
    if split:
        with np.load(prefix.with_suffix(".rows.npz")) as rows:
            return rows["train"], rows["test"]
    return None, None


def load_frame(
    meta: dict[str, Any],
    directory: Path,
    port: str,
    columns: list[str] | None,
    load_parent: FrameLoader,
    rows: np.ndarray | None = None,
    steps: tuple[FittedStep, ...] | None = None,
) -> pd.DataFrame:
    table = meta["table"]
    if "derived" not in table:
        return read_table(table, directory / port, columns, load_parent, rows)
    if steps is None:
        steps = _read_steps(directory / port)
    return _derived_frame(table, columns, load_parent, rows, steps[table["derived"]["step"]].transformer)


def _derived_frame(
    table: dict[str, Any], columns: list[str] | None, load_parent: FrameLoader, rows: np.ndarray | None, step: Any
) -> pd.DataFrame:
    """A fitted step's output rebuilt: the step applied to its parent table's features, the target kept."""
    derived = table["derived"]
    key, port = derived["parent"]
    features: list[str] = derived["features"]
    target: str | None = derived["target"]
    wanted: list[str] = table["columns"] if columns is None else columns
    if target is not None and wanted == [target]:
        return load_parent(key, port, [target], rows).reset_index(drop=True)
    source = load_parent(key, port, features + ([target] if target is not None else []), rows)
    source = source.reset_index(drop=True)
    frame = step.transform(source[features] if target is not None else source)
    frame.index = source.index
    if target is not None:
        frame = frame.copy(deep=False)
        frame[target] = source[target]
    return frame if list(frame.columns) == wanted else frame[wanted]


def _read_steps(prefix: Path) -> tuple[FittedStep, ...]:
    loaded = load_skops(prefix.with_suffix(".steps.skops"))
    return tuple(FittedStep(s["name"], s["transformer"], dict(s["input_kinds"])) for s in loaded)


def read_value(meta: dict[str, Any], directory: Path, port: str, load_parent: FrameLoader) -> Any:
    prefix = directory / port
    kind = meta["kind"]
    if kind == "dataset":
        steps = _read_steps(prefix) if meta.get("steps") else ()
        frame = load_frame(meta, directory, port, None, load_parent, steps=steps)
        train_rows, test_rows = _read_split(meta, prefix)
        return Dataset(frame, meta.get("target"), train_rows, test_rows, steps, meta.get("source"))
    if kind == "model":
        pipeline = load_skops(prefix.with_suffix(".skops"))
        holdout = None
        if "holdout_part" in meta:
            table = read_parquet(prefix.with_suffix(".holdout.parquet"))
            scores = None
            if meta.get("holdout_scores"):
                score_cols = [c for c in table.columns if str(c).startswith("score_")]
                scores = table[score_cols].to_numpy()
            holdout = Holdout(table["y_true"], table["y_pred"].to_numpy(), scores, meta["holdout_part"])
        return TrainedModel(
            pipeline=pipeline,
            task=meta["task"],
            target=meta["target"],
            algorithm=meta["algorithm"],
            input_columns=meta["input_columns"],
            feature_names=meta["feature_names"],
            classes=meta["classes"],
            label_encoded=meta["label_encoded"],
            step_names=tuple(meta["step_names"]),
            holdout=holdout,
            train_rows=meta.get("train_rows", 0),
            extra=meta.get("extra", {}),
        )
    if kind == "metrics":
        return Metrics(json.loads(prefix.with_suffix(".metrics.json").read_text()))
    if kind == "file":
        path = directory / f"{port}.{meta['name']}"
        return ExportedFile(path=str(path), format=meta["format"], size=path.stat().st_size)
    raise ValueError(f"unknown cached output kind {kind!r}")

"""Node outputs of a run, read back from the engine's cache: previews and downloadable files."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from flowza.datasets.csvsafe import to_safe_csv
from flowza.datasets.parquet import write_parquet
from flowza.datasets.preview import frame_page
from flowza.engine.cache import Cache
from flowza.jsonsafe import jsonable
from flowza.nodes.export.model_files import model_card
from flowza.nodes.types import Dataset, ExportedFile, Metrics, TrainedModel

Part = Literal["all", "train", "test"]


class OutputMissing(LookupError):
    """The cache no longer holds the output (cleared or never written)."""


class OutputUnreadable(RuntimeError):
    """The cache entry exists but the engine could not read it back."""


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    path: Path | None = None
    content: bytes | None = None


def _open(cache_root: Path, cache_key: str) -> Cache:
    cache = Cache(cache_root)
    if not cache.has(cache_key):
        cache.close()
        raise OutputMissing("this output is no longer in the cache; run the workflow again")
    return cache


def load_outputs(cache_root: Path, cache_key: str) -> dict[str, Any]:
    cache = _open(cache_root, cache_key)
    try:
        return cache.load(cache_key)
    except Exception as exc:  # a damaged or refused entry: say which, never a bare 500
        raise OutputUnreadable(f"the cached output could not be read: {exc}") from exc
    finally:
        cache.close()


def describe(value: Any, port: str, offset: int, limit: int, part: Part) -> dict[str, Any]:
    """The JSON preview of one output value."""
    if isinstance(value, Dataset):
        frame = value.part(part) if value.is_split else value.frame
        document = {"kind": "table", **frame_page(frame, offset, limit)}
        document.update(
            target=value.target,
            part=part if value.is_split else "all",
            split={"train_rows": len(value.train_rows), "test_rows": len(value.test_rows)}
            if value.train_rows is not None and value.test_rows is not None
            else None,
            steps=[step.name for step in value.steps],
        )
        return document
    if isinstance(value, Metrics):
        return {"kind": "metrics", "metrics": jsonable(value.values)}
    if isinstance(value, TrainedModel):
        summary = model_card(value)
        summary.update(
            feature_names=value.feature_names,
            steps=list(value.step_names),
            train_rows=value.train_rows,
            holdout=value.holdout.part if value.holdout is not None else None,
            pipeline=[f"{name}: {type(step).__name__}" for name, step in value.pipeline.steps],
        )
        return {"kind": "model", "model": jsonable(summary)}
    if isinstance(value, ExportedFile):
        return {
            "kind": "file",
            "file": {
                "name": Path(value.path).name.removeprefix(f"{port}."),
                "format": value.format,
                "size": value.size,
            },
        }
    return {"kind": "unknown", "type": type(value).__name__}


def download(
    cache_root: Path, cache_key: str, port: str, base_name: str, fmt: str | None, file_name: str | None = None
) -> Download:
    """A file for one output: table as CSV or Parquet, the model as skops, an exported file as is.

    Models and exported files are served straight from the cache entry, without loading them.
    """
    cache = _open(cache_root, cache_key)
    try:
        meta = cache.manifest(cache_key)["outputs"].get(port)
        entry = cache.entry_dir(cache_key)
    finally:
        cache.close()
    if meta is None:
        raise OutputMissing(f"the cached output has no port {port!r}")
    kind = meta.get("kind")
    if kind == "model":
        if fmt not in (None, "skops"):
            raise ValueError(f"a model downloads as 'skops' (add an export_model node for joblib or ONNX), not {fmt!r}")
        return Download(f"{base_name}.skops", "application/octet-stream", path=entry / f"{port}.skops")
    if kind == "file":
        name = str(meta.get("name"))
        return Download(file_name or name, "application/octet-stream", path=entry / f"{port}.{name}")
    value = load_outputs(cache_root, cache_key)[port]
    if isinstance(value, Dataset):
        if fmt in (None, "csv"):
            return Download(f"{base_name}.csv", "text/csv", content=to_safe_csv(value.frame))
        if fmt == "parquet":
            buffer = io.BytesIO()
            write_parquet(value.frame, buffer)
            return Download(f"{base_name}.parquet", "application/vnd.apache.parquet", content=buffer.getvalue())
        raise ValueError(f"a table downloads as 'csv' or 'parquet', not {fmt!r}")
    if isinstance(value, Metrics):
        content = json.dumps(jsonable(value.values), indent=2).encode()
        return Download(f"{base_name}.json", "application/json", content=content)
    raise ValueError(f"output {port!r} cannot be downloaded")

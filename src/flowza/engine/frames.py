"""Storing tables in the cache without repeating what an upstream entry already holds.

A node's output table is written as: the columns it changed or added (Parquet), plus a
reference to its parent table (the `data` input's cache entry) for the columns it kept
unchanged, plus optionally the parent row positions it kept (e.g. after dropping rows). A
reader asks only for the columns and rows it needs, so a long chain never reads a column
twice and takes rows once, however many row subsets it went through. The output of a fitted
step (impute, encode, normalize, select) is not written at all: its entry refers to the parent
table and the stored fitted step, which a reader applies again (see serialize.load_frame).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PARQUET_COMPRESSION = "snappy"
# (entry key, port, columns or None for all, row positions or None for all) -> that table
FrameLoader = Callable[[str, str, "list[str] | None", "np.ndarray | None"], "pd.DataFrame"]


@dataclass(frozen=True)
class Parent:
    frame: pd.DataFrame
    key: str
    port: str


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # One thread: this runs on the cache writer's background thread, and pyarrow's per-column
    # thread pool would only add threads contending with the run for the GIL and the CPUs.
    table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
    # Dictionary encoding pays off for text; on numbers it is tried and abandoned, which made
    # writes about 3x slower in the engine benchmark.
    text = [str(f.name) for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    pq.write_table(table, path, compression=PARQUET_COMPRESSION, write_statistics=False, use_dictionary=text)


def read_parquet(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns).to_pandas()


def _same_column(a: pd.Series, b: pd.Series) -> bool:
    if a.dtype != b.dtype or len(a) != len(b):
        return False
    head = min(len(a), 64)  # a rescaled or re-encoded column differs at once: skip the full pass
    if not a.iloc[:head].reset_index(drop=True).equals(b.iloc[:head].reset_index(drop=True)):
        return False
    return bool(a.reset_index(drop=True).equals(b.reset_index(drop=True)))


def write_table(
    frame: pd.DataFrame,
    prefix: Path,
    parents: list[Parent],
    kept_rows: tuple[Any, np.ndarray] | None,
    derived_from: tuple[Any, int, str | None] | None = None,
) -> dict[str, Any]:
    """Write `frame`; return the manifest entry describing how to rebuild it."""
    import numpy as np

    columns = [str(c) for c in frame.columns]
    meta: dict[str, Any] = {"columns": columns}
    if derived_from is not None:
        source = next((p for p in parents if p.frame is derived_from[0]()), None)
        if source is not None:
            # A fitted step's output: re-applying the stored step to the parent table when someone
            # reads it costs less than writing and reading its columns (a one-hot transform of 1M
            # rows took 0.5 s; writing its 54 float columns to Parquet 2.9 s, reading them 2.7 s).
            _, step, target = derived_from
            meta["derived"] = {
                "parent": [source.key, source.port],
                "step": step,
                "target": target,
                "features": [str(c) for c in source.frame.columns if c != target],
            }
            return meta
    parent: Parent | None = None
    reused: list[str] = []
    if kept_rows is not None:
        parent = next((p for p in parents if p.frame is kept_rows[0]()), None)
        if parent is not None:
            np.save(prefix.with_suffix(".rows.npy"), kept_rows[1])
            meta["rows"] = True
            reused = [c for c in columns if c in parent.frame.columns]  # a row subset keeps every value
    if parent is None:
        for candidate in parents:
            if candidate.frame is frame:
                parent, reused = candidate, columns
                break
        else:
            same_length = [p for p in parents if len(p.frame) == len(frame)]
            if same_length:
                parent = same_length[0]
                reused = [c for c in columns if c in parent.frame.columns and _same_column(frame[c], parent.frame[c])]
    own = [c for c in columns if c not in reused]
    if parent is not None and reused:
        meta["parent"] = [parent.key, parent.port]
        meta["reused"] = reused
    else:
        meta.pop("rows", None)
        own = columns
    if own:
        write_parquet(frame[own], prefix.with_suffix(".parquet"))
    meta["own"] = own
    return meta


def read_table(
    meta: dict[str, Any],
    prefix: Path,
    columns: list[str] | None,
    load_parent: FrameLoader,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rebuild a stored table, reading only `columns` (all when None) at row positions `rows` (all when None).

    Row subsets compose: a table stored as rows of rows of a parent takes its rows from the
    parent's own columns once.
    """
    import numpy as np
    import pandas as pd

    wanted = meta["columns"] if columns is None else columns
    own = [c for c in wanted if c in set(meta.get("own", []))]
    from_parent = [c for c in wanted if c in set(meta.get("reused", []))]
    parts: list[pd.DataFrame] = []
    if own:
        table = read_parquet(prefix.with_suffix(".parquet"), own)
        parts.append(table if rows is None else table.iloc[rows].reset_index(drop=True))
    if from_parent:
        key, port = meta["parent"]
        parent_rows = rows
        if meta.get("rows"):
            kept = np.load(prefix.with_suffix(".rows.npy"))
            parent_rows = kept if rows is None else kept[rows]
        parts.append(load_parent(key, port, from_parent, parent_rows).reset_index(drop=True))
    if not parts:
        return pd.DataFrame(index=pd.RangeIndex(0 if rows is None else len(rows)))
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, axis=1)
    return frame[wanted] if list(frame.columns) != wanted else frame

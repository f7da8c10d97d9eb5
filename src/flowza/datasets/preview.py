"""A page of a table as JSON: its columns with dtypes and the rows as lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from flowza.jsonsafe import jsonable

MAX_PAGE = 1000


def frame_page(frame: pd.DataFrame, offset: int, limit: int, total_rows: int | None = None) -> dict[str, Any]:
    """`frame` holds the rows of the page already (or the whole table when total_rows is None)."""
    if total_rows is None:
        total_rows = len(frame)
        frame = frame.iloc[offset : offset + limit]
    rows = [[jsonable(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return {
        "columns": [{"name": str(c), "dtype": str(frame[c].dtype)} for c in frame.columns],
        "rows": rows,
        "offset": offset,
        "limit": limit,
        "total_rows": total_rows,
    }


def parquet_page(path: Path, offset: int, limit: int) -> dict[str, Any]:
    """Read only the row groups that hold rows offset..offset+limit."""
    parquet = pq.ParquetFile(path)
    total = parquet.metadata.num_rows
    groups, first_row, seen = [], None, 0
    for index in range(parquet.num_row_groups):
        count = parquet.metadata.row_group(index).num_rows
        if seen + count > offset and seen < offset + limit:
            groups.append(index)
            first_row = seen if first_row is None else first_row
        seen += count
    if groups:
        table = parquet.read_row_groups(groups)
        start = offset - (first_row or 0)
        frame = table.slice(start, limit).to_pandas()
    else:
        frame = parquet.schema_arrow.empty_table().to_pandas()
    return frame_page(frame, offset, limit, total)

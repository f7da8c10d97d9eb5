"""Writing a table as Parquet (the datasets' fast copy and table downloads)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 64 * 1024  # small groups let a preview read only the rows it shows


def write_parquet(frame: pd.DataFrame, target: Path | IO[bytes]) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, target, compression="zstd", row_group_size=ROW_GROUP_ROWS)

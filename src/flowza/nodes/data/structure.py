"""Checks on a parsed CSV that pandas does not make, exact and nearly free.

pandas fills a row with too few fields with missing values and keeps NUL bytes inside text,
without a word. Here: a NUL byte in any text cell, a cell or column name past FLOWZA_MAX_FIELD_KB,
more than FLOWZA_MAX_ROWS rows, and short rows are refused. A short row always leaves the last
column missing, so only a table whose last column has missing values is re-tokenized (with
pyarrow, converting a single column) to find out whether a row was short.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from flowza.nodes.base import NodeError
from flowza.nodes.limits import CsvLimits

if TYPE_CHECKING:
    import pandas as pd

SCAN_BLOCK_BYTES = 16 * 1024 * 1024  # pyarrow needs a whole row inside one block
_ARROW_RAGGED = re.compile(r"Row #(\d+): Expected (\d+) columns, got (\d+)")


class CsvTooLarge(NodeError):
    """A well-formed CSV past a shape limit (columns, rows, cell size)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "dataset")


def check_column_count(columns: int, limits: CsvLimits) -> None:
    if columns > limits.max_columns:
        raise CsvTooLarge(
            f"the CSV has {columns} columns; at most {limits.max_columns} are accepted (FLOWZA_MAX_COLUMNS)"
        )


def check_table(frame: pd.DataFrame, path: Path, separator: str, limits: CsvLimits) -> None:
    """NodeError when the file `frame` was parsed from is malformed or past a limit."""
    if len(frame) > limits.max_rows:
        raise CsvTooLarge(
            f"the CSV has {len(frame)} data rows; at most {limits.max_rows} are accepted (FLOWZA_MAX_ROWS)"
        )
    check_cells(frame, limits)
    if len(frame.columns) and frame.iloc[:, -1].isna().any():
        _check_row_lengths(path, separator, len(frame.columns))


def _check_row_lengths(path: Path, separator: str, columns: int) -> int:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(columns)]
    try:
        reader = pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=SCAN_BLOCK_BYTES, use_threads=False, column_names=names),
            parse_options=pcsv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(include_columns=names[:1], column_types={names[0]: pa.binary()}),
        )
        return sum(batch.num_rows for batch in reader)
    except pa.ArrowInvalid as exc:
        raise _explain(str(exc), columns) from exc


def _explain(message: str, columns: int) -> NodeError:
    ragged = _ARROW_RAGGED.search(message)
    if ragged:
        row, _, got = ragged.groups()
        fields = f"{got} field" + ("" if got == "1" else "s")
        return NodeError(
            f"malformed CSV: row {row} of the file has {fields} but the header has {columns} (ragged rows)",
            "dataset",
        )
    if "straddl" in message or "block" in message:
        return CsvTooLarge(f"a single row is larger than {SCAN_BLOCK_BYTES // (1024 * 1024)} MB")
    if "Empty CSV" in message:
        return NodeError("the file is empty", "dataset")
    return NodeError(f"malformed CSV: {message.splitlines()[0][:200]}", "dataset")


def check_cells(frame: pd.DataFrame, limits: CsvLimits) -> None:
    """Refuse a text cell holding a NUL byte or larger than the field limit (column names too)."""
    import pandas as pd

    limit = limits.max_field_bytes
    for name in frame.columns:
        if len(str(name).encode("utf-8")) > limit:
            raise CsvTooLarge(f"a column name is larger than {limit / 1024:g} KB (FLOWZA_MAX_FIELD_KB)")
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        text = column.astype("str") if column.dtype == object else column
        nul = text.str.contains("\x00", regex=False).fillna(False).to_numpy(dtype=bool)
        if nul.any():
            raise NodeError(
                f"column {str(name)!r}, data row {int(nul.argmax()) + 1} holds a NUL byte: "
                "the file looks binary, not a CSV text file",
                "dataset",
            )
        lengths = text.str.len()
        longest = lengths.max()
        if pd.isna(longest) or longest * 4 <= limit:  # a character takes at most 4 bytes in UTF-8
            continue
        for position in (lengths > limit // 4).to_numpy().nonzero()[0]:
            if len(str(column.iloc[position]).encode("utf-8")) > limit:
                raise CsvTooLarge(
                    f"column {str(name)!r}, data row {position + 1}: a cell is larger than {limit / 1024:g} KB "
                    "(FLOWZA_MAX_FIELD_KB)"
                )

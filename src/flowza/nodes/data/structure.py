"""A whole-file check of a CSV's shape, run beside pandas' parse of the same file.

pandas fills a row with too few fields with missing values and keeps NUL bytes inside text,
without a word. This scan refuses both, names the row, and enforces the shape limits
(FLOWZA_MAX_COLUMNS, FLOWZA_MAX_ROWS, FLOWZA_MAX_FIELD_KB) for the server and the CLI alike.
It tokenizes with pyarrow, which releases the GIL, and converts a single column, so it runs
on another core in about the time pandas needs to parse.
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
_NUL_CHUNK = 8 * 1024 * 1024
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


def check_structure(path: Path, separator: str, columns: int, limits: CsvLimits) -> int:
    """The number of data rows; NodeError for a NUL byte or a row whose field count is not `columns`."""
    _check_no_nul(path)
    rows = _count_rows(path, separator, columns) - 1  # the header is counted as a row
    if rows > limits.max_rows:
        raise CsvTooLarge(f"the CSV has {rows} data rows; at most {limits.max_rows} are accepted (FLOWZA_MAX_ROWS)")
    return rows


def _check_no_nul(path: Path) -> None:
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_NUL_CHUNK):
            at = chunk.find(b"\x00")
            if at >= 0:
                line = lines + chunk.count(b"\n", 0, at) + 1
                raise NodeError(f"line {line} holds a NUL byte: the file looks binary, not a CSV text file", "dataset")
            lines += chunk.count(b"\n")


def _count_rows(path: Path, separator: str, columns: int) -> int:
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
    """Refuse a table with a text cell (or column name) larger than the field limit."""
    import pandas as pd

    limit = limits.max_field_bytes
    for name in frame.columns:
        if len(str(name).encode("utf-8")) > limit:
            raise CsvTooLarge(f"a column name is larger than {limit / 1024:g} KB (FLOWZA_MAX_FIELD_KB)")
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        lengths = column.astype("str").str.len() if column.dtype == object else column.str.len()
        longest = lengths.max()
        if pd.isna(longest) or longest * 4 <= limit:  # a character takes at most 4 bytes in UTF-8
            continue
        for position in (lengths > limit // 4).to_numpy().nonzero()[0]:
            if len(str(column.iloc[position]).encode("utf-8")) > limit:
                raise CsvTooLarge(
                    f"column {str(name)!r}, data row {position + 1}: a cell is larger than {limit / 1024:g} KB "
                    "(FLOWZA_MAX_FIELD_KB)"
                )

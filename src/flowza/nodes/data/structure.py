"""Checks on a parsed CSV that pandas does not make, exact and nearly free.

pandas fills a row with too few fields with missing values and keeps NUL bytes inside text,
without a word. Here: a NUL byte in any text cell, a cell or column name past FLOWZA_MAX_FIELD_KB,
more than FLOWZA_MAX_ROWS rows or FLOWZA_MAX_COLUMNS columns, and short rows are refused. A short
row always leaves the last column missing, so only a table whose last column has missing values
is re-tokenized (pyarrow, then the standard library to confirm what it flags) to find out whether
a row was short.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flowza.nodes.base import NodeError
from flowza.nodes.limits import CsvLimits

if TYPE_CHECKING:
    import pandas as pd

SCAN_BLOCK_BYTES = 16 * 1024 * 1024  # pyarrow needs a whole row inside one block


class CsvTooLarge(NodeError):
    """A well-formed CSV past a shape limit (columns, rows, cell size)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "dataset")


def check_column_count(columns: int, limits: CsvLimits, at_least: bool = False) -> None:
    """`at_least`: `columns` was counted in the first block of the file and the header may go on."""
    if columns > limits.max_columns:
        raise CsvTooLarge(
            f"the CSV has {'at least ' if at_least else ''}{columns} columns; at most {limits.max_columns} are "
            "accepted (FLOWZA_MAX_COLUMNS)"
        )


def check_table(frame: pd.DataFrame, path: Path, separator: str, encoding: str, limits: CsvLimits) -> None:
    """NodeError when the file `frame` was parsed from is malformed or past a limit."""
    check_column_count(len(frame.columns), limits)  # the header may be longer than the sniffed head
    if len(frame) > limits.max_rows:
        raise CsvTooLarge(
            f"the CSV has {len(frame)} data rows; at most {limits.max_rows} are accepted (FLOWZA_MAX_ROWS)"
        )
    check_cells(frame, limits)
    if len(frame.columns) and frame.iloc[:, -1].isna().any():
        _check_row_lengths(path, separator, encoding, len(frame.columns))


# Encodings in which the separator and quote bytes can only mean those characters, so the raw
# bytes can be tokenized without decoding (not so in Shift_JIS, GBK or Big5, where a byte of a
# two-byte character can equal `|`).
_ASCII_SAFE = {"utf-8", "utf-8-sig", "utf8", "cp1252", "windows-1252", "latin-1", "latin1", "iso-8859-1", "ascii"}


def _check_row_lengths(path: Path, separator: str, encoding: str, columns: int) -> None:
    """Refuse a row whose field count is not `columns`, as pandas reads the file (blank lines skipped).

    pyarrow tokenizes the raw bytes quickly; only what it flags (it also flags whitespace-only lines,
    which pandas skips), a non-ASCII separator or an encoding it cannot split as bytes goes through
    the slower standard-library scan, which decides and names the line.
    """
    if separator.isascii() and encoding.lower() in _ASCII_SAFE and _arrow_rows_agree(path, separator, columns):
        return
    _python_scan(path, separator, encoding, columns)


def _python_scan(path: Path, separator: str, encoding: str, columns: int) -> None:
    import csv

    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # cell sizes are checked elsewhere
    try:
        with path.open(encoding=encoding, newline="", errors="replace") as handle:
            reader = csv.reader(handle, delimiter=separator)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # pandas skips blank and whitespace-only lines
                if len(row) != columns:
                    fields = f"{len(row)} field" + ("" if len(row) == 1 else "s")
                    raise NodeError(
                        f"malformed CSV: line {reader.line_num} has {fields} but the header has {columns} "
                        "(ragged rows)",
                        "dataset",
                    )
    except csv.Error as exc:
        raise NodeError(f"malformed CSV: {exc}", "dataset") from exc


def _arrow_rows_agree(path: Path, separator: str, columns: int) -> bool:
    """True when every row has `columns` fields; False when one may not (the caller looks closer)."""
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
        for _ in reader:
            pass
    except (pa.ArrowInvalid, ValueError):
        return False
    return True


def check_cells(frame: pd.DataFrame, limits: CsvLimits) -> None:
    """Refuse a text cell holding a NUL byte or larger than the field limit (column names too)."""
    import pandas as pd

    limit = limits.max_field_bytes
    for name in frame.columns:
        if "\x00" in str(name):
            raise NodeError("a column name holds a NUL byte: the file looks binary, not a CSV text file", "dataset")
        if len(str(name).encode("utf-8")) > limit:
            raise CsvTooLarge(f"a column name is larger than {limit / 1024:g} KB (FLOWZA_MAX_FIELD_KB)")
    for index, name in enumerate(frame.columns):
        column = frame.iloc[:, index]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
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

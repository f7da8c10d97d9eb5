"""Checking an uploaded CSV with the same reader load_csv uses, plus a shape scan before pandas reads it.

The scan (plain `csv`, one row at a time) refuses ragged rows and enforces the shape limits
(FLOWZA_MAX_COLUMNS, FLOWZA_MAX_ROWS, FLOWZA_MAX_FIELD_KB) before pandas loads anything into memory.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from flowza.nodes.base import NodeError
from flowza.nodes.data.files import read_csv, sniff


class BadFile(ValueError):
    """The upload is not a usable CSV; the message says why."""


class TableTooLarge(BadFile):
    """The CSV is well-formed but past a shape limit (columns, rows, cell size): a 413."""


@dataclass(frozen=True)
class CsvLimits:
    max_columns: int = 2000
    max_rows: int = 5_000_000
    max_field_bytes: int = 128 * 1024


def load_checked(path: Path, limits: CsvLimits | None = None) -> pd.DataFrame:
    """The table in `path`, or BadFile naming the problem (empty, binary, undecodable, ragged, too large, …)."""
    limits = limits or CsvLimits()
    try:
        separator, encoding = sniff(path, "auto", "auto")
    except NodeError as exc:
        raise BadFile(exc.message) from exc
    columns = check_row_lengths(path, separator, encoding, None, limits)
    try:
        frame = read_csv(path)
    except NodeError as exc:
        raise BadFile(exc.message) from exc
    if columns is not None and len(frame.columns) != columns:
        raise BadFile(f"malformed CSV: the header has {columns} fields but the rows have {len(frame.columns)}")
    return frame


def check_row_lengths(
    path: Path, separator: str, encoding: str, expected: int | None, limits: CsvLimits | None = None
) -> int | None:
    """pandas fills short rows with NaN silently; a CSV whose rows disagree with the header is refused.

    `expected` None takes the header's field count. Returns the header's field count (None: no header).
    """
    limits = limits or CsvLimits()
    rows = 0
    try:
        with path.open(encoding=encoding, newline="", errors="replace") as handle:
            reader = csv.reader(handle, delimiter=separator)
            header_seen = False
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue
                _check_cells(row, reader.line_num, limits)
                if not header_seen:
                    header_seen = True
                    if len(row) > limits.max_columns:
                        raise TableTooLarge(
                            f"the CSV has {len(row)} columns; at most {limits.max_columns} are accepted "
                            "(FLOWZA_MAX_COLUMNS)"
                        )
                    expected = len(row) if expected is None else expected
                    continue
                rows += 1
                if rows > limits.max_rows:
                    raise TableTooLarge(
                        f"the CSV has more than {limits.max_rows} data rows (FLOWZA_MAX_ROWS); upload a sample"
                    )
                if len(row) != expected:
                    raise BadFile(
                        f"malformed CSV: line {reader.line_num} has {len(row)} fields but the header has {expected} "
                        "(ragged rows)"
                    )
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise TableTooLarge(_cell_message(limits)) from exc
        raise BadFile(f"malformed CSV: {exc}") from exc
    return expected


def _check_cells(row: list[str], line: int, limits: CsvLimits) -> None:
    if any("\x00" in cell for cell in row):
        raise BadFile(f"line {line} holds a NUL byte: the file looks binary, not a CSV text file")
    for cell in row:
        if len(cell) > limits.max_field_bytes // 4 and len(cell.encode("utf-8")) > limits.max_field_bytes:
            raise TableTooLarge(f"line {line}: {_cell_message(limits)}")


def _cell_message(limits: CsvLimits) -> str:
    return f"a cell is larger than {limits.max_field_bytes / 1024:g} KB (FLOWZA_MAX_FIELD_KB)"

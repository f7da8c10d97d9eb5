"""Reading a CSV file named inside a data directory, safely and with clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from flowza.nodes.base import NodeError
from flowza.nodes.data.structure import check_column_count, check_table
from flowza.nodes.limits import CsvLimits

if TYPE_CHECKING:
    import pandas as pd

SNIFF_BYTES = 64 * 1024
SEPARATORS = [",", ";", "\t", "|"]


def resolve_in_root(root: Path, name: str, field: str = "dataset") -> Path:
    """The path of `name` inside `root`; refuses anything that would leave it."""
    if not name:
        raise NodeError("choose a dataset: the file name is empty", field)
    if "\x00" in name or name.startswith(("/", "\\")) or ":" in name[:3] or "%" in name:
        raise NodeError(f"dataset name {name!r} is not a plain file name inside the data directory", field)
    root_resolved = root.resolve()
    path = (root_resolved / name).resolve()
    if not path.is_relative_to(root_resolved) or path == root_resolved:
        raise NodeError(f"dataset name {name!r} points outside the data directory", field)
    if not path.is_file():
        raise NodeError(f"dataset {name!r} not found in the data directory {str(root)!r}", field)
    return path


def detect_encoding(head: bytes, requested: str) -> str:
    if b"\x00" in head:
        raise NodeError("the file looks binary (it contains NUL bytes), not a CSV text file", "dataset")
    if requested != "auto":
        try:
            head.decode(requested, errors="strict")
        except LookupError as exc:
            raise NodeError(f"unknown text encoding {requested!r}", "encoding") from exc
        except UnicodeDecodeError as exc:
            raise NodeError(f"the file is not valid {requested} text (byte {exc.start})", "encoding") from exc
        return requested
    for candidate in ("utf-8-sig", "cp1252"):
        try:
            # the sniffed block may end inside a multi-byte character: ignore a cut tail
            head.decode(candidate, errors="strict") if len(head) < SNIFF_BYTES else head[:-4].decode(candidate)
            return candidate
        except UnicodeDecodeError:
            continue
    raise NodeError("the file's text could not be decoded as UTF-8 or Windows-1252", "encoding")


def detect_separator(text: str, requested: str) -> str:
    if requested != "auto":
        if len(requested) != 1 and requested != "\\t":
            raise NodeError(f"separator must be one character or 'auto', not {requested!r}", "separator")
        return "\t" if requested == "\\t" else requested
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise NodeError("the file is empty", "dataset")
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        counts = {sep: lines[0].count(sep) for sep in SEPARATORS}
        best = max(counts, key=lambda sep: counts[sep])
        return best if counts[best] > 0 else ","


def first_rows(text: str, separator: str, count: int) -> list[list[str]]:
    """The first `count` non-blank rows of `text` (fewer when it holds fewer complete ones)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)  # "" keeps CR-only line ends apart
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                if len(rows) == count:
                    break
    except csv.Error as exc:
        if not rows:
            raise NodeError(f"malformed CSV header: {exc}", "dataset") from exc
    if not rows:
        raise NodeError("the file is empty", "dataset")
    return rows


def whole_header(path: Path, separator: str, encoding: str) -> list[str]:
    """The file's first non-blank row, however long (the sniffed head may end inside it)."""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        try:
            for row in csv.reader(handle, delimiter=separator):
                if any(cell.strip() for cell in row):
                    return row
        except csv.Error as exc:
            raise NodeError(f"malformed CSV header: {exc}", "dataset") from exc
    raise NodeError("the file is empty", "dataset")


def check_no_implicit_index(rows: list[list[str]]) -> None:
    """pandas silently takes the first field as the row index when the first data row has one field
    more than the header (and then drops it): that is a malformed file, not an index."""
    columns = len(rows[0])
    if len(rows) > 1 and len(rows[1]) == columns + 1:
        raise NodeError(
            f"malformed CSV: the first data row has {columns + 1} fields but the header has {columns} "
            "(the data rows have more fields than the header)",
            "dataset",
        )


def check_header(header: list[str]) -> None:
    if len(header) < 1:
        raise NodeError("the file has no header row", "dataset")
    blank = [i + 1 for i, name in enumerate(header) if not name.strip()]
    if blank and len(header) > 1:
        raise NodeError(f"the header has an empty column name at position {blank[0]}", "dataset")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise NodeError(f"the header names column {name!r} twice; column names must be unique", "dataset")
        seen.add(name)
    numeric_names = [name for name in header if _looks_numeric(name)]
    if len(header) > 1 and len(numeric_names) == len(header):
        raise NodeError("the first row holds only numbers: the file seems to have no header row", "dataset")


def _looks_numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def read_csv(
    path: Path,
    separator: str = "auto",
    encoding: str = "auto",
    nrows: int | None = None,
    limits: CsvLimits | None = None,
) -> pd.DataFrame:
    """Read a CSV with the same call an exported script makes, after checking it is sane.

    Reading the whole file (`nrows` None) also refuses what pandas lets through (short rows,
    NUL bytes) and enforces the shape limits (flowza.nodes.data.structure).
    """
    limits = limits or CsvLimits()
    head, text, sep, enc = _sniff_head(path, separator, encoding)
    rows = first_rows(text, sep, 2)
    header = rows[0]
    check_header(header)
    check_no_implicit_index(rows)
    if nrows is not None:  # a sample, for validation: the limits apply to the run's whole read
        return _parse(path, sep, enc, nrows)
    if len(head) == SNIFF_BYTES:  # the header row may go on past the sniffed block
        check_column_count(len(header), limits, at_least=True)
        header = whole_header(path, sep, enc)
        check_header(header)  # a duplicate name late in a long header, which pandas would rename
    check_column_count(len(header), limits)
    frame = _parse(path, sep, enc, None)
    check_table(frame, path, sep, enc, limits)
    return frame


def _parse(path: Path, sep: str, enc: str, nrows: int | None) -> pd.DataFrame:
    import pandas as pd

    try:
        frame = pd.read_csv(path, sep=sep, encoding=enc, nrows=nrows)
    except pd.errors.ParserError as exc:
        raise NodeError(f"{path.name}: malformed CSV (rows with a different number of fields): {exc}") from exc
    except UnicodeDecodeError as exc:
        raise NodeError(f"{path.name}: the text is not valid {enc} past byte {exc.start}", "encoding") from exc
    except pd.errors.EmptyDataError as exc:
        raise NodeError(f"the file {path.name!r} is empty", "dataset") from exc
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first column as the index when every data row has one field more than
        # the header: that is a malformed file, not an index.
        raise NodeError(f"{path.name}: malformed CSV (the data rows have more fields than the header)", "dataset")
    if frame.empty:
        raise NodeError(f"the file {path.name!r} has a header but no data rows", "dataset")
    return frame


def sniff(path: Path, separator: str, encoding: str) -> tuple[str, str]:
    """The separator and encoding `read_csv` will use, for exported code."""
    _, _, sep, enc = _sniff_head(path, separator, encoding)
    return sep, enc


def _sniff_head(path: Path, separator: str, encoding: str) -> tuple[bytes, str, str, str]:
    """The file's first block, as bytes and as text, with the separator and encoding found in it."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise NodeError(f"the file {path.name!r} is empty", "dataset")
    enc = detect_encoding(head, encoding)
    text = head.decode(enc, errors="ignore")
    return head, text, detect_separator(text, separator), enc

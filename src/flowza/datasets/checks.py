"""Checking an uploaded CSV with the same reader load_csv uses, plus a ragged-row scan."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from flowza.nodes.base import NodeError
from flowza.nodes.data.files import read_csv, sniff


class BadFile(ValueError):
    """The upload is not a usable CSV; the message says why."""


def load_checked(path: Path) -> pd.DataFrame:
    """The table in `path`, or BadFile naming the problem (empty, binary, undecodable, ragged, …)."""
    try:
        frame = read_csv(path)
        separator, encoding = sniff(path, "auto", "auto")
    except NodeError as exc:
        raise BadFile(exc.message) from exc
    check_row_lengths(path, separator, encoding, len(frame.columns))
    return frame


def check_row_lengths(path: Path, separator: str, encoding: str, expected: int) -> None:
    """pandas fills short rows with NaN silently; a CSV whose rows disagree with the header is refused."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=separator)
        header_seen = False
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            if not header_seen:
                header_seen = True
                continue
            if len(row) != expected:
                raise BadFile(
                    f"malformed CSV: line {reader.line_num} has {len(row)} fields but the header has {expected} "
                    "(ragged rows)"
                )

"""Checking an uploaded CSV with the very reader `load_csv` uses, limits included.

`flowza.nodes.data.files.read_csv` refuses empty, binary, undecodable and ragged files and
enforces the shape limits (FLOWZA_MAX_COLUMNS, FLOWZA_MAX_ROWS, FLOWZA_MAX_FIELD_KB) with a
whole-file scan; here its errors become the API's: BadFile (422) and TableTooLarge (413).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flowza.nodes.base import NodeError
from flowza.nodes.data.files import read_csv
from flowza.nodes.data.structure import CsvTooLarge
from flowza.nodes.limits import CsvLimits


class BadFile(ValueError):
    """The upload is not a usable CSV; the message says why."""


class TableTooLarge(BadFile):
    """The CSV is well-formed but past a shape limit (columns, rows, cell size): a 413."""


def load_checked(path: Path, limits: CsvLimits | None = None) -> pd.DataFrame:
    """The table in `path`, or BadFile naming the problem (empty, binary, undecodable, ragged, too large, …)."""
    try:
        return read_csv(path, limits=limits or CsvLimits())
    except CsvTooLarge as exc:
        raise TableTooLarge(exc.message) from exc
    except NodeError as exc:
        raise BadFile(exc.message) from exc

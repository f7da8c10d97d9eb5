"""The shape limits a CSV must respect, for uploads and for `load_csv` alike (FLOWZA_MAX_* settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CsvLimits:
    max_columns: int = 2000
    max_rows: int = 5_000_000
    max_field_bytes: int = 128 * 1024

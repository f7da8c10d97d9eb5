"""Finding columns that give the target away, from the data itself.

Two patterns are checked: a column whose every value maps to a single target value (titanic's
`alive` for `survived`), and an accounting identity where a column is the sum of the target and
other columns up to a small set of fixed fees (taxis' `total` = fare + tip + tolls + surcharges).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from flowza.ai.profile import DatasetProfile

SAMPLE_ROWS = 5000
MIN_GROUP_SIZE = 5  # a value seen this often on average, always with one answer, is no accident
MAX_PARTS = 3
MAX_NUMERIC = 12
FEE_SCHEDULE_FACTOR = 10  # the remainder of an identity has 10x fewer values than the target


@dataclass(frozen=True)
class Leak:
    column: str
    reason: str


def determines(x: pd.Series, y: pd.Series) -> bool:
    """True when each value of `x` goes with one value of `y` (or they are perfectly correlated)."""
    pairs = pd.DataFrame({"x": x, "y": y}).dropna()
    if len(pairs) < 10:
        return False
    distinct = int(pairs["x"].nunique())
    if 2 <= distinct <= len(pairs) / MIN_GROUP_SIZE and int(pairs["y"].nunique()) >= 2:
        if bool((pairs.groupby("x", sort=False)["y"].nunique() == 1).all()):
            return True
    numeric = pd.api.types.is_numeric_dtype(pairs["x"]) and pd.api.types.is_numeric_dtype(pairs["y"])
    if numeric and not pd.api.types.is_bool_dtype(pairs["x"]) and not pd.api.types.is_bool_dtype(pairs["y"]):
        xs, ys = pairs["x"].to_numpy(dtype=float), pairs["y"].to_numpy(dtype=float)
        if xs.std() > 0 and ys.std() > 0 and abs(float(np.corrcoef(xs, ys)[0, 1])) > 0.999:
            return True
    return False


def _few_values(remainder: np.ndarray, target_distinct: int) -> bool:
    distinct = len(np.unique(np.round(remainder, 6)))
    return distinct * FEE_SCHEDULE_FACTOR <= target_distinct


def additive_identity(frame: pd.DataFrame, target: str) -> tuple[str, list[str]] | None:
    """(sum column, parts) when sum = parts (the target among them, or the sum itself) + a fee schedule."""
    numeric = [
        str(c)
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    if target not in numeric or len(numeric) > MAX_NUMERIC:
        return None
    rows = frame[numeric].dropna()
    rows = rows.iloc[:SAMPLE_ROWS]
    target_distinct = int(rows[target].nunique())
    if len(rows) < 20 or target_distinct < 20:
        return None
    values = {c: rows[c].to_numpy(dtype=float) for c in numeric}
    for total in numeric:
        others = [c for c in numeric if c != total]
        for size in range(2, MAX_PARTS + 1):
            for parts in combinations(others, size):
                if total != target and target not in parts:
                    continue
                remainder = values[total] - sum(values[p] for p in parts)
                if _few_values(remainder, target_distinct):
                    return total, list(parts)
    return None


def find_leaks(profile: DatasetProfile, target: str, candidates: list[str]) -> list[Leak]:
    """The candidate feature columns that leak `target`, each with the reason in words."""
    frame = profile.frame.iloc[: SAMPLE_ROWS * 4]
    y = frame[target]
    leaks: list[Leak] = []
    for column in candidates:
        if determines(frame[column], y):
            leaks.append(Leak(column, f"{column!r} determines {target!r} (each of its values goes with one answer)"))
    identity = additive_identity(frame, target)
    if identity is not None:
        total, parts = identity
        formula = f"{total} ≈ {' + '.join(parts)} + fixed fees"
        flagged = parts if total == target else [total]
        for column in flagged:
            if column in candidates and all(leak.column != column for leak in leaks):
                leaks.append(Leak(column, f"{column!r} is part of the identity {formula}, which gives {target!r} away"))
    return leaks

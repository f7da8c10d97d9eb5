"""Turn values from pandas, numpy and the engine into strict JSON (no NaN, no numpy scalars).

PostgreSQL's JSON types and Starlette's JSONResponse both refuse NaN and Infinity, so every value
that reaches the database or a response passes through `jsonable` first.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)

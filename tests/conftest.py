"""Fixtures shared by every test layer: project-made data, and the shared public datasets."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flowza.demo import write_samples

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_datasets_dir() -> Path:
    return Path(os.environ.get("FLOWZA_SHARED_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    directory = shared_datasets_dir()
    if not (directory / "titanic.csv").is_file():
        pytest.skip(f"shared datasets not found in {directory} (set FLOWZA_SHARED_DATASETS)")
    return directory


def synthetic_frame(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=rows)
    x2 = rng.normal(loc=5, scale=2, size=rows)
    color = rng.choice(["red", "green", "blue"], size=rows)
    size = rng.choice(["S", "M", "L", "XL"], size=rows)
    flag = rng.random(rows) > 0.5
    logit = 1.5 * x1 - 0.4 * (x2 - 5) + (color == "red") * 1.0
    label = np.where(logit + rng.normal(scale=0.5, size=rows) > 0, "yes", "no")
    amount = 3 * x1 + 0.5 * x2 + (size == "XL") * 2 + rng.normal(scale=0.3, size=rows)
    frame = pd.DataFrame(
        {"x1": x1, "x2": x2, "color": color, "size": size, "flag": flag, "amount": amount, "label": label}
    )
    frame.loc[rng.choice(rows, 15, replace=False), "x2"] = np.nan
    frame.loc[rng.choice(rows, 10, replace=False), "color"] = np.nan
    return frame


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with synthetic CSVs and the scikit-learn sample datasets."""
    directory = tmp_path_factory.mktemp("data")
    write_samples(directory)
    synthetic_frame().to_csv(directory / "synthetic.csv", index=False)
    return directory

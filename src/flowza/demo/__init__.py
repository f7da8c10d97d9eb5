"""Sample datasets the project makes itself (from scikit-learn's bundled data) for demos and tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _frame(loader: str) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, loader)(as_frame=True)
    frame: pd.DataFrame = bunch.frame.copy()
    return frame


def iris() -> pd.DataFrame:
    frame = _frame("load_iris")
    names = ["setosa", "versicolor", "virginica"]
    frame["species"] = [names[i] for i in frame.pop("target")]
    frame.columns = [str(c).replace(" (cm)", "").replace(" ", "_") for c in frame.columns]
    return frame


def wine() -> pd.DataFrame:
    frame = _frame("load_wine")
    frame["cultivar"] = [f"class_{i}" for i in frame.pop("target")]
    return frame


def breast_cancer() -> pd.DataFrame:
    frame = _frame("load_breast_cancer")
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    frame["diagnosis"] = ["benign" if t == 1 else "malignant" for t in frame.pop("target")]
    return frame


def diabetes() -> pd.DataFrame:
    frame = _frame("load_diabetes")
    frame = frame.rename(columns={"target": "progression"})
    return frame


SAMPLES = {
    "sample_iris.csv": iris,
    "sample_wine.csv": wine,
    "sample_breast_cancer.csv": breast_cancer,
    "sample_diabetes.csv": diabetes,
}


def write_samples(directory: Path, overwrite: bool = False) -> list[Path]:
    """Write the sample CSVs into `directory`; existing files are kept unless `overwrite`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in SAMPLES.items():
        path = directory / name
        if overwrite or not path.exists():
            make().to_csv(path, index=False)
        written.append(path)
    return written

"""Cached tables read back as the very values the run produced, however they are stored.

The cache stores a table as its own columns (Parquet), columns reused from the upstream entry
and row positions into it. Each test runs a chain, then reads every node's output back from a fresh Cache on the same
directory and compares it with the run's own outputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from flowza.engine.cache import Cache
from flowza.engine.executor import RunOptions, run_workflow
from flowza.nodes.types import Dataset
from tests.engine.helpers import chain


def run_and_reload(doc: dict[str, Any], data_dir: Path, root: Path) -> tuple[Any, Cache]:
    cache = Cache(root)
    result = run_workflow(doc, RunOptions(data_dir=data_dir, cache=cache, keep_outputs=True))
    cache.close()
    assert result.status == "succeeded", {k: r.error for k, r in result.nodes.items()}
    return result, Cache(root)


def assert_same_dataset(node_id: str, ran: Dataset, stored: Dataset) -> None:
    expected = ran.frame.reset_index(drop=True)
    assert list(stored.frame.columns) == list(expected.columns), node_id
    for column in expected.columns:
        left, right = expected[column], stored.frame[column]
        assert left.isna().tolist() == right.isna().tolist(), (node_id, column)
        if pd.api.types.is_float_dtype(left):
            np.testing.assert_array_equal(left.to_numpy(), right.to_numpy(), err_msg=f"{node_id}.{column}")
        else:
            assert left.dropna().astype(str).tolist() == right.dropna().astype(str).tolist(), (node_id, column)
    assert stored.target == ran.target, node_id
    for ran_rows, stored_rows in ((ran.train_rows, stored.train_rows), (ran.test_rows, stored.test_rows)):
        assert (ran_rows is None) == (stored_rows is None), node_id
        if ran_rows is not None:
            np.testing.assert_array_equal(ran_rows, stored_rows)
    assert [s.name for s in stored.steps] == [s.name for s in ran.steps], node_id


CHAINS = {
    "split first": chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("clean", "drop_nulls", {"columns": ["color"]}),
        ("split", "train_test_split", {"target": "label"}),
        ("impute", "impute", {}),
        ("encode", "encode_categorical", {}),
        ("scale", "normalize", {"method": "minmax"}),
        ("select", "select_features", {"k": 4}),
        ("model", "logistic_regression", {}),
    ),
    "scaled before the split, rows dropped after": chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("impute", "impute", {"columns": ["x2"]}),
        ("scale", "normalize", {"columns": ["x1", "x2"]}),
        ("split", "train_test_split", {"target": "label", "stratify": False}),
        ("clean", "drop_nulls", {}),
        ("rescale", "normalize", {"method": "robust"}),
        ("encode", "encode_categorical", {"method": "ordinal"}),
        ("model", "random_forest", {"n_estimators": 5}),
    ),
}


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_every_cached_table_reads_back_as_the_run_made_it(name: str, data_dir: Path, tmp_path: Path) -> None:
    result, reopened = run_and_reload(CHAINS[name], data_dir, tmp_path / "cache")
    compared = 0
    for node_id, outputs in result.outputs.items():
        stored = reopened.load(result.nodes[node_id].cache_key or "")
        for port, value in outputs.items():
            if isinstance(value, Dataset):
                assert_same_dataset(node_id, value, stored[port])
                compared += 1
    assert compared == len(CHAINS[name]["nodes"]) - 1  # every node but the model


def test_split_parts_are_stored_as_ranges(data_dir: Path, tmp_path: Path) -> None:
    result, reopened = run_and_reload(CHAINS["split first"], data_dir, tmp_path / "cache")
    split = reopened.entry_dir(result.nodes["split"].cache_key or "")
    assert not list(split.glob("*.npz")), "train/test parts right after the split are two ranges, not a file"


def test_a_column_subset_at_composed_rows_comes_from_the_root_table(data_dir: Path, tmp_path: Path) -> None:
    result, reopened = run_and_reload(CHAINS["split first"], data_dir, tmp_path / "cache")
    key = result.nodes["encode"].cache_key or ""
    rows = np.array([5, 0, 17])
    frame = reopened.load_frame(key, "data", ["x1", "label"], rows)
    expected = result.outputs["encode"]["data"].frame.iloc[rows][["x1", "label"]].reset_index(drop=True)
    np.testing.assert_array_equal(frame["x1"].to_numpy(), expected["x1"].to_numpy())
    assert frame["label"].tolist() == expected["label"].tolist()


def test_fitted_steps_are_stored_as_their_step_not_as_a_table(data_dir: Path, tmp_path: Path) -> None:
    """impute, encode, normalize and select keep their fitted step; their table is rebuilt when read."""
    result, reopened = run_and_reload(CHAINS["split first"], data_dir, tmp_path / "cache")
    for node_id in ("impute", "encode", "scale", "select"):
        entry = reopened.entry_dir(result.nodes[node_id].cache_key or "")
        assert not list(entry.glob("*.parquet")), f"{node_id} wrote its table"
        assert reopened.manifest(result.nodes[node_id].cache_key or "")["outputs"]["data"]["table"]["derived"]
    load = reopened.entry_dir(result.nodes["load"].cache_key or "")
    assert list(load.glob("*.parquet")), "the CSV's table is stored: reading it again costs more than Parquet"

"""Fits a cancel can stop part-way give exactly the models of a one-shot fit, and stop when asked."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from flowza.nodes.base import Cancelled, Context
from flowza.nodes.train.stoppable import boost, grow_forest, predict_in_chunks


def table(rows: int = 600, seed: int = 3) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, 6)), columns=[f"f{i}" for i in range(6)])
    X.loc[rng.choice(rows, 30, replace=False), "f2"] = np.nan  # forests and XGBoost take missing values
    noise = rng.normal(scale=0.7, size=rows)
    label = pd.Series(np.where(X["f0"] + X["f1"] * X["f3"] + noise > 0, "yes", "no"), name="label")
    amount = pd.Series(2 * X["f0"] - X["f4"] ** 2 + noise, name="amount")
    return X, label, amount


def context(tmp_path: Path, cancel: threading.Event | None = None) -> Context:
    return Context(node_id="model", data_dir=tmp_path, output_dir=tmp_path, cancel_event=cancel)


@pytest.mark.parametrize("batch_seconds", [0.0, 0.05, 1.0])  # 0: one tree per batch
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_a_forest_grown_in_batches_equals_the_one_shot_fit(tmp_path: Path, kind: str, batch_seconds: float) -> None:
    X, label, amount = table()
    cls = RandomForestClassifier if kind == "classifier" else RandomForestRegressor
    y = label if kind == "classifier" else amount
    one_shot = cls(n_estimators=37, max_depth=6, random_state=42, n_jobs=1).fit(X, y)
    batched = cls(n_estimators=37, max_depth=6, random_state=42, n_jobs=1)
    grow_forest(context(tmp_path), batched, X, y, batch_seconds=batch_seconds)

    assert batched.get_params() == one_shot.get_params()  # warm_start off again, all 37 trees asked for
    assert len(batched.estimators_) == 37
    assert np.array_equal(batched.predict(X), one_shot.predict(X))
    if kind == "classifier":
        assert np.array_equal(batched.predict_proba(X), one_shot.predict_proba(X))
    for ours, theirs in zip(batched.estimators_, one_shot.estimators_, strict=True):
        assert ours.random_state == theirs.random_state
        assert np.array_equal(ours.tree_.threshold, theirs.tree_.threshold)


def test_a_cancelled_forest_stops_after_the_batch_in_progress(tmp_path: Path) -> None:
    X, label, _ = table()
    cancel = threading.Event()
    ctx = context(tmp_path, cancel)
    reports: list[str] = []

    def progress(_fraction: float, message: str) -> None:
        reports.append(message)
        cancel.set()  # a person presses Cancel while the forest grows

    ctx.on_progress = progress
    forest = RandomForestClassifier(n_estimators=500, random_state=1, n_jobs=1)
    with pytest.raises(Cancelled, match=r"stopped after \d+ of 500 trees"):
        grow_forest(ctx, forest, X, label, batch_seconds=0.0)
    assert reports == ["1 of 500 trees"]
    assert len(forest.estimators_) == 2  # the batch running when the cancel came, then no more
    assert ctx.messages == ["stopped after 2 of 500 trees: the run was cancelled"]


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_boosting_with_the_cancel_callback_equals_a_plain_fit(tmp_path: Path, kind: str) -> None:
    import xgboost

    X, label, amount = table()
    cls = xgboost.XGBClassifier if kind == "classifier" else xgboost.XGBRegressor
    y = (label == "yes").astype(int) if kind == "classifier" else amount
    params = {"n_estimators": 40, "max_depth": 4, "learning_rate": 0.3, "random_state": 42, "tree_method": "hist"}
    plain = cls(**params).fit(X, y)
    ours = cls(**params)
    boost(context(tmp_path, threading.Event()), ours, X, y)

    assert ours.get_params()["callbacks"] is None  # nothing unsaveable left on the model
    assert ours.get_booster().num_boosted_rounds() == 40
    assert np.array_equal(ours.predict(X), plain.predict(X))
    if kind == "classifier":
        assert np.array_equal(ours.predict_proba(X), plain.predict_proba(X))


def test_cancelled_boosting_stops_after_the_round_in_progress(tmp_path: Path) -> None:
    import xgboost

    X, label, _ = table()
    cancel = threading.Event()
    cancel.set()  # already cancelled when boosting starts: one round, then stop
    ctx = context(tmp_path, cancel)
    model = xgboost.XGBClassifier(n_estimators=5000, max_depth=3, random_state=0, tree_method="hist")
    with pytest.raises(Cancelled, match="stopped after 1 of 5000 boosting rounds"):
        boost(ctx, model, X, (label == "yes").astype(int))
    assert model.get_booster().num_boosted_rounds() == 1
    assert model.get_params()["callbacks"] is None
    assert ctx.messages == ["stopped after 1 of 5000 boosting rounds: the run was cancelled"]


def test_predictions_in_chunks_equal_one_call(tmp_path: Path) -> None:
    X, label, _ = table(rows=2500)
    forest = RandomForestClassifier(n_estimators=15, random_state=0, n_jobs=1).fit(X, label)
    whole = forest.predict_proba(X)
    assert np.array_equal(predict_in_chunks(context(tmp_path), forest.predict_proba, X, rows=400), whole)
    assert np.array_equal(predict_in_chunks(context(tmp_path), forest.predict, X, rows=999), forest.predict(X))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        predict_in_chunks(context(tmp_path, cancel), forest.predict, X, rows=400)

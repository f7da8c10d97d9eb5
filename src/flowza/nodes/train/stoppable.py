"""Fits a cancelled run can stop part-way: forests grow in batches of trees, boosting checks every round.

A scikit-learn or XGBoost fit is one library call that no thread can interrupt, so without this a
cancelled run went on training until the fit returned. Here the work is cut where the library allows
it without changing the result:

- a random forest grows with `warm_start` in batches of trees. Every batch draws its trees' seeds from
  the same random stream a one-shot fit would use, so the forest is identical tree for tree (tested);
  batches are sized from the time a tree takes, so a cancel is noticed within about `BATCH_SECONDS`
  whatever the data size, and checking costs nothing measurable.
- XGBoost gets a training callback that ends boosting after the round in progress.
- predictions on the holdout run in chunks of rows (each row's prediction does not depend on the others).

A node stopped part-way logs how far it got ("stopped after 12 of 500 trees") and raises `Cancelled`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flowza.nodes.base import Cancelled, Context

BATCH_SECONDS = 0.5  # one batch of trees takes about this long: the delay before a cancel is noticed
PROGRESS_SECONDS = 1.0  # at most one progress event per second from a boosting loop
PREDICT_CHUNK_ROWS = 50_000


def cancel_requested(ctx: Context) -> bool:
    return ctx.cancel_event is not None and ctx.cancel_event.is_set()


def report(ctx: Context, fraction: float, message: str) -> None:
    """A progress event (the caller has just checked for cancel)."""
    if ctx.on_progress is not None:
        ctx.on_progress(fraction, message)


def stop(ctx: Context, how_far: str) -> Cancelled:
    """The exception that ends a fit cut short, after logging how far it got."""
    message = f"stopped after {how_far}: the run was cancelled"
    ctx.log(message)
    return Cancelled(message)


def grow_forest(ctx: Context, forest: Any, X: Any, y: Any, batch_seconds: float = BATCH_SECONDS) -> None:
    """Fit a scikit-learn forest like `forest.fit(X, y)`, a batch of trees at a time, checking for cancel."""
    requested = int(forest.n_estimators)
    grown, batch = 0, 1
    forest.set_params(warm_start=True)
    try:
        while grown < requested:
            step = min(batch, requested - grown)
            forest.set_params(n_estimators=grown + step)
            started = time.perf_counter()
            forest.fit(X, y)
            grown += step
            if grown < requested:
                if cancel_requested(ctx):
                    raise stop(ctx, f"{grown} of {requested} trees")
                report(ctx, grown / requested, f"{grown} of {requested} trees")
            per_tree = max((time.perf_counter() - started) / step, 1e-6)
            batch = max(1, int(batch_seconds / per_tree))
    finally:
        # the fitted forest's params read as a one-shot fit's (the model file, get_params, the export)
        forest.set_params(warm_start=False, n_estimators=requested)


def boost(ctx: Context, model: Any, X: Any, y: Any) -> None:
    """Fit an XGBoost scikit-learn model like `model.fit(X, y)`, ending after the round in which a cancel came."""
    import xgboost

    requested = int(model.n_estimators)

    class StopWhenCancelled(xgboost.callback.TrainingCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.rounds = 0
            self.stopped = False
            self.reported = time.monotonic()

        def after_iteration(self, booster: Any, epoch: int, evals_log: Any) -> bool:
            self.rounds = epoch + 1
            if cancel_requested(ctx):
                self.stopped = True
                return True  # xgboost ends training after this round
            if time.monotonic() - self.reported >= PROGRESS_SECONDS:
                self.reported = time.monotonic()
                report(ctx, self.rounds / requested, f"{self.rounds} of {requested} boosting rounds")
            return False

    callback = StopWhenCancelled()
    model.set_params(callbacks=[callback])
    try:
        model.fit(X, y)
    finally:
        model.set_params(callbacks=None)  # a saved model holds no callback (skops would refuse to load it)
    if callback.stopped and callback.rounds < requested:
        raise stop(ctx, f"{callback.rounds} of {requested} boosting rounds")


def predict_in_chunks(ctx: Context, predict: Callable[[Any], Any], X: Any, rows: int = PREDICT_CHUNK_ROWS) -> Any:
    """`predict(X)` a chunk of rows at a time, checking for cancel between chunks."""
    import numpy as np

    if len(X) <= rows:
        return np.asarray(predict(X))
    parts = []
    for start in range(0, len(X), rows):
        ctx.check_cancelled()
        parts.append(np.asarray(predict(X.iloc[start : start + rows])))
    return np.concatenate(parts)

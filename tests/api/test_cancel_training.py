"""Cancel stops a training node part-way in the inline executor: the run goes cancelling, then cancelled."""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.repositories import Runs
from flowza.db.session import transaction
from tests.api.conftest import csv_bytes, save, sse_events, upload, wait_run

STOPPED = re.compile(r"stopped after (\d+) of (\d+) (trees|boosting rounds): the run was cancelled")

# Models far too big to finish within any test's patience: tens of minutes of fitting on this data.
MODELS: dict[str, tuple[dict[str, Any], str]] = {
    "random_forest": ({"n_estimators": 5000}, "trees"),
    "xgboost": ({"n_estimators": 10000, "max_depth": 10, "learning_rate": 0.01}, "boosting rounds"),
}


def big_frame(rows: int = 20000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, 10)), columns=[f"f{i}" for i in range(10)])
    noise = rng.normal(scale=1.5, size=rows)
    frame["label"] = np.where(frame["f0"] * frame["f1"] + np.sin(frame["f2"] * 3) + noise > 0, "yes", "no")
    return frame


def training_workflow(model_type: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": f"big {model_type}",
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": "big.csv"}},
            {"id": "split", "type": "train_test_split", "params": {"target": "label"}},
            {"id": "model", "type": model_type, "params": params},
            {"id": "eval", "type": "evaluate", "params": {}},
        ],
        "edges": [
            {"source": "load", "target": "split"},
            {"source": "split", "target": "model"},
            {"source": "model", "target": "eval"},
        ],
    }


def progress_of(client: TestClient, run_id: str, node_id: str) -> list[str]:
    state = client.app.state.flowza  # type: ignore[attr-defined]
    with state.sessions() as session:
        events = Runs(session).events_after(run_id, 0)
        return [
            e.payload.get("message", "")
            for e in events
            if e.type == "node_progress" and e.payload.get("node_id") == node_id
        ]


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@pytest.mark.parametrize("model_type", sorted(MODELS))
def test_cancel_stops_a_long_fit_part_way(settings: Settings, model_type: str) -> None:
    params, unit = MODELS[model_type]
    with TestClient(create_app(settings.model_copy(update={"run_workers": 1}))) as client:
        state = client.app.state.flowza  # type: ignore[attr-defined]
        assert state.executor.name == "inline"
        upload(client, "big.csv", csv_bytes(big_frame()))
        saved = save(client, training_workflow(model_type, params))
        run_id = client.post(f"/api/v1/workflows/{saved['id']}/runs").json()["id"]
        # the fit is under way: it has reported some trees / rounds done
        wait_for(lambda: progress_of(client, run_id, "model"), 120, f"{model_type} to report progress")

        cancel = client.post(f"/api/v1/runs/{run_id}/cancel")
        assert cancel.status_code == 202, cancel.text
        assert cancel.json()["status"] == "cancelling" and cancel.json()["cancel_requested"] is True
        assert client.post(f"/api/v1/runs/{run_id}/cancel").status_code == 202  # asking again is harmless

        run = wait_run(client, run_id, timeout=120)  # generous: the fit stops after its batch in progress
        assert run["status"] == "cancelled", run
        model = run["nodes"]["model"]
        assert model["status"] == "cancelled" and run["nodes"]["eval"]["status"] == "cancelled"
        assert run["nodes"]["split"]["status"] == "succeeded"
        stopped = [m for line in model["log"] if (m := STOPPED.fullmatch(line))]
        assert len(stopped) == 1, model["log"]
        done, requested = int(stopped[0].group(1)), int(stopped[0].group(2))
        assert stopped[0].group(3) == unit and requested == params["n_estimators"]
        assert 1 <= done < requested  # the fit stopped early
        assert model["reason"] == stopped[0].group(0)
        # the run's thread returns (just after recording the final state): no fit goes on in the background
        wait_for(lambda: state.executor.active() == 0, 30, "the run's thread to return")

        events = sse_events(client, run_id)
        kinds = [(e["event"], e["data"].get("status")) for e in events]
        assert ("run_cancelling", "cancelling") in kinds
        assert kinds.index(("run_cancelling", "cancelling")) < kinds.index(("run_finished", "cancelled"))
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))  # one gap-free stream
        assert client.post(f"/api/v1/runs/{run_id}/cancel").status_code == 409  # finished now


def test_a_run_left_cancelling_by_a_stopped_server_ends_cancelled(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        upload(client, "big.csv", csv_bytes(big_frame(rows=200)))
        saved = save(client, training_workflow("random_forest", {"n_estimators": 5}))
        state = client.app.state.flowza  # type: ignore[attr-defined]
        # a run the executor never got, made running, then cancelled: what a server killed while cancelling leaves
        run = state.runs.create(state.user_id, saved["id"], None, None)
        with transaction(state.sessions) as session:
            Runs(session).mark_started(run.id)
        assert state.runs.request_cancel(state.user_id, run.id).status == "cancelling"
        assert client.get(f"/api/v1/runs/{run.id}").json()["status"] == "cancelling"
    with TestClient(create_app(settings)) as client:
        after = client.get(f"/api/v1/runs/{run.id}").json()
        assert after["status"] == "cancelled" and "server stopped" in after["error"]
        assert {node["status"] for node in after["nodes"].values()} == {"cancelled"}
        kinds = [(e["event"], e["data"].get("status")) for e in sse_events(client, run.id)]
        assert kinds == [("run_cancelling", "cancelling"), ("run_finished", "cancelled")]


def test_a_run_still_cancelling_when_its_server_gives_up_on_it_ends_cancelled(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        upload(client, "big.csv", csv_bytes(big_frame(rows=200)))
        saved = save(client, training_workflow("random_forest", {"n_estimators": 5}))
        state = client.app.state.flowza  # type: ignore[attr-defined]
        # a run whose fit did not stop within the shutdown grace after Cancel, and one nobody cancelled
        cancelling, running = (state.runs.create(state.user_id, saved["id"], None, None) for _ in range(2))
        with transaction(state.sessions) as session:
            assert Runs(session).mark_started(cancelling.id) and Runs(session).mark_started(running.id)
        assert state.runs.request_cancel(state.user_id, cancelling.id).status == "cancelling"
        state.runs.abandon(cancelling.id, "the server is shutting down")
        state.runs.abandon(running.id, "the server is shutting down")
        stopped = client.get(f"/api/v1/runs/{cancelling.id}").json()
        assert stopped["status"] == "cancelled" and "server stopped" in stopped["error"]
        assert {node["status"] for node in stopped["nodes"].values()} == {"cancelled"}
        failed = client.get(f"/api/v1/runs/{running.id}").json()
        assert failed["status"] == "failed" and failed["error"] == "the server is shutting down"


def test_a_cancelled_fit_the_server_stops_at_shutdown_ends_cancelled(settings: Settings) -> None:
    """Cancel asked for, then the server shuts down before the fit noticed: the run ends cancelled (a
    person asked for it), not failed for the shutdown."""
    params, _ = MODELS["random_forest"]
    with TestClient(create_app(settings.model_copy(update={"run_workers": 1}))) as client:
        state = client.app.state.flowza  # type: ignore[attr-defined]
        upload(client, "big.csv", csv_bytes(big_frame()))
        saved = save(client, training_workflow("random_forest", params))
        run_id = client.post(f"/api/v1/workflows/{saved['id']}/runs").json()["id"]
        wait_for(lambda: progress_of(client, run_id, "model"), 120, "the forest to report progress")
        # the cancel is recorded, and the server stops before its executor passed it on
        assert state.runs.request_cancel(state.user_id, run_id).status == "cancelling"
    with TestClient(create_app(settings)) as client:
        run = client.get(f"/api/v1/runs/{run_id}").json()
        assert run["status"] == "cancelled", run
        assert run["nodes"]["model"]["status"] == "cancelled"

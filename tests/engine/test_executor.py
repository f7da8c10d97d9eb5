"""Execution: events, cache hits and misses, failure isolation, cancellation, run up to a node."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from flowza.engine.cache import Cache
from flowza.engine.events import Event
from flowza.engine.executor import RunOptions, run_workflow
from flowza.engine.issues import ValidationFailed
from tests.engine.helpers import chain, classification_chain


def run(doc: dict[str, Any], data_dir: Path, cache: Cache | None, **kwargs: Any) -> Any:
    events: list[Event] = []
    result = run_workflow(doc, RunOptions(data_dir=data_dir, cache=cache, on_event=events.append, **kwargs))
    return result, events


def statuses(result: Any) -> dict[str, str]:
    return {node_id: r.status for node_id, r in result.nodes.items()}


def test_run_reports_events_in_order_and_metrics(data_dir: Path) -> None:
    result, events = run(classification_chain(), data_dir, None)
    assert result.status == "succeeded"
    assert set(statuses(result).values()) == {"succeeded"}
    assert events[0].type == "run_started" and events[-1].type == "run_finished"
    started = [e.node_id for e in events if e.type == "node_started"]
    assert started == ["load", "split", "impute", "encode", "scale", "model", "eval"]
    metrics = result.metrics["eval"]
    assert 0.5 < metrics["accuracy"] <= 1.0
    assert {"precision", "recall", "f1", "roc_auc", "confusion_matrix", "roc_curve"} <= set(metrics)
    assert metrics["confusion_matrix"]["labels"] == ["no", "yes"]
    assert sum(map(sum, metrics["confusion_matrix"]["matrix"])) == 60  # 20% of 300 rows


def test_second_run_is_all_cached_and_identical(data_dir: Path, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first, _ = run(classification_chain(), data_dir, cache)
    second, events = run(classification_chain(), data_dir, cache)
    assert set(statuses(second).values()) == {"cached"}
    assert not [e for e in events if e.type == "node_started"]
    assert second.metrics == first.metrics


def test_changing_one_param_reruns_that_node_and_downstream_only(data_dir: Path, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first, _ = run(classification_chain(), data_dir, cache)
    changed, _ = run(classification_chain(model_params={"C": 0.05}), data_dir, cache)
    assert statuses(changed) == {
        "load": "cached",
        "split": "cached",
        "impute": "cached",
        "encode": "cached",
        "scale": "cached",
        "model": "succeeded",
        "eval": "succeeded",
    }
    assert changed.nodes["model"].reason == "no cached output for these params and inputs"
    assert changed.nodes["eval"].reason == "upstream 'model' re-ran"
    assert changed.metrics != first.metrics or changed.nodes["model"].cache_key != first.nodes["model"].cache_key


def test_changing_the_file_invalidates_the_cache(data_dir: Path, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "synthetic.csv").write_bytes((data_dir / "synthetic.csv").read_bytes())
    cache = Cache(tmp_path / "cache")
    run(classification_chain(), directory, cache)
    with (directory / "synthetic.csv").open("a") as handle:
        handle.write("0.1,5.0,red,S,True,1.0,yes\n")
    again, _ = run(classification_chain(), directory, cache)
    assert again.nodes["load"].status == "succeeded"


def test_failing_node_skips_downstream_but_other_branches_finish(data_dir: Path, tmp_path: Path) -> None:
    doc = classification_chain()
    doc["nodes"] += [
        {"id": "bad_impute", "type": "impute", "params": {"strategy": "constant", "fill_value": "oops"}},
        {"id": "bad_model", "type": "random_forest", "params": {}},
        {"id": "bad_eval", "type": "evaluate", "params": {}},
    ]
    doc["edges"] += [
        {"source": "split", "target": "bad_impute"},
        {"source": "bad_impute", "target": "bad_model"},
        {"source": "bad_model", "target": "bad_eval"},
    ]
    doc["nodes"].insert(5, {"id": "bad_encode", "type": "encode_categorical", "params": {}})
    doc["edges"] = [e for e in doc["edges"] if e["source"] != "bad_impute"] + [
        {"source": "bad_impute", "target": "bad_encode"},
        {"source": "bad_encode", "target": "bad_model"},
    ]
    result, events = run(doc, data_dir, Cache(tmp_path / "cache"))
    assert result.status == "failed"
    assert result.nodes["bad_impute"].status == "failed"
    assert "fill_value" in (result.nodes["bad_impute"].error or "")
    assert [result.nodes[n].status for n in ("bad_encode", "bad_model", "bad_eval")] == ["skipped"] * 3
    assert result.nodes["eval"].status == "succeeded" and "eval" in result.metrics
    assert any(e.type == "node_failed" and e.node_id == "bad_impute" for e in events)


def test_cancel_before_start_marks_every_node_cancelled(data_dir: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    result, _ = run(classification_chain(), data_dir, None, cancel_event=cancel)
    assert result.status == "cancelled"
    assert set(statuses(result).values()) == {"cancelled"}


def test_cancel_during_a_run_stops_later_nodes(data_dir: Path) -> None:
    cancel = threading.Event()

    def on_event(event: Event) -> None:
        if event.type == "node_succeeded" and event.node_id == "impute":
            cancel.set()

    result = run_workflow(classification_chain(), RunOptions(data_dir=data_dir, cancel_event=cancel, on_event=on_event))
    assert result.status == "cancelled"
    assert statuses(result)["impute"] == "succeeded"
    assert {statuses(result)[n] for n in ("encode", "scale", "model", "eval")} == {"cancelled"}


def test_run_up_to_a_node(data_dir: Path) -> None:
    result, _ = run(classification_chain(), data_dir, None, target_node="encode")
    assert list(result.nodes) == ["load", "split", "impute", "encode"]
    assert result.status == "succeeded"


def test_invalid_workflow_raises_with_report(data_dir: Path) -> None:
    doc = classification_chain(target="nope")
    with pytest.raises(ValidationFailed) as info:
        run(doc, data_dir, None)
    assert info.value.report.errors[0].node_id == "split"


def test_damaged_cache_entry_is_recomputed(data_dir: Path, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first, _ = run(classification_chain(), data_dir, cache)
    scale_entry = cache.entry_dir(first.nodes["scale"].cache_key or "")
    stored = [f for f in scale_entry.iterdir() if f.name != "manifest.json"]
    assert stored
    for file in stored:
        file.write_bytes(b"garbage")
    changed, _ = run(classification_chain(model_params={"C": 0.5}), data_dir, cache)
    assert changed.status == "succeeded"
    assert any("recomputed" in line for line in changed.nodes["scale"].log)


def test_predict_and_export_model(data_dir: Path, tmp_path: Path) -> None:
    doc = classification_chain()
    doc["nodes"] += [
        {"id": "raw", "type": "load_csv", "params": {"dataset": "synthetic.csv"}},
        {"id": "fill", "type": "drop_nulls", "params": {}},
        {"id": "predict", "type": "predict", "params": {}},
        {"id": "export", "type": "export_model", "params": {"format": "skops", "name": "clf"}},
    ]
    doc["edges"] += [
        {"source": "raw", "target": "fill"},
        {"source": "model", "target": "predict"},
        {"source": "fill", "target": "predict"},
        {"source": "model", "target": "export"},
    ]
    result = run_workflow(doc, RunOptions(data_dir=data_dir, output_dir=tmp_path / "out", keep_outputs=True))
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items()}
    frame = result.outputs["predict"]["data"].frame
    assert set(frame["prediction"].unique()) <= {"yes", "no"}
    assert frame["probability"].between(0, 1).all()
    assert Path(result.files["export"]).is_file()


def test_linear_chain_with_every_model(data_dir: Path) -> None:
    for model in ("logistic_regression", "random_forest", "xgboost"):
        result, _ = run(classification_chain(model=model), data_dir, None)
        assert result.status == "succeeded", (model, {k: v.error for k, v in result.nodes.items()})
        assert result.metrics["eval"]["confusion_matrix"]["labels"] == ["no", "yes"]
    doc = chain(
        ("load", "load_csv", {"dataset": "sample_diabetes.csv"}),
        ("split", "train_test_split", {"target": "progression"}),
        ("model", "linear_regression", {}),
        ("eval", "evaluate", {}),
    )
    result, _ = run(doc, data_dir, None)
    assert result.status == "succeeded"
    assert {"mae", "rmse", "r2"} <= set(result.metrics["eval"])


@pytest.mark.parametrize("model", ["logistic_regression", "random_forest", "xgboost"])
def test_boolean_target_is_supported(data_dir: Path, model: str) -> None:
    result, _ = run(classification_chain(target="flag", model=model), data_dir, None)
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items()}
    metrics = result.metrics["eval"]
    assert metrics["positive_class"] is True
    assert metrics["confusion_matrix"]["labels"] == [False, True]


def test_regression_with_random_forest_auto_task(data_dir: Path) -> None:
    doc = classification_chain(target="amount", model="random_forest", model_params={"n_estimators": 20})
    doc["nodes"][1]["params"]["stratify"] = True  # ignored for a continuous target
    result, _ = run(doc, data_dir, None)
    assert result.status == "succeeded", {k: v.error for k, v in result.nodes.items()}
    assert result.metrics["eval"]["task"] == "regression" and result.metrics["eval"]["r2"] > 0.5


def test_exported_file_lands_in_output_dir_also_when_cached(data_dir: Path, tmp_path: Path) -> None:
    doc = classification_chain()
    doc["nodes"].append({"id": "export", "type": "export_model", "params": {"name": "clf"}})
    doc["edges"].append({"source": "model", "target": "export"})
    cache = Cache(tmp_path / "cache")
    first = run_workflow(doc, RunOptions(data_dir=data_dir, cache=cache, output_dir=tmp_path / "out1"))
    second = run_workflow(doc, RunOptions(data_dir=data_dir, cache=cache, output_dir=tmp_path / "out2"))
    assert second.nodes["export"].status == "cached"
    assert Path(first.files["export"]) == tmp_path / "out1" / "export" / "clf.skops"
    assert Path(second.files["export"]) == tmp_path / "out2" / "export" / "clf.skops"
    assert Path(second.files["export"]).read_bytes() == Path(first.files["export"]).read_bytes()
    assert (tmp_path / "out2" / "export" / "clf.json").is_file()

"""One contract over every registered node: params, schema, ports and a real run on small data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowza.nodes.base import Context, NodeDef
from flowza.nodes.registry import catalog, node_modules
from flowza.nodes.types import DATA, FILE, METRICS, MODEL, Dataset, ExportedFile, Metrics, TrainedModel
from tests.conftest import synthetic_frame

PORT_VALUE_TYPES = {DATA: Dataset, MODEL: TrainedModel, METRICS: Metrics, FILE: ExportedFile}
PARAMS_FOR_RUN: dict[str, dict[str, Any]] = {
    "load_csv": {"dataset": "synthetic.csv"},
    "train_test_split": {"target": "label"},
    "drop_columns": {"columns": ["size"]},
    "select_features": {"k": 3},
}
NODES = sorted(catalog())


def _ctx(node_id: str, data_dir: Path, tmp_path: Path) -> Context:
    return Context(node_id=node_id, data_dir=data_dir, output_dir=tmp_path / node_id, target_hint="label")


@pytest.fixture(scope="module")
def prepared(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A split, fully numeric dataset and a model trained on it, built with the real nodes."""
    nodes = catalog()
    tmp = tmp_path_factory.mktemp("contract")
    frame = synthetic_frame().dropna()
    data = Dataset(frame=frame.reset_index(drop=True))
    run = lambda t, d, **p: nodes[t].run(_ctx(t, data_dir, tmp), nodes[t].params_model(**p), data=d)["data"]  # noqa: E731
    split = run("train_test_split", data, target="label")
    numeric = run("encode_categorical", split)
    model = nodes["logistic_regression"].run(
        _ctx("m", data_dir, tmp), nodes["logistic_regression"].params_model(), data=numeric
    )["model"]
    return {"raw": data, "split": split, "numeric": numeric, "model": model}


def test_registry_is_not_empty_and_has_the_issue_nodes() -> None:
    required = {
        "load_csv",
        "drop_nulls",
        "drop_columns",
        "impute",
        "encode_categorical",
        "normalize",
        "select_features",
        "train_test_split",
        "logistic_regression",
        "linear_regression",
        "random_forest",
        "xgboost",
        "evaluate",
        "predict",
        "export_model",
    }
    assert required <= set(catalog())


@pytest.mark.parametrize("node_type", NODES)
def test_each_node_lives_in_the_module_named_after_its_type(node_type: str) -> None:
    """get_node imports only `node_modules()[type]`; a node elsewhere would be 'unknown' to a run."""
    import subprocess
    import sys

    assert node_modules()[node_type] == catalog()[node_type].module
    # and in a fresh process, finding it imports no other node module
    script = (
        "import sys; from flowza.nodes.registry import get_node, node_modules; "
        f"assert get_node({node_type!r}) is not None; "
        "print(sorted(m for m in node_modules().values() if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == repr([node_modules()[node_type]])


@pytest.mark.parametrize("node_type", NODES)
def test_defaults_validate_and_schema_serialises(node_type: str) -> None:
    definition: NodeDef = catalog()[node_type]
    definition.params_model.model_validate({})
    entry = definition.catalog_entry()
    text = json.dumps(entry)
    assert node_type in text
    assert entry["params_schema"]["type"] == "object"
    assert entry["params_schema"].get("additionalProperties") is False
    assert definition.category and definition.title and definition.description


@pytest.mark.parametrize("node_type", NODES)
def test_run_returns_exactly_the_declared_outputs(
    node_type: str, prepared: dict[str, Any], data_dir: Path, tmp_path: Path
) -> None:
    definition = catalog()[node_type]
    params = definition.params_model.model_validate(PARAMS_FOR_RUN.get(node_type, {}))
    inputs: dict[str, Any] = {}
    for name, port in definition.inputs.items():
        if port.type == MODEL:
            inputs[name] = prepared["model"]
        elif port.type == DATA:
            needs_numeric = node_type in (
                "logistic_regression",
                "linear_regression",
                "select_features",
                "random_forest",
                "xgboost",
                "evaluate",
                "predict",
            )
            inputs[name] = (
                prepared["numeric"]
                if needs_numeric
                else (prepared["raw"] if node_type == "train_test_split" else prepared["split"])
            )
    if node_type == "linear_regression":
        params = definition.params_model.model_validate({})
        numeric = prepared["numeric"]
        inputs["data"] = Dataset(frame=numeric.frame.drop(columns=["label"]), target=None)
        params = definition.params_model.model_validate({"target": "amount"})
    outputs = definition.run(_ctx(node_type, data_dir, tmp_path), params, **inputs)
    assert set(outputs) == set(definition.outputs)
    for name, port in definition.outputs.items():
        assert isinstance(outputs[name], PORT_VALUE_TYPES[port.type]), (node_type, name)

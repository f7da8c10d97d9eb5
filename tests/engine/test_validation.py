"""Every validation error kind and every ML lint warning, each naming the node and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from flowza.engine.issues import Issue
from flowza.engine.validate import validate
from tests.engine.helpers import chain, classification_chain


def errors(doc: dict[str, Any], data_dir: Path | None = None) -> list[Issue]:
    report, _, _ = validate(doc, data_dir)
    return report.errors


def warnings(doc: dict[str, Any], data_dir: Path | None = None) -> list[Issue]:
    report, _, _ = validate(doc, data_dir)
    assert report.ok, [str(e) for e in report.errors]
    return report.warnings


def only(issues: list[Issue], code: str) -> Issue:
    matching = [i for i in issues if i.code == code]
    assert matching, f"expected {code}, got {[(i.code, str(i)) for i in issues]}"
    return matching[0]


def test_valid_workflow_has_no_errors(data_dir: Path) -> None:
    report, workflow, graph = validate(classification_chain(), data_dir)
    assert report.ok and workflow is not None and graph is not None
    assert graph.order == ["load", "split", "impute", "encode", "scale", "model", "eval"]


def test_unknown_node_type_suggests_the_closest(data_dir: Path) -> None:
    doc = classification_chain()
    doc["nodes"][5]["type"] = "logistic_regresion"
    issue = only(errors(doc, data_dir), "unknown_node_type")
    assert issue.node_id == "model" and issue.field == "type"
    assert "logistic_regression" in issue.message


def test_unknown_param_is_named(data_dir: Path) -> None:
    doc = classification_chain(model_params={"c": 2.0})
    issue = only(errors(doc, data_dir), "unknown_param")
    assert (issue.node_id, issue.field) == ("model", "c")
    assert "'C'" in issue.message


def test_invalid_param_value_names_field(data_dir: Path) -> None:
    doc = classification_chain()
    doc["nodes"][1]["params"]["test_size"] = 1.5
    issue = only(errors(doc, data_dir), "invalid_param")
    assert (issue.node_id, issue.field) == ("split", "test_size")


def test_invalid_enum_value(data_dir: Path) -> None:
    doc = classification_chain()
    doc["nodes"][4]["params"]["method"] = "zscore"
    issue = only(errors(doc, data_dir), "invalid_param")
    assert (issue.node_id, issue.field) == ("scale", "method")


def test_duplicate_node_id() -> None:
    doc = classification_chain()
    doc["nodes"][3]["id"] = "impute"
    issue = only(errors(doc), "duplicate_id")
    assert issue.node_id == "impute"


def test_dangling_edge() -> None:
    doc = classification_chain()
    doc["edges"].append({"source": "ghost", "target": "eval"})
    issue = only(errors(doc), "dangling_edge")
    assert "ghost" in issue.message


def test_cycle() -> None:
    doc = chain(("load", "load_csv", {"dataset": "synthetic.csv"}), ("a", "drop_nulls", {}), ("b", "drop_columns", {}))
    doc["edges"][0] = {"source": "b", "target": "a"}
    doc["edges"].append({"source": "a", "target": "b"})
    doc["nodes"].append({"id": "c", "type": "drop_nulls", "params": {}})
    issue = only(errors(doc), "cycle")
    assert "a" in issue.message and "b" in issue.message


def test_self_loop_is_a_cycle() -> None:
    doc = classification_chain()
    doc["edges"].append({"source": "scale", "target": "scale"})
    assert only(errors(doc), "cycle").node_id == "scale"


def test_port_type_mismatch() -> None:
    doc = chain(("load", "load_csv", {"dataset": "synthetic.csv"}), ("export", "export_model", {}))
    issue = only(errors(doc), "port_mismatch")
    assert issue.node_id == "export"
    assert "outputs data" in issue.message and "model" in issue.message


def test_unknown_port_name() -> None:
    doc = classification_chain()
    doc["edges"][-1]["target_port"] = "modle"
    issue = only(errors(doc), "unknown_port")
    assert issue.node_id == "eval" and issue.field == "target_port"


def test_missing_required_input() -> None:
    doc = classification_chain()
    doc["edges"] = doc["edges"][:-1]
    issue = only(errors(doc), "missing_input")
    assert (issue.node_id, issue.field) == ("eval", "model")


def test_two_edges_into_one_input() -> None:
    doc = classification_chain()
    doc["nodes"].append({"id": "model2", "type": "random_forest", "params": {}})
    doc["edges"].append({"source": "scale", "target": "model2"})
    doc["edges"].append({"source": "model2", "target": "eval"})
    issue = only(errors(doc), "multiple_inputs")
    assert (issue.node_id, issue.field) == ("eval", "model")


def test_unknown_document_field_is_reported() -> None:
    doc = classification_chain()
    doc["nodes"][0]["colour"] = "red"
    issue = only(errors(doc), "invalid_document")
    assert issue.node_id == "load" and issue.field == "colour"


def test_target_not_in_data_is_checked_against_the_header(data_dir: Path) -> None:
    doc = classification_chain(target="lable")
    issue = only(errors(doc, data_dir), "unknown_column")
    assert (issue.node_id, issue.field) == ("split", "target")
    assert "'lable'" in issue.message and "did you mean 'label'" in issue.message


def test_listed_column_not_in_data(data_dir: Path) -> None:
    doc = classification_chain()
    doc["nodes"][4]["params"]["columns"] = ["x1", "x9"]
    issue = only(errors(doc, data_dir), "unknown_column")
    assert (issue.node_id, issue.field) == ("scale", "columns")
    assert "'x9'" in issue.message


def test_dropped_column_is_no_longer_available(data_dir: Path) -> None:
    doc = chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("drop", "drop_columns", {"columns": ["x1"]}),
        ("scale", "normalize", {"columns": ["x1"]}),
    )
    assert only(errors(doc, data_dir), "unknown_column").node_id == "scale"


def test_missing_dataset_file(data_dir: Path) -> None:
    doc = classification_chain(dataset="nope.csv")
    issue = only(errors(doc, data_dir), "node_check")
    assert (issue.node_id, issue.field) == ("load", "dataset")
    assert "not found" in issue.message


@pytest.mark.parametrize("name", ["../secret.csv", "/etc/passwd", "a/../../b.csv", "x\x00.csv", "%2e%2e/x.csv"])
def test_dataset_names_cannot_leave_the_data_dir(data_dir: Path, name: str) -> None:
    doc = classification_chain(dataset=name)
    issue = only(errors(doc, data_dir), "node_check")
    assert issue.node_id == "load"


def test_text_columns_reaching_a_model_without_encoder(data_dir: Path) -> None:
    doc = chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("split", "train_test_split", {"target": "label"}),
        ("impute", "impute", {}),
        ("model", "random_forest", {}),
    )
    issue = only(errors(doc, data_dir), "node_check")
    assert issue.node_id == "model"
    assert "'color'" in issue.message and "encode" in issue.message


def test_regression_on_text_target(data_dir: Path) -> None:
    doc = chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("split", "train_test_split", {"target": "label", "stratify": False}),
        ("impute", "impute", {}),
        ("encode", "encode_categorical", {}),
        ("model", "linear_regression", {}),
    )
    issue = only(errors(doc, data_dir), "node_check")
    assert issue.node_id == "model" and "numeric target" in issue.message


def test_missing_values_reaching_logistic_regression(data_dir: Path) -> None:
    doc = chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("split", "train_test_split", {"target": "label"}),
        ("encode", "encode_categorical", {}),
        ("model", "logistic_regression", {}),
    )
    issue = only(errors(doc, data_dir), "node_check")
    assert issue.node_id == "model" and "'x2'" in issue.message and "impute" in issue.message


# --- lint warnings -------------------------------------------------------------------------


def test_stateful_step_before_split_warns_leakage(data_dir: Path) -> None:
    doc = chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("impute", "impute", {}),
        ("split", "train_test_split", {"target": "label"}),
        ("encode", "encode_categorical", {}),
        ("model", "logistic_regression", {}),
        ("eval", "evaluate", {}),
    )
    issue = only(warnings(doc, data_dir), "leakage_before_split")
    assert issue.node_id == "impute"


def test_no_leakage_warning_when_steps_follow_the_split(data_dir: Path) -> None:
    codes = {w.code for w in warnings(classification_chain(), data_dir)}
    assert "leakage_before_split" not in codes and "no_holdout" not in codes


@pytest.fixture(scope="module")
def lint_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lint")
    rng = np.random.default_rng(1)
    rows = 200
    y = rng.integers(0, 2, rows)
    frame = pd.DataFrame(
        {
            "row_id": np.arange(rows) + 1000,
            "x": rng.normal(size=rows),
            "outcome": y,
            "outcome_text": np.where(y == 1, "yes", "no"),
            "city": [f"city_{i}" for i in rng.integers(0, 80, rows)],
        }
    )
    frame.to_csv(directory / "lint.csv", index=False)
    return directory


def lint_doc(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return chain(
        ("load", "load_csv", {"dataset": "lint.csv"}),
        ("split", "train_test_split", {"target": "outcome"}),
        ("encode", "encode_categorical", extra or {}),
        ("model", "xgboost", {}),
        ("eval", "evaluate", {}),
    )


def test_target_leak_warning(lint_dir: Path) -> None:
    issue = only(warnings(lint_doc(), lint_dir), "target_leak")
    assert issue.node_id == "model" and "'outcome_text'" in issue.message


def test_identifier_feature_warning(lint_dir: Path) -> None:
    issue = only(warnings(lint_doc(), lint_dir), "identifier_feature")
    assert "'row_id'" in issue.message


def test_onehot_with_many_categories_warning(lint_dir: Path) -> None:
    issue = only(warnings(lint_doc(), lint_dir), "onehot_many_categories")
    assert issue.node_id == "encode" and "'city'" in issue.message


def test_ordinal_encoding_does_not_warn_about_categories(lint_dir: Path) -> None:
    codes = {w.code for w in warnings(lint_doc({"method": "ordinal"}), lint_dir)}
    assert "onehot_many_categories" not in codes


def test_evaluation_without_holdout_warns(data_dir: Path) -> None:
    doc = chain(
        ("load", "load_csv", {"dataset": "synthetic.csv"}),
        ("impute", "impute", {}),
        ("encode", "encode_categorical", {}),
        ("model", "logistic_regression", {"target": "label"}),
        ("eval", "evaluate", {}),
    )
    issue = only(warnings(doc, data_dir), "no_holdout")
    assert issue.node_id == "eval"


def test_titanic_alive_is_flagged_as_leaking_survived(shared_datasets: Path) -> None:
    doc = classification_chain(dataset="titanic.csv", target="survived")
    leaks = [w for w in warnings(doc, shared_datasets) if w.code == "target_leak"]
    assert [w.message.split("'")[1] for w in leaks] == ["alive"]


def test_validation_does_not_mutate_the_document(data_dir: Path) -> None:
    doc = classification_chain()
    before = copy.deepcopy(doc)
    validate(doc, data_dir)
    assert doc == before

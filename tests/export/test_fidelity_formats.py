"""Fidelity on project-made data: CSV dialects the script must detect like Flowza, booleans, missing text,
steps placed before the split, and predictions with a probability column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowza.codegen.export import export_workflow
from tests.conftest import synthetic_frame
from tests.export.support import assert_same, engine_run, last_json, plain, run_script, workflow


def _european_csv(folder: Path) -> None:
    frame = synthetic_frame(rows=240, seed=5)
    frame["color"] = frame["color"].map({"red": "rouge café", "green": "vert", "blue": "bleu"}, na_action="ignore")
    frame.to_csv(folder / "euro.csv", sep=";", encoding="cp1252", index=False)


def _dialect_workflow(separator: str, encoding: str) -> dict[str, Any]:
    return workflow(
        "European CSV",
        [
            ("load", "load_csv", {"dataset": "euro.csv", "separator": separator, "encoding": encoding}),
            ("split", "train_test_split", {"target": "label", "seed": 9}),
            ("impute", "impute", {"strategy": "most_frequent"}),
            ("encode", "encode_categorical", {}),
            ("model", "logistic_regression", {"C": 2.0}),
            ("eval", "evaluate", {}),
        ],
        [("load", "split"), ("split", "impute"), ("impute", "encode"), ("encode", "model"), ("model", "eval")],
    )


@pytest.mark.parametrize(("separator", "encoding"), [("auto", "auto"), (";", "cp1252"), ("auto", "cp1252")])
def test_csv_dialects(separator: str, encoding: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _european_csv(data)
    document = _dialect_workflow(separator, encoding)
    expected = plain(engine_run(document, data, tmp_path / "engine").metrics)
    for data_dir in (None, data):  # detected by the script / at export
        script = tmp_path / f"wf_{data_dir is None}.py"
        script.write_text(export_workflow(document, "script", data_dir=data_dir), encoding="utf-8")
        assert_same(expected, last_json(run_script(script, data, tmp_path / "out")))


def test_steps_before_the_split_booleans_and_predictions(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """impute before the split (fits on all rows, target from downstream), a boolean feature, k-best
    selection, a forest, evaluation on raw data through the whole pipeline, and predict's probability."""
    document = workflow(
        "Synthetic",
        [
            ("load", "load_csv", {"dataset": "synthetic.csv"}),
            ("fill", "impute", {}),
            ("split", "train_test_split", {"target": "label", "test_size": 0.3}),
            ("encode", "encode_categorical", {}),
            ("select", "select_features", {"k": 4}),
            ("forest", "random_forest", {"n_estimators": 25, "max_depth": 5}),
            ("eval", "evaluate", {}),
            ("scored", "predict", {}),
            ("eval_raw", "evaluate", {}),
        ],
        [
            ("load", "fill"),
            ("fill", "split"),
            ("split", "encode"),
            ("encode", "select"),
            ("select", "forest"),
            ("forest", "eval"),
            ("forest", "scored", "model"),
            ("load", "scored", "data"),
            ("forest", "eval_raw", "model"),
            ("load", "eval_raw", "data"),
        ],
    )
    result = engine_run(document, data_dir, tmp_path / "engine", keep=True)
    expected = plain(result.metrics)
    assert expected["eval_raw"]["evaluated_on"] == "train"
    script = tmp_path / "wf.py"
    script.write_text(export_workflow(document, "script"), encoding="utf-8")
    assert_same(expected, last_json(run_script(script, data_dir, tmp_path / "out")))

    import runpy

    monkeypatch.setenv("DATA_DIR", str(data_dir))
    names = runpy.run_path(str(script), run_name="exported")  # our own generated file, to compare a table
    scored = result.outputs["scored"]["data"].frame
    assert list(names["scored_data"].columns) == list(scored.columns)
    assert (names["scored_data"]["prediction"].to_numpy() == scored["prediction"].to_numpy()).all()
    assert abs(names["scored_data"]["probability"] - scored["probability"]).max() < 1e-12

"""Dataset profile, leak detection and prompt reading, on small frames and the shared datasets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flowza.ai.errors import GenerationRefused
from flowza.ai.intent import parse_intent
from flowza.ai.leaks import additive_identity, determines, find_leaks
from flowza.ai.profile import profile_csv, profile_frame
from flowza.ai.target import choose_target


def test_profile_reports_kinds_missing_cardinality_and_identifiers(shared_datasets: Path) -> None:
    titanic = profile_csv(shared_datasets / "titanic.csv")
    age = titanic.column("age")
    assert age is not None and (age.kind, age.missing) == ("numeric", 177)
    sex = titanic.column("sex")
    assert sex is not None and (sex.kind, sex.distinct) == ("text", 2)
    assert titanic.to_dict()["rows"] == 891
    mpg = profile_csv(shared_datasets / "mpg.csv")
    assert [c.name for c in mpg.columns if c.identifier_like] == ["name"]
    taxis = profile_csv(shared_datasets / "taxis.csv")
    assert {c.name for c in taxis.columns if c.identifier_like} == {"pickup", "dropoff"}


def test_integer_row_numbers_are_identifiers_but_measurements_are_not() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"passenger_id": np.arange(100), "height": rng.normal(size=100), "code": ["a", "b"] * 50})
    profile = profile_frame(frame, "people.csv")
    assert [c.name for c in profile.columns if c.identifier_like] == ["passenger_id"]


def test_leaks_found_from_the_data(shared_datasets: Path) -> None:
    titanic = profile_csv(shared_datasets / "titanic.csv")
    others = [c for c in titanic.names if c != "survived"]
    assert [leak.column for leak in find_leaks(titanic, "survived", others)] == ["alive"]
    taxis = profile_csv(shared_datasets / "taxis.csv")
    for target in ("tip", "fare"):
        leaks = find_leaks(taxis, target, [c for c in taxis.names if c != target])
        assert "total" in [leak.column for leak in leaks]
    assert additive_identity(taxis.frame, "distance") is None
    tips = profile_csv(shared_datasets / "tips.csv")
    assert find_leaks(tips, "tip", [c for c in tips.names if c != "tip"]) == []


def test_determines_needs_repeated_values() -> None:
    y = pd.Series(["a", "b"] * 20)
    assert determines(pd.Series(["x", "y"] * 20), y)
    assert not determines(pd.Series(range(40)), y)  # unique values map to one answer by accident
    assert not determines(pd.Series(["x"] * 40), y)


@pytest.mark.parametrize(
    ("prompt", "field", "value"),
    [
        ("Predict survived with XGBoost", "model", "xgboost"),
        ("use gradient boosting", "model", "xgboost"),
        ("a random forest please", "model", "random_forest"),
        ("logistic regression on sex", "model", "logistic_regression"),
        ("logistic regression on sex", "task", "classification"),
        ("fit a linear model", "model", "linear"),
        ("how much will they tip", "task", "regression"),
        ("fill missing values in titanic", "task", "cleaning"),
        ("drop rows with missing values", "nulls", "drop"),
        ("show me the F1 score", "metric", "f1"),
        ("report r-squared", "metric", "r2"),
        ("export the model to onnx", "export_format", "onnx"),
        ("save the model", "export_format", "skops"),
        ("min-max scaling", "scale", "minmax"),
        ("use ordinal encoding", "encoding", "ordinal"),
        ("logistic regression with balanced classes", "balanced", True),
    ],
)
def test_intent(prompt: str, field: str, value: str | bool) -> None:
    assert getattr(parse_intent(prompt), field) == value


def test_numbers_in_the_prompt() -> None:
    numbers = parse_intent("random forest with 200 trees, max depth 5, seed 7 and a 70/30 split").numbers
    assert numbers == {"test_size": 0.3, "n_estimators": 200, "max_depth": 5, "seed": 7}
    assert parse_intent("25% for testing").numbers["test_size"] == 0.25
    assert parse_intent("hold out 40% of the rows").numbers["test_size"] == 0.4


@pytest.mark.parametrize(
    ("prompt", "target"),
    [
        ("Predict SURVIVED", "survived"),
        ("predict survivd", "survived"),  # a typo
        ("predict the survival of passengers", "survived"),
        ("estimate body mass", "body_mass_g"),
        ("Who survived? use age and sex", "survived"),  # 'who' is a question here, not the column
        ("use `alive` as the target", "alive"),
    ],
)
def test_target_matching(prompt: str, target: str, shared_datasets: Path) -> None:
    name = "penguins.csv" if "mass" in prompt else "titanic.csv"
    profile = profile_csv(shared_datasets / name)
    assert choose_target(prompt, profile, None).target == target


def test_features_named_and_left_out(shared_datasets: Path) -> None:
    titanic = profile_csv(shared_datasets / "titanic.csv")
    only = choose_target("predict survived using only sex and pclass", titanic, None)
    assert (only.target, only.only) == ("survived", ["sex", "pclass"])
    left = choose_target("predict survived but leave out deck and embark_town", titanic, None)
    assert (left.target, left.dropped) == ("survived", ["deck", "embark_town"])


def test_target_guess_and_unknown_column(shared_datasets: Path) -> None:
    iris = profile_csv(shared_datasets / "iris.csv")
    choice = choose_target("train a classifier on this data", iris, "classification")
    assert choice.target == "species" and "guessed" in choice.reason
    with pytest.raises(GenerationRefused, match="no column 'colour'"):
        choose_target("predict the colour", iris, None)


def test_a_target_with_nothing_to_learn_from_is_refused(tmp_path: Path) -> None:
    from flowza.ai.generate import generate

    frame = pd.DataFrame({"row": range(50), "label": ["a", "b"] * 25})  # the only other column is an identifier
    frame.to_csv(tmp_path / "thin.csv", index=False)
    with pytest.raises(GenerationRefused, match="no feature columns") as caught:
        generate("predict label", dataset=tmp_path / "thin.csv", use_llm=False)
    assert caught.value.code == "no_features"

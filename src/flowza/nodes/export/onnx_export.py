"""Converting a trained pipeline to ONNX with one input per raw column (DESIGN.md section 12)."""

from __future__ import annotations

from typing import Any

from flowza.nodes.base import NodeError
from flowza.nodes.types import TrainedModel

TARGET_OPSET = 18


def _register_xgboost() -> None:
    from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from xgboost import XGBClassifier, XGBRegressor

    update_registered_converter(
        XGBClassifier,
        "XGBoostXGBClassifier",
        calculate_linear_classifier_output_shapes,
        convert_xgboost,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )
    update_registered_converter(
        XGBRegressor, "XGBoostXGBRegressor", calculate_linear_regressor_output_shapes, convert_xgboost
    )


def input_types(model: TrainedModel, kinds: dict[str, str]) -> list[tuple[str, Any]]:
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    if len(model.pipeline.steps) == 1:
        return [("input", FloatTensorType([None, len(model.input_columns)]))]
    return [
        (name, StringTensorType([None, 1]) if kinds.get(name) == "text" else FloatTensorType([None, 1]))
        for name in model.input_columns
    ]


def to_onnx(model: TrainedModel, kinds: dict[str, str] | None = None) -> bytes:
    try:
        from skl2onnx import convert_sklearn
        from sklearn.preprocessing import StandardScaler
    except ImportError as exc:  # pragma: no cover - part of the pinned dependencies
        raise NodeError(f"ONNX export needs skl2onnx: {exc}", "format") from exc
    kinds = kinds if kinds is not None else model.extra.get("input_kinds", {})
    options: dict[Any, Any] = {}
    if model.algorithm == "xgboost":
        _register_xgboost()
    for _, step in model.pipeline.steps:
        for _, inner, _ in getattr(step, "transformers_", []):
            if isinstance(inner, StandardScaler):
                options[id(inner)] = {"div": "div"}
    if model.task == "classification":
        options[id(model.pipeline.steps[-1][1])] = {"zipmap": False}
    try:
        onx = convert_sklearn(
            model.pipeline,
            initial_types=input_types(model, kinds),
            options=options,
            target_opset=None if model.algorithm == "xgboost" else TARGET_OPSET,
        )
    except Exception as exc:  # skl2onnx raises many types for unsupported pipelines
        raise NodeError(f"this pipeline cannot be converted to ONNX: {exc}", "format") from exc
    return bytes(onx.SerializeToString())

"""Converting a trained pipeline to ONNX with one input per raw column (DESIGN.md section 12).

skl2onnx converts a Pipeline whose first step reads named columns, but a Flowza pipeline chains
several ColumnTransformers over pandas frames and the later ones address columns by name too,
which skl2onnx cannot follow. So the graph is assembled column by column: each transformer
inside each step is converted on its own (skl2onnx; onnxmltools for XGBoost) over the columns
it reads, and its outputs become named columns again for the next step. The model's inputs are
the raw columns: a `[N, 1]` string tensor per text column (a missing value is the empty string)
and a `[N, 1]` float tensor per numeric or boolean column (a missing value is NaN). Its outputs
are `label` and, for classifiers, `probabilities` (columns in the estimator's class order).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from flowza.nodes.base import NodeError
from flowza.nodes.types import TrainedModel

TARGET_OPSET = 21
ML_OPSET = 3  # the highest ai.onnx.ml version onnxmltools' XGBoost converter writes
TEXT_KIND = "text"


@dataclass(frozen=True)
class Column:
    """A column of the data inside the ONNX graph: a [N, 1] tensor, or one column of a wider one."""

    tensor: str
    index: int | None
    elem_type: int  # onnx.TensorProto data type


@dataclass
class GraphBuilder:
    nodes: list[Any] = field(default_factory=list)
    initializers: list[Any] = field(default_factory=list)
    opsets: dict[str, int] = field(default_factory=dict)
    counter: int = 0

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}_{self.counter}"

    def add(self, op: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        from onnx import helper

        out = self.fresh(hint)
        self.nodes.append(helper.make_node(op, inputs, [out], name=self.fresh(op), **attrs))
        return out

    def constant(self, value: Any, hint: str) -> str:
        from onnx import numpy_helper

        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def single(self, column: Column) -> str:
        """The column as its own [N, 1] tensor."""
        import numpy as np

        if column.index is None:
            return column.tensor
        starts = self.constant(np.array([column.index], dtype=np.int64), "start")
        ends = self.constant(np.array([column.index + 1], dtype=np.int64), "end")
        axes = self.constant(np.array([1], dtype=np.int64), "axis")
        return self.add("Slice", [column.tensor, starts, ends, axes], "column")

    def matrix(self, columns: list[Column], elem_type: int | None = None) -> str:
        """The columns side by side in one [N, k] tensor (cast to `elem_type` when given)."""
        parts = []
        for column in columns:
            tensor = self.single(column)
            if elem_type is not None and column.elem_type != elem_type:
                tensor = self.add("Cast", [tensor], "cast", to=elem_type)
            parts.append(tensor)
        return parts[0] if len(parts) == 1 else self.add("Concat", parts, "matrix", axis=1)

    def splice(self, model: Any, input_tensor: str, prefix: str) -> list[tuple[str, Any]]:
        """Copy a converted model's graph in, reading `input_tensor`; returns its outputs (name, type)."""
        graph = model.graph
        source_input = graph.input[0].name
        rename = {source_input: input_tensor}

        def name_of(name: str) -> str:
            if not name:
                return name
            return rename.setdefault(name, f"{prefix}/{name}")

        for initializer in graph.initializer:
            copied = copy.deepcopy(initializer)
            copied.name = name_of(initializer.name)
            self.initializers.append(copied)
        for node in graph.node:
            copied = copy.deepcopy(node)
            copied.name = f"{prefix}/{node.name}"
            del copied.input[:]
            copied.input.extend(name_of(n) for n in node.input)
            del copied.output[:]
            copied.output.extend(name_of(n) for n in node.output)
            self.nodes.append(copied)
        for opset in model.opset_import:
            self.opsets[opset.domain] = max(self.opsets.get(opset.domain, 0), opset.version)
        return [(name_of(o.name), o.type) for o in graph.output]


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


def _convert(estimator: Any, width: int, elem_type: int, options: dict[str, Any] | None = None) -> Any:
    from onnx import TensorProto
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, StringTensorType

    types: dict[int, Any] = {TensorProto.STRING: StringTensorType, TensorProto.DOUBLE: DoubleTensorType}
    tensor_type = types.get(elem_type, FloatTensorType)([None, width])
    return convert_sklearn(
        estimator,
        initial_types=[("X", tensor_type)],
        options={id(estimator): options} if options else None,
        target_opset={"": TARGET_OPSET, "ai.onnx.ml": ML_OPSET},
    )


def _text_imputer(builder: GraphBuilder, imputer: Any, columns: list[Column]) -> list[Column]:
    """SimpleImputer over text: skl2onnx cannot fill NaN in strings, so an empty string is filled here."""
    import numpy as np
    from onnx import TensorProto

    empty = builder.constant(np.array([""], dtype=object), "empty")
    filled = []
    for column, value in zip(columns, imputer.statistics_, strict=True):
        tensor = builder.single(column)
        missing = builder.add("Equal", [tensor, empty], "missing")
        fill = builder.constant(np.array([str(value)], dtype=object), "fill")
        filled.append(Column(builder.add("Where", [missing, fill, tensor], "filled"), None, TensorProto.STRING))
    return filled


def _numeric_imputer(builder: GraphBuilder, imputer: Any, columns: list[Column]) -> list[Column]:
    """SimpleImputer over numbers in double precision (onnxruntime's Imputer works in float32 only)."""
    import numpy as np
    from onnx import TensorProto

    filled = []
    for column, value in zip(columns, imputer.statistics_, strict=True):
        tensor = builder.single(column)
        if column.elem_type != TensorProto.DOUBLE:
            tensor = builder.add("Cast", [tensor], "cast", to=TensorProto.DOUBLE)
        missing = builder.add("IsNaN", [tensor], "missing")
        fill = builder.constant(np.array([float(value)], dtype=np.float64), "fill")
        filled.append(Column(builder.add("Where", [missing, fill, tensor], "filled"), None, TensorProto.DOUBLE))
    return filled


def _inner(builder: GraphBuilder, transformer: Any, columns: list[Column], prefix: str) -> list[Column]:
    """Columns out of one fitted transformer of a ColumnTransformer, in its output order."""
    from onnx import TensorProto
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    text = any(c.elem_type == TensorProto.STRING for c in columns)
    if text and not all(c.elem_type == TensorProto.STRING for c in columns):
        raise NodeError(f"{type(transformer).__name__} mixes text and numeric columns; ONNX cannot", "format")
    if isinstance(transformer, SimpleImputer):
        return (_text_imputer if text else _numeric_imputer)(builder, transformer, columns)
    if isinstance(transformer, (OneHotEncoder, OrdinalEncoder)):
        for categories in transformer.categories_:
            if any(isinstance(v, float) for v in categories):
                raise NodeError(
                    "the encoder learnt missing values as a category, which ONNX cannot represent; "
                    "add an impute step before encoding",
                    "format",
                )
    if text:
        elem_type = TensorProto.STRING
    else:  # numbers stay in double precision until the estimator, as in scikit-learn
        elem_type = TensorProto.DOUBLE
    options = {"div": "div"} if isinstance(transformer, StandardScaler) else None
    model = _convert(transformer, len(columns), elem_type, options)
    outputs = builder.splice(model, builder.matrix(columns, elem_type), prefix)
    name, tensor_type = outputs[0]
    elem_type = tensor_type.tensor_type.elem_type
    width = len(transformer.get_feature_names_out())
    return [Column(name, i, elem_type) for i in range(width)]


def _is_passthrough(transformer: Any) -> bool:
    from sklearn.preprocessing import FunctionTransformer

    if isinstance(transformer, str):
        return transformer == "passthrough"
    return isinstance(transformer, FunctionTransformer) and transformer.func is None


def _step(builder: GraphBuilder, step_name: str, step: Any, columns: dict[str, Column]) -> dict[str, Column]:
    """The named columns after one fitted step of the pipeline."""
    from sklearn.compose import ColumnTransformer

    if not isinstance(step, ColumnTransformer):  # SelectKBest, VarianceThreshold: keep some columns
        return {str(name): columns[str(name)] for name in step.get_feature_names_out()}
    produced: dict[str, Column] = {}
    for name, transformer, selected in step.transformers_:
        if transformer == "drop" or len(selected) == 0:
            continue
        names = [str(step.feature_names_in_[i]) if isinstance(i, int) else str(i) for i in selected]
        if _is_passthrough(transformer):
            produced.update({n: columns[n] for n in names})
            continue
        outputs = _inner(builder, transformer, [columns[n] for n in names], f"{step_name}/{name}")
        out_names = [str(n) for n in transformer.get_feature_names_out(names)]
        produced.update(zip(out_names, outputs, strict=True))
    return {str(name): produced[str(name)] for name in step.get_feature_names_out()}


def _estimator_for_onnx(model: TrainedModel, estimator: Any) -> Any:
    if model.algorithm != "xgboost":
        return estimator
    _register_xgboost()
    copied = copy.deepcopy(estimator)
    copied.get_booster().feature_names = None  # the converter expects f0, f1, ... names
    copied.get_booster().feature_types = None
    return copied


def input_schema(model: TrainedModel) -> dict[str, Any]:
    """How to feed the ONNX model: one [N, 1] input per raw column, and what comes out."""
    kinds = model.extra.get("input_kinds", {})
    outputs = ["label", "probabilities"] if model.task == "classification" else ["prediction"]
    return {
        "inputs": {c: "string" if kinds.get(c) == TEXT_KIND else "double" for c in model.input_columns},
        "missing_values": "NaN for numbers, the empty string for text",
        "outputs": outputs,
        "label_is_class_index": model.label_encoded,
    }


def to_onnx(model: TrainedModel, kinds: dict[str, str] | None = None) -> bytes:
    try:
        import onnx
        from onnx import TensorProto, helper
    except ImportError as exc:  # pragma: no cover - part of the pinned dependencies
        raise NodeError(f"ONNX export needs onnx and skl2onnx: {exc}", "format") from exc
    kinds = kinds if kinds is not None else model.extra.get("input_kinds", {})
    builder = GraphBuilder()
    inputs = []
    columns: dict[str, Column] = {}
    for name in model.input_columns:
        elem_type = TensorProto.STRING if kinds.get(name) == TEXT_KIND else TensorProto.DOUBLE
        inputs.append(helper.make_tensor_value_info(name, elem_type, [None, 1]))
        columns[name] = Column(name, None, elem_type)
    *steps, (_, estimator) = model.pipeline.steps
    try:
        for step_name, step in steps:
            columns = _step(builder, step_name, step, columns)
        features = [columns[name] for name in model.feature_names]
        classifier = model.task == "classification"
        # trees compare float32 values (scikit-learn and XGBoost cast their input so): cast once, here
        converted = _convert(
            _estimator_for_onnx(model, estimator),
            len(features),
            TensorProto.FLOAT,
            {"zipmap": False} if classifier else None,
        )
        outputs = builder.splice(converted, builder.matrix(features, TensorProto.FLOAT), "model")
    except NodeError:
        raise
    except Exception as exc:  # skl2onnx raises many types for what it cannot convert
        raise NodeError(f"this pipeline cannot be converted to ONNX: {type(exc).__name__}: {exc}", "format") from exc
    names = ["label", "probabilities"] if classifier else ["prediction"]
    graph_outputs = []
    for (tensor, tensor_type), public in zip(outputs, names, strict=False):
        builder.nodes.append(helper.make_node("Identity", [tensor], [public], name=f"output_{public}"))
        info = helper.make_empty_tensor_value_info(public)
        info.type.CopyFrom(tensor_type)
        graph_outputs.append(info)
    graph = helper.make_graph(builder.nodes, "flowza_pipeline", inputs, graph_outputs, builder.initializers)
    opsets = [helper.make_opsetid(domain, version) for domain, version in sorted(builder.opsets.items())]
    if not any(o.domain == "" for o in opsets):
        opsets.append(helper.make_opsetid("", TARGET_OPSET))
    onx = helper.make_model(graph, opset_imports=opsets, producer_name="flowza")
    try:
        onnx.checker.check_model(onx)
    except Exception as exc:
        raise NodeError(f"the ONNX graph of this pipeline is not valid: {exc}", "format") from exc
    return bytes(onx.SerializeToString())

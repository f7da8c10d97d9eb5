"""What a node's `code()` gets (`Names`) and returns (`Snippet`).

User strings (node ids, column names, params) reach the generated source only through `lit()`,
which writes Python literals with `repr()`; variable names are made by `Allocator`, which keeps
to ASCII identifiers, so neither can inject code.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def lit(value: Any) -> str:
    """A Python literal for a JSON-like value (None, bool, int, float, str, list, tuple, dict)."""
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        items = ", ".join(lit(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def comment_text(value: Any) -> str:
    """Text safe inside a `#` comment: one line, every user string written as a literal."""
    text = lit(value) if not isinstance(value, str) else repr(value)
    return text.replace("\n", "\\n").replace("\r", "\\r")


def identifier(text: str) -> str:
    """An ASCII Python identifier that reads like `text`."""
    name = re.sub(r"[^0-9A-Za-z_]+", "_", text).strip("_").lower()
    name = re.sub(r"_+", "_", name)[:24].rstrip("_")
    if not name:
        name = "node"
    if name[0].isdigit():
        name = "n" + name
    return name


@dataclass
class Allocator:
    """Hands out unique variable names for the whole generated file."""

    reserved: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    prefixes: dict[str, str] = field(default_factory=dict)

    def taken(self, name: str) -> bool:
        return (
            name in self.used
            or name in self.reserved
            or keyword.iskeyword(name)
            or keyword.issoftkeyword(name)
            or hasattr(builtins, name)
        )

    def prefix(self, node_id: str) -> str:
        if node_id not in self.prefixes:
            base = identifier(node_id)
            candidate, n = base, 2
            while candidate in self.prefixes.values():
                candidate, n = f"{base}{n}", n + 1
            self.prefixes[node_id] = candidate
        return self.prefixes[node_id]

    def name(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while self.taken(candidate) or not candidate.isidentifier():
            candidate, n = f"{wanted}_{n}", n + 1
        self.used.add(candidate)
        return candidate


@dataclass(frozen=True)
class DataRef:
    """A table in the generated code: its variable, the split's row variables, the fitted steps so far."""

    frame: str
    steps: str  # variable holding [(node id, fitted transformer), ...]
    target: str | None = None  # set by the split (a static column name)
    train_rows: str | None = None
    test_rows: str | None = None

    @property
    def split(self) -> bool:
        return self.train_rows is not None


@dataclass(frozen=True)
class ModelRef:
    """A trained model in the generated code: the variables its training section defines."""

    node_id: str
    target: str
    task: str | None  # "classification" / "regression", or None when decided at run time
    task_var: str
    pipeline: str
    estimator: str
    classes: str
    label_encoded: str
    feature_names: str
    input_columns: str
    step_names: str
    y_true: str
    y_pred: str
    y_score: str
    part: str  # "test" or "train": the rows the holdout predictions are on


@dataclass(frozen=True)
class MetricsRef:
    variable: str


@dataclass(frozen=True)
class FileRef:
    path: str


@dataclass(frozen=True)
class Import:
    """`import module [as alias]` (name None) or `from module import name [as alias]`."""

    module: str
    name: str | None = None
    alias: str | None = None

    @property
    def bound(self) -> str:
        if self.alias:
            return self.alias
        return self.name if self.name else self.module.split(".")[0]


@dataclass(frozen=True)
class Helper:
    """A function defined once near the top of the generated file."""

    name: str
    source: str
    imports: tuple[Import, ...] = ()
    requires: tuple[Helper, ...] = ()


@dataclass
class Snippet:
    """A node's step as Python source, and what it defines for the nodes downstream."""

    code: str
    imports: tuple[Import, ...] = ()
    helpers: tuple[Helper, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)  # port -> DataRef | ModelRef | MetricsRef | FileRef
    preview: str | None = None  # notebook: an expression shown after the step, e.g. "load_data.head()"
    chart: str | None = None  # notebook: code drawing the step's charts
    chart_imports: tuple[Import, ...] = ()
    metrics: str | None = None  # variable of a metrics dict reported at the end
    explanation: str = ""  # notebook: a sentence on what the step does with these params


@dataclass
class Names:
    """What a node's `code()` may use: its inputs' variables, fresh variable names, static facts."""

    node_id: str
    allocator: Allocator
    inputs: dict[str, Any]
    target_hint: str | None = None
    data_dir: Path | None = None

    def var(self, role: str) -> str:
        return self.allocator.name(f"{self.allocator.prefix(self.node_id)}_{role}")

    def data(self, port: str = "data") -> DataRef:
        ref = self.inputs.get(port)
        if not isinstance(ref, DataRef):
            raise ValueError(f"node {self.node_id!r}: input {port!r} is not a table")
        return ref

    def optional_data(self, port: str = "data") -> DataRef | None:
        ref = self.inputs.get(port)
        return ref if isinstance(ref, DataRef) else None

    def model(self, port: str = "model") -> ModelRef:
        ref = self.inputs.get(port)
        if not isinstance(ref, ModelRef):
            raise ValueError(f"node {self.node_id!r}: input {port!r} is not a model")
        return ref

    def target_of(self, data: DataRef) -> str | None:
        """The column a step keeps out of its features: the split's target, else the downstream hint."""
        return data.target or self.target_hint


def indent(code: str, level: int = 1) -> str:
    pad = "    " * level
    return "\n".join(pad + line if line.strip() else line for line in code.splitlines())


PD = Import("pandas", alias="pd")
NP = Import("numpy", alias="np")

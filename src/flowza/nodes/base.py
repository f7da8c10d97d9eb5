"""The node interface: a `@node` decorator over a pure function with a pydantic Params model.

A node module holds one node: its `Params`, the run function decorated with `@node`, and
optionally `infer` (how it changes the static shape, for validation) and `code` (its Python
source, for export). The registry discovers modules; a duplicate type id fails at import.
"""

from __future__ import annotations

import builtins
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from pydantic import BaseModel

from flowza.nodes.limits import CsvLimits
from flowza.nodes.types import PORT_TYPES


class NodeError(Exception):
    """An error a user can act on, raised by a node; `field` names the param at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Cancelled(Exception):
    """Raised inside a node when its run was cancelled."""


@dataclass(frozen=True)
class Port:
    type: str
    required: bool = True
    description: str = ""


def optional(port_type: str, description: str = "") -> Port:
    return Port(port_type, required=False, description=description)


@dataclass
class Context:
    """What a running node may use besides its inputs: no database, no globals."""

    node_id: str
    data_dir: Path
    output_dir: Path
    target_hint: str | None = None
    cancel_event: threading.Event | None = None
    on_progress: Callable[[float, str], None] | None = None
    csv_limits: CsvLimits = field(default_factory=CsvLimits)
    messages: list[str] = field(default_factory=list)

    def check_cancelled(self) -> None:
        if self.cancel_event is not None and self.cancel_event.is_set():
            raise Cancelled(f"node {self.node_id!r} was cancelled")

    def progress(self, fraction: float, message: str = "") -> None:
        self.check_cancelled()
        if self.on_progress is not None:
            self.on_progress(fraction, message)

    def log(self, message: str) -> None:
        self.messages.append(message)


@dataclass
class InferContext:
    """What a node's `infer` function gets: where data lives and a place for lint warnings."""

    node_id: str
    data_dir: Path | None
    target_hint: str | None = None
    warnings: list[tuple[str, str, str | None]] = field(default_factory=list)

    def warn(self, code: str, message: str, field: str | None = None) -> None:
        self.warnings.append((code, message, field))


@dataclass(frozen=True)
class NodeDef:
    type: str
    title: str
    category: str
    description: str
    inputs: dict[str, Port]
    outputs: dict[str, Port]
    params_model: builtins.type[BaseModel]
    run: Callable[..., dict[str, Any]]
    version: int
    stateful: bool
    module: str
    # False for a node that runs on pandas alone: the executor may import scikit-learn on another
    # thread while it runs (executor _Run.prepare_imports, cache.import_writers_in_background)
    needs_sklearn: bool = True

    @property
    def infer(self) -> Callable[..., Any] | None:
        return getattr(sys.modules[self.module], "infer", None)

    @property
    def code(self) -> Callable[..., Any] | None:
        return getattr(sys.modules[self.module], "code", None)

    def params_with_widget(self, *widgets: str) -> list[str]:
        """Names of the params whose form widget (`ui:widget`) is one of `widgets`."""
        names = []
        for name, info in self.params_model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("ui:widget") in widgets:
                names.append(name)
        return names

    def params_schema(self) -> dict[str, Any]:
        return self.params_model.model_json_schema()

    def catalog_entry(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "category": self.category,
            "description": self.description,
            "version": self.version,
            "stateful": self.stateful,
            "inputs": [
                {"name": n, "type": p.type, "required": p.required, "description": p.description}
                for n, p in self.inputs.items()
            ],
            "outputs": [{"name": n, "type": p.type, "description": p.description} for n, p in self.outputs.items()],
            "params_schema": self.params_schema(),
        }


_REGISTRY: dict[str, NodeDef] = {}


def _as_port(value: Port | str) -> Port:
    port = value if isinstance(value, Port) else Port(value)
    if port.type not in PORT_TYPES:
        raise ValueError(f"unknown port type {port.type!r}")
    return port


def node(
    *,
    type: str,
    title: str,
    category: str,
    description: str,
    inputs: dict[str, Port | str],
    outputs: dict[str, Port | str],
    version: int = 1,
    stateful: bool = False,
    needs_sklearn: bool = True,
) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Register a node function. Its `params` argument's annotation is its Params model."""

    def register(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        hints = get_type_hints(fn)
        params_model = hints.get("params")
        if params_model is None or not issubclass(params_model, BaseModel):
            raise TypeError(f"node {type!r}: the function needs a `params: <pydantic model>` argument")
        if type in _REGISTRY and _REGISTRY[type].module != fn.__module__:
            raise ValueError(f"duplicate node type {type!r} in {fn.__module__} and {_REGISTRY[type].module}")
        _REGISTRY[type] = NodeDef(
            type=type,
            title=title,
            category=category,
            description=description,
            inputs={name: _as_port(p) for name, p in inputs.items()},
            outputs={name: _as_port(p) for name, p in outputs.items()},
            params_model=params_model,
            run=fn,
            version=version,
            stateful=stateful,
            module=fn.__module__,
            needs_sklearn=needs_sklearn,
        )
        return fn

    return register


def registered() -> dict[str, NodeDef]:
    return _REGISTRY

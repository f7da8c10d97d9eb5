"""Discovers every node module under `flowza.nodes` and gives the catalog."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from flowza.nodes.base import NodeDef, registered

_NOT_NODE_MODULES = {"base", "registry", "types", "schema", "common", "files", "metrics", "model_files"}


@cache
def catalog() -> dict[str, NodeDef]:
    import flowza.nodes as package

    for info in pkgutil.walk_packages(package.__path__, prefix="flowza.nodes."):
        if info.name.rsplit(".", 1)[-1] in _NOT_NODE_MODULES:
            continue
        importlib.import_module(info.name)
    return dict(sorted(registered().items()))


def get_node(node_type: str) -> NodeDef | None:
    return catalog().get(node_type)


def dataset_names(document: dict[str, Any]) -> list[str]:
    """The dataset file names a workflow document reads (params whose widget is `dataset`), in order."""
    registry = catalog()
    names: list[str] = []
    nodes = document.get("nodes") if isinstance(document, dict) else None
    for spec in nodes if isinstance(nodes, list) else []:
        definition = registry.get(str(spec.get("type"))) if isinstance(spec, dict) else None
        params = spec.get("params") if isinstance(spec, dict) else None
        if definition is None or not isinstance(params, dict):
            continue
        for name in definition.params_with_widget("dataset"):
            value = params.get(name)
            if isinstance(value, str) and value and value not in names:
                names.append(value)
    return names
